"""The registration certificate PDF for officers and supervisors of the registration's office."""
from flask import abort, redirect, url_for
from flask_admin import BaseView, expose
from flask_login import current_user

from app.admin_views.security import InstructorView
from app.certificates import certificate_response
from app.extensions import db
from app.models import Registration
from app.workflow.access import office_scope


class CertificateView(InstructorView, BaseView):
    """/admin/autorisations/<id>/certificat.pdf; 404 outside the account's office scope."""

    def is_visible(self):
        return False

    @expose("/")
    def index(self):
        return redirect(url_for("admin.index"))

    @expose("/<int:registration_id>/certificat.pdf")
    def certificate(self, registration_id: int):
        registration = db.session.get(Registration, registration_id)
        if registration is None or registration.office_id not in office_scope(current_user):
            abort(404)
        return certificate_response(registration)


def register(admin) -> None:
    admin.add_view(CertificateView(name="Autorisations", endpoint="autorisations", url="/admin/autorisations"))
