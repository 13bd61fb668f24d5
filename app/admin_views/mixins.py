"""Mixins for the Flask-Admin model views of queues.py, grids.py, outbox.py and administration.py.

BoundedNumbersMixin: a page number or a row id beyond what the database holds shows an empty page or no row,
not a database error; ticked rows reach the database as the integers their keys are.

ScopedRows: lists, counts, exports, actions and single rows all go through the view's _scoped(query).

ReadOnlyModelMixin: no create, edit, delete, inline edit or batch action, whatever the URL.

can_create/can_edit/can_delete = False only hide the buttons: Flask-Admin still routes /new/, /edit/ and
/delete/ (they redirect to the list). Here every writing endpoint answers 403, after the view's own
access check (anonymous users still go to the login page).
"""
from flask import abort
from flask_admin import expose
from flask_admin.actions import action
from flask_admin.babel import lazy_gettext as admin_lazy_gettext
from flask_babel import force_locale

from app.identifiers import MAX_ID, parse_id

URL_LOCALE = "fr"
COLUMNS_ARG = "colonnes"


class ChosenColumnsMixin:
    """?colonnes=reference,status,… shows only those columns of the list (a saved view keeps its columns). The
    sort argument is then an index into the columns shown, as the list's sort links are."""

    def chosen_columns_argument(self) -> str | None:
        from flask import has_request_context, request

        if not has_request_context():
            return None
        wanted = [name for name in (request.args.get(COLUMNS_ARG) or "").split(",") if name]
        known = [name for name, _ in self._list_columns]
        chosen = [name for name in known if name in wanted]
        return ",".join(chosen) if chosen and len(chosen) < len(known) else None

    def visible_columns(self):
        chosen = self.chosen_columns_argument()
        if not chosen:
            return self._list_columns
        names = chosen.split(",")
        return [column for column in self._list_columns if column[0] in names]

    def _get_column_by_idx(self, idx):
        columns = self.visible_columns()
        if idx is None or idx < 0 or idx >= len(columns):
            return None
        return columns[idx]

    def render(self, template, **kwargs):
        if "list_columns" in kwargs:
            kwargs["list_columns"] = self.visible_columns()
        return super().render(template, **kwargs)


class StableFilterArgsMixin:
    """Named filter URLs (flt0_service_equals=...) built from the French filter names whatever the reader's
    language. Flask-Admin slugs the *translated* name, so the same filter would be flt0_status_equals in
    English and flt0_statut_equals in French, and a link made in one language would be ignored in the other."""

    named_filter_urls = True

    def get_filter_arg(self, index, flt):
        with force_locale(URL_LOCALE):
            return super().get_filter_arg(index, flt)


class BoundedNumbersMixin:
    """?page=99999999999999999999 would become an OFFSET beyond PostgreSQL's bigint (a 500): pages are capped
    at MAX_ID, which shows an empty page as any page after the last one does. ?id= of an integer key that
    cannot be one (abc, -1, 99999999999) names no row.

    Query arguments a list does not know are dropped: Flask-Admin passes them on to url_for() for the links
    of the page (sort, pager, filters), where ?endpoint=x is a TypeError and ?_external=1 or ?_scheme=...
    change the links themselves."""

    def _get_list_extra_args(self):
        args = super()._get_list_extra_args()
        return args.clone(page=min(max(args.page or 0, 0), MAX_ID), extra_args=self._kept_extra_args())

    def _kept_extra_args(self) -> dict:
        """The only argument of our own a list keeps in its links: the columns chosen (ChosenColumnsMixin)."""
        chosen = getattr(self, "chosen_columns_argument", None)
        return {COLUMNS_ARG: chosen()} if chosen and chosen() else {}

    def list_arguments(self) -> dict:
        """The sort, search, filters and chosen columns of the list now shown, as query arguments for the links
        that act on it (export, batch page, back to the list, a saved view): only what the list parsed, never the
        raw query string."""
        args = self._get_list_extra_args()
        known = {"sort": args.sort, "desc": 1 if args.sort_desc else None, "search": args.search or None,
                 **args.extra_args}
        return {**{k: v for k, v in known.items() if v is not None}, **self._get_filters(args.filters)}

    def get_one(self, id):
        if self._integer_key() and parse_id(id) is None:
            return None
        return super().get_one(id)

    # Flask-Admin's own action, labels and all: it passes the ticked ids as strings, and PostgreSQL refuses
    # `integer IN (varchar)` (a 500 even for a real row).
    @action("delete", admin_lazy_gettext("Delete"),
            admin_lazy_gettext("Are you sure you want to delete selected records?"))
    def action_delete(self, ids):
        return super().action_delete([i for i in map(parse_id, ids) if i] if self._integer_key() else ids)

    def _integer_key(self) -> bool:
        return self.model.__mapper__.primary_key[0].type.python_type is int


class ScopedRows:
    """The view defines _scoped(query): the rows its user may see."""

    def get_query(self):
        return self._scoped(super().get_query())

    def get_count_query(self):
        return self._scoped(super().get_count_query())

    def get_one(self, id):
        key = parse_id(id)
        return None if key is None else self.get_query().filter(self.model.id == key).one_or_none()


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
