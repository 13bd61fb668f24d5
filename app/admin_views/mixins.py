"""Mixins for the Flask-Admin model views of grids.py and administration.py.

ReadOnlyModelMixin: no create, edit, delete, inline edit or batch action, whatever the URL.

can_create/can_edit/can_delete = False only hide the buttons: Flask-Admin still routes /new/, /edit/ and
/delete/ (they redirect to the list). Here every writing endpoint answers 403, after the view's own
access check (anonymous users still go to the login page).
"""
from flask import abort
from flask_admin import expose
from flask_babel import force_locale

URL_LOCALE = "fr"


class StableFilterArgsMixin:
    """Named filter URLs (flt0_service_equals=...) built from the French filter names whatever the reader's
    language. Flask-Admin slugs the *translated* name, so the same filter would be flt0_status_equals in
    English and flt0_statut_equals in French, and a link made in one language would be ignored in the other."""

    named_filter_urls = True

    def get_filter_arg(self, index, flt):
        with force_locale(URL_LOCALE):
            return super().get_filter_arg(index, flt)


class ReadOnlyModelMixin:
    can_create = False
    can_edit = False
    can_delete = False
    can_view_details = False
    column_editable_list = ()
    column_display_actions = False

    @expose("/new/", methods=("GET", "POST"))
    def create_view(self):
        abort(403)

    @expose("/edit/", methods=("GET", "POST"))
    def edit_view(self):
        abort(403)

    @expose("/delete/", methods=("POST",))
    def delete_view(self):
        abort(403)

    @expose("/details/")
    def details_view(self):
        abort(403)

    @expose("/action/", methods=("POST",))
    def action_view(self):
        abort(403)

    @expose("/ajax/update/", methods=("POST",))
    def ajax_update(self):
        abort(403)

    def get_actions_list(self):
        return [], {}
