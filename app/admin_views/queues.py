"""The officers' queues: Flask-Admin list views over the files of the offices in scope.

Every query goes through QueueView._scoped(), so lists, counts, exports and
batch actions see only the files filed with the offices of the account. Lists never
COUNT the table (simple pager) and sort on indexed columns, so they stay fast at
a million files.
"""
import math
import re

from flask import g, redirect, url_for
from flask_admin.actions import action
from flask_admin.babel import gettext as admin_gettext
from flask_admin.contrib.sqla import ModelView
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from jinja2 import pass_context
from markupsafe import Markup, escape

from app.admin_views.filters import (
    DeadlineWithinDaysFilter, LocalDateTimeBetweenFilter, ScopedEqual, UnassignedFilter, office_options,
    officer_options, status_options,
)
from app.admin_views.exports import SpreadsheetExportMixin
from app.admin_views.mixins import BoundedNumbersMixin, ChosenColumnsMixin, ScopedRows, StableFilterArgsMixin
from app.admin_views.security import InstructorView
from app.extensions import db
from app.models import Application, ApplicationStatus, Registration, RegistrationStatus
from app.models._time import utcnow
from app.search import file_contains
from app.workflow import news
from app.workflow.access import office_scope, officer_files, officer_registrations
from app.workflow.events import kind_label, status_label

S = ApplicationStatus
_REFERENCE = re.compile(r"^FR-[A-Z]+-\d{4}-\d{0,7}$", re.I)
_EORI = re.compile(r"^[A-Z]{2}[A-Z0-9]{1,15}$", re.I)


# The formatters of the list build their HTML by concatenation with escape(): Markup.format goes through
# string.Formatter and was a sixth of a queue page's CPU (bench/queues.py).
def _reference_link(view, context, model, name):
    link = '<a href="%s">%s</a>' % (escape(url_for("dossier.show", application_id=model.id)), escape(model.reference))
    if model.id in _unread_on_page(context):
        label = escape(_l("Non lu"))
        return Markup('<span class="unread-marker" title="%s" aria-label="%s">●</span> %s' % (label, label, link))
    return Markup(link)


def _unread_on_page(context) -> set[int]:
    """The rows of this page with news for the reader (one query per page, app/workflow/news.py; none when no row
    of the page is assigned to the reader, since only their own files have news for them)."""
    data = context.get("data") or ()
    cached = g.get("_unread_on_page")
    if cached is None or cached[0] is not data:  # computed once per page, not once per row
        reader = current_user.id
        ids = [r.id for r in data if getattr(r, "assigned_officer_id", None) == reader]
        cached = g._unread_on_page = (data, news.unread_ids(current_user, ids))
    return cached[1]


def _status(view, context, model, name):
    return Markup('<span class="badge badge-status-%s">%s</span>'
                  % (escape(model.status.value), escape(status_label(model.status))))


def _time_left(view, context, model, name):
    deadline = model.answer_deadline
    if model.status != S.INCOMPLETE:
        return ""
    if model.clock_suspended_at is not None:
        return _l("suspendu")
    if deadline is None:
        return ""
    if deadline.tzinfo is None:
        from datetime import timezone
        deadline = deadline.replace(tzinfo=timezone.utc)
    days = max(0, math.ceil((deadline - utcnow()).total_seconds() / 86400))
    if model.deadline_extension_days:
        return _l("%(num)s j (prolongé)", num=days)
    return _l("%(num)s j", num=days)


def _date(view, context, model, name):
    value = getattr(model, name)
    return value.strftime("%d/%m/%Y") if value else ""


class QueueView(ScopedRows, ChosenColumnsMixin, BoundedNumbersMixin, StableFilterArgsMixin, InstructorView,
                SpreadsheetExportMixin, ModelView):
    statuses: tuple[ApplicationStatus, ...] = ()

    can_create = False
    can_edit = False
    can_delete = False
    can_view_details = False
    simple_list_pager = True
    can_set_page_size = True
    page_size = 20  # rendering costs about 0.65 ms a row (bench/queues.py); 50 to 200 remain one click away
    page_size_options = (20, 50, 100, 200)
    named_filter_urls = True
    list_template = "admin/queue_list.html"

    column_list = ("reference", "exporter_name", "exporter_eori", "kind", "submitted_at", "updated_at", "status",
                   "assigned_officer", "answer_deadline")
    # A spreadsheet gets the deadline itself rather than the days left on the day of the export.
    column_export_list = column_list[:-1] + ("deadline",)
    column_labels = {
        "reference": _l("N° demande"), "exporter_name": _l("Opérateur"), "exporter_eori": _l("EORI"),
        "kind": _l("Type"), "submitted_at": _l("Déposée le"), "updated_at": _l("Dernière mise à jour"),
        "status": _l("Statut"), "assigned_officer": _l("Agent en charge"), "answer_deadline": _l("Temps restant"),
        "office": _l("Service"), "deadline": _l("Échéance"),
    }
    column_formatters = {"reference": _reference_link, "status": _status, "answer_deadline": _time_left,
                         "submitted_at": _date, "updated_at": _date,
                         "kind": lambda v, c, m, n: kind_label(m.kind),
                         "assigned_officer": lambda v, c, m, n: m.assigned_officer.full_name if m.assigned_officer else ""}
    column_formatters_export = {
        "status": lambda v, c, m, n: status_label(m.status), "kind": lambda v, c, m, n: kind_label(m.kind),
        "assigned_officer": lambda v, c, m, n: m.assigned_officer.full_name if m.assigned_officer else "",
        "deadline": lambda v, c, m, n: m.answer_deadline if m.status == S.INCOMPLETE else None,
    }
    column_sortable_list = ("reference", "submitted_at", "updated_at", "answer_deadline")
    column_default_sort = ("updated_at", True)
    column_searchable_list = ("reference",)  # enables the box; _apply_search below decides what is searched
    column_select_related_list = (Application.assigned_officer,)

    def __init__(self, *args, **kwargs):
        self.column_filters = self._filters_for_queue()
        super().__init__(Application, db, *args, **kwargs)

    def _filters_for_queue(self):
        statuses = [s.value for s in self.statuses] or [s.value for s in S if s != S.DRAFT]
        filters = [
            ScopedEqual(Application.status, _l("Statut"), options=status_options(statuses)),
            ScopedEqual(Application.office_id, _l("Service"), options=office_options),
            ScopedEqual(Application.assigned_officer_id, _l("Agent en charge"), options=officer_options),
            UnassignedFilter(Application.assigned_officer_id, _l("Non affecté"),
                             options=(("1", _l("oui")), ("0", _l("non")))),
            LocalDateTimeBetweenFilter(Application.submitted_at, _l("Déposée le")),
            LocalDateTimeBetweenFilter(Application.updated_at, _l("Dernière mise à jour")),
        ]
        if not self.statuses or S.INCOMPLETE in self.statuses:
            filters.append(DeadlineWithinDaysFilter(Application.answer_deadline, _l("Échéance")))
        if not self.statuses:
            # The supervisors' charts link each week's decisions here (app/admin_views/charts.py).
            filters.append(LocalDateTimeBetweenFilter(Application.decided_at, _l("Décidée le")))
        return filters

    def _get_filter_groups(self):
        # Flask-Admin computes filter choices once; offices and officers depend on who is looking.
        self._refresh_filters_cache()
        return super()._get_filter_groups()

    # --- row scope: the same restriction for lists, exports, actions and single rows ------------------

    def _scoped(self, query):
        # A draft, even abandoned, never reached the office: only filed files are the office's business.
        return query.filter(*officer_files(current_user, self.statuses))


    def _apply_search(self, query, count_query, joins, count_joins, search):
        """A reference or an EORI is looked up on its index; anything else searches the operator's name."""
        term = search.strip()
        if _REFERENCE.match(term):
            clause = Application.reference.startswith(term.upper())
        elif _EORI.match(term) and any(ch.isdigit() for ch in term):
            clause = Application.exporter_eori == term.upper()
        else:
            # Accent-insensitive on PostgreSQL, answered by the trigram indexes of migration 0015.
            clause = file_contains(Application, term, offices=office_scope(current_user))
        query = query.filter(clause)
        if count_query is not None:
            count_query = count_query.filter(clause)
        return query, count_query, joins, count_joins

    @action("batch", _l("Affecter / réaffecter…"))
    def action_batch(self, ids):
        return redirect(url_for("batch.confirm", queue=self.endpoint, ids=",".join(ids)))

    def search_placeholder(self):
        return str(_l("N° demande, EORI ou raison sociale"))

    @pass_context
    def lean_row(self, context, row, actions, list_row_actions):
        """The cells of one row, as Flask-Admin's list_row block writes them (checkbox, actions column, one cell per
        column through the same formatters), built in one Python call rather than by the block's per-cell template
        code: the rows were 40% of the page's rendering."""
        pk = self.get_pk_value(row)
        cells = []
        if actions:
            cells.append('<td>\n<input type="checkbox" name="rowid" class="action-checkbox" value="%s" '
                         'title="%s" />\n</td>' % (escape(pk), escape(admin_gettext("Select record"))))
        if self.column_display_actions:
            buttons = "".join(escape(action.render_ctx(pk, row)) for action in list_row_actions)
            cells.append('<td class="list-buttons-column">%s</td>' % buttons)
        formatters, type_formatters = self.column_formatters, self.column_type_formatters
        for column, _name in self._list_columns:
            value = self._get_list_value(context, row, column, formatters, type_formatters)
            cells.append('<td class="col-%s">%s</td>' % (column, escape(value)))
        return Markup("\n".join(cells))


class ToInstructQueue(QueueView):
    statuses = (S.UNDER_REVIEW,)


class IncompleteQueue(QueueView):
    statuses = (S.INCOMPLETE,)
    column_default_sort = ("answer_deadline", False)


class AllFilesQueue(QueueView):
    statuses = ()


class RegistrationQueue(ScopedRows, ChosenColumnsMixin, BoundedNumbersMixin, InstructorView, SpreadsheetExportMixin,
                        ModelView):
    """Registrations (autorisations) of the offices in scope; `statuses` narrows a queue, () shows all."""

    statuses: tuple = ()
    can_create = can_edit = can_delete = False
    simple_list_pager = True
    can_set_page_size = True
    page_size = 20  # rendering costs about 0.65 ms a row (bench/queues.py); 50 to 200 remain one click away
    page_size_options = (20, 50, 100, 200)
    column_list = ("number", "version_no", "company", "office", "registered_on", "updated_at", "status")
    column_labels = {"number": _l("N° autorisation"), "version_no": _l("Version"), "company": _l("Titulaire"),
                     "office": _l("Service"), "registered_on": _l("Octroyée le"),
                     "updated_at": _l("Dernière mise à jour"), "status": _l("Statut")}
    column_formatters = {
        "number": lambda v, c, m, n: Markup('<a href="{}">{}</a>').format(
            url_for("autorisation.show", registration_id=m.id), m.number),
        "status": lambda v, c, m, n: status_label(m.status) + (
            " · " + str(_l("Révocation envisagée")) if m.hearing_notified_at is not None else ""),
        "updated_at": _date,
    }
    column_formatters_export = {"status": lambda v, c, m, n: status_label(m.status)}
    column_default_sort = ("updated_at", True)
    column_searchable_list = ("number",)

    def __init__(self, *args, **kwargs):
        super().__init__(Registration, db, *args, **kwargs)

    def _scoped(self, query):
        return query.filter(*officer_registrations(current_user, self.statuses))


class ModificationRequestQueue(RegistrationQueue):
    """'Modifications demandées': registrations whose holder asked for a change; the number stays valid."""

    statuses = (RegistrationStatus.MODIFICATION_REQUESTED,)


class RegistrationsQueue(RegistrationQueue):
    """'Autorisations du service': every version, granted, superseded or revoked."""

    column_filters = (
        ScopedEqual(Registration.status, _l("Statut"), options=status_options([s.value for s in RegistrationStatus])),
        ScopedEqual(Registration.office_id, _l("Service"), options=office_options),
    )
