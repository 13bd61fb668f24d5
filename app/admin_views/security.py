"""Who reaches which admin view, and the one row scope every officer screen uses."""
from flask import abort, redirect, request, url_for
from flask_admin import AdminIndexView
from flask_login import current_user

from app.models import Role

STAFF = {Role.OFFICER, Role.SUPERVISOR, Role.ADMIN}
INSTRUCTORS = {Role.OFFICER, Role.SUPERVISOR}


class RoleRequired:
    """Mixin for every admin view: anonymous users go to the login page, other roles get 403."""

    allowed_roles: set[Role] = {Role.ADMIN}

    def is_accessible(self):
        return current_user.is_authenticated and current_user.role in self.allowed_roles

    def inaccessible_callback(self, name, **kwargs):
        if not current_user.is_authenticated:
            return redirect(url_for("auth.login", next=request.full_path))
        abort(403)


class InstructorView(RoleRequired):
    allowed_roles = INSTRUCTORS


class ProtectedIndexView(RoleRequired, AdminIndexView):
    allowed_roles = STAFF
