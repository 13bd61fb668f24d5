"""Search grids across the files an officer or supervisor instructs: contacts, goods lines and history.

Each grid joins the file (Application) once in get_query, get_count_query and get_one, and keeps only the
offices of office_scope(current_user) and files that are no longer drafts, so lists, exports and single
rows see the same rows as the queues. The grids are read-only: corrections go through the file's
correction pages (app.workflow.instruction), which write the old and new values to the history.
Administrators see the whole history, read-only.
"""
import re

from flask import current_app, url_for
from flask_admin.babel import lazy_gettext as admin_lazy_gettext
from flask_admin.contrib.sqla import ModelView
from flask_admin.contrib.sqla.filters import BaseSQLAFilter, FilterEqual, FilterLike
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import func, or_, select
from sqlalchemy.orm import contains_eager

from app.admin_views.exports import SpreadsheetExportMixin
from app.admin_views.filters import LocalDateTimeBetweenFilter, ScopedEqual, status_options
from app.admin_views.mixins import BoundedNumbersMixin, ReadOnlyModelMixin, ScopedRows, StableFilterArgsMixin
from app.admin_views.security import INSTRUCTORS, InstructorView
from app.change_labels import change_label, change_value
from app.extensions import db
from app.models import (
    Application, ApplicationStatus, Contact, GoodsLine, HistoryEvent, Office, Role, TariffHeading, User,
)
from app.models.offices import office_supervisors
from app.search import folded_contains
from app.workflow.access import office_scope, officer_files
from app.workflow.events import EVENT_LABELS, event_label, status_label

S = ApplicationStatus
OPEN = (S.UNDER_REVIEW, S.INCOMPLETE)
FILED_STATUSES = [s.value for s in S if s != S.DRAFT]
_REFERENCE = re.compile(r"^FR-[A-Z]+-\d{4}-\d{0,7}$", re.I)
_PHONE = re.compile(r"^\+?[\d .\-()/]{4,}$")


# --- options computed per request (who is looking decides) ----------------------------------------

def _is_admin() -> bool:
    return current_user.role == Role.ADMIN


def visible_office_ids() -> list[int] | None:
    """The offices whose files the account sees in the grids; None means every office (administrators)."""
    return None if _is_admin() else office_scope(current_user)


def office_choices():
    query = select(Office).order_by(Office.name)
    ids = visible_office_ids()
    if ids is not None:
        query = query.where(Office.id.in_(ids))
    return [(str(o.id), str(o)) for o in db.session.scalars(query)]


def actor_choices():
    """'Action automatique' and the staff who act on the files in scope (operators: use 'Acteur contient')."""
    ids = visible_office_ids()
    query = select(User).where(User.role.in_((Role.OFFICER, Role.SUPERVISOR, Role.ADMIN)))
    if ids is not None:
        supervisors = select(office_supervisors.c.user_id).where(office_supervisors.c.office_id.in_(ids))
        query = select(User).where(or_((User.role == Role.OFFICER) & User.office_id.in_(ids),
                                       (User.role == Role.SUPERVISOR) & User.id.in_(supervisors)))
    users = db.session.scalars(query.order_by(User.last_name, User.first_name)).all()
    return [("auto", str(_l("Action automatique")))] + [(str(u.id), u.full_name) for u in users]


def event_choices():
    return [(kind, str(label)) for kind, label in EVENT_LABELS.items()]


# --- filters ----------------------------------------------------------------------------------------

class HeadingEqual(FilterEqual):
    """A four-digit heading, exactly as declared (a whole chapter is written CC00)."""

    def validate(self, value):
        return bool(re.fullmatch(r"\d{4}", value.strip()))

    def clean(self, value):
        return value.strip()


class HeadingCovered(BaseSQLAFilter):
    """Lines that cover a heading: the heading itself, or its whole chapter (3900 covers 3923)."""

    def validate(self, value):
        return bool(re.fullmatch(r"\d{4}", value.strip()))

    def apply(self, query, value, alias=None):
        value = value.strip()
        return query.filter(GoodsLine.heading.in_({value, value[:2] + "00"}))

    def operation(self):
        return _l("couverte (position ou chapitre entier)")


class ChapterEqual(FilterEqual):
    """All the lines of a chapter: '39' (or '3900') finds 3923 and the whole-chapter line 3900."""

    def validate(self, value):
        return bool(re.fullmatch(r"\d{2}(00)?", value.strip()))

    def clean(self, value):
        return value.strip()[:2]


class CountryEqual(FilterEqual):
    def validate(self, value):
        return bool(re.fullmatch(r"[A-Za-z]{2}", value.strip()))

    def clean(self, value):
        return value.strip().upper()


class ActorEqual(ScopedEqual):
    """An account, or 'auto' for the events nobody did (actor_id is NULL)."""

    def clean(self, value):
        return value

    def apply(self, query, value, alias=None):
        if value == "auto":
            return query.filter(HistoryEvent.actor_id.is_(None))
        return query.filter(HistoryEvent.actor_id == int(value))


class ActorNameContains(BaseSQLAFilter):
    """Any actor, operators included, by a part of the first or last name."""

    def apply(self, query, value, alias=None):
        term = value.strip()
        names = select(User.id).where(or_(User.last_name.icontains(term, autoescape=True),
                                          User.first_name.icontains(term, autoescape=True),
                                          User.username.icontains(term, autoescape=True)))
        return query.filter(HistoryEvent.actor_id.in_(names))

    def operation(self):
        return admin_lazy_gettext("contains")


# --- formatters -------------------------------------------------------------------------------------

def _file_link(application):
    if application is None:
        return ""
    return Markup('<a href="{}">{}</a>').format(url_for("dossier.show", application_id=application.id),
                                                application.reference or f"#{application.id}")


def _status_badge(application):
    if application is None:
        return ""
    return Markup('<span class="badge badge-status-{}">{}</span>').format(application.status.value,
                                                                          status_label(application.status))


def _datetime(value):
    return current_app.jinja_env.filters["datetime_fr"](value) if value else ""


def _reference_link(view, context, model, name):
    return _file_link(model.application)


def _status(view, context, model, name):
    return _status_badge(model.application)


def _exporter(view, context, model, name):
    return model.application.exporter_name or "" if model.application else ""


def _links(correction_endpoint, row_arg):
    def formatter(view, context, model, name):
        application = model.application
        links = [Markup('<a class="btn btn-sm btn-outline-primary mr-1" href="{}">{}</a>').format(
            url_for("dossier.show", application_id=application.id), _l("Ouvrir le dossier"))]
        if application.status in OPEN:
            links.append(Markup('<a class="btn btn-sm btn-outline-warning" href="{}">{}</a>').format(
                url_for(correction_endpoint, application_id=application.id, **{row_arg: model.id}), _l("Corriger")))
        return Markup("").join(links)
    return formatter


def _export_reference(view, context, model, name):
    return model.application.reference if model.application else ""


def _export_status(view, context, model, name):
    return status_label(model.application.status) if model.application else ""


# --- the grids --------------------------------------------------------------------------------------

class FileScopedGrid(ScopedRows, InstructorView, BoundedNumbersMixin, StableFilterArgsMixin, ReadOnlyModelMixin,
                     SpreadsheetExportMixin, ModelView):
    """A read-only grid over rows that belong to a file; subclasses name the model, build their filters and
    define search_clause(term), the SQL condition a search term becomes."""

    grid_model = None

    simple_list_pager = True
    page_size = 50
    can_set_page_size = True
    page_size_options = (20, 50, 100, 200)
    list_template = "admin/grid_list.html"
    column_select_related_list = ()  # the file comes with the scope join (contains_eager)
    column_default_sort = ("id", True)

    def __init__(self, *args, **kwargs):
        self.column_filters = self.build_filters()
        super().__init__(self.grid_model, db, *args, **kwargs)

    @property
    def application_attr(self):
        """The relationship from the row to its file (every grid model names it 'application')."""
        return self.model.application

    def build_filters(self):
        return []

    def handle_filter(self, filter):
        filter = super().handle_filter(filter)
        # The file is already joined by the scope; Flask-Admin's automatic join on its table would repeat it.
        if isinstance(filter, BaseSQLAFilter):
            for key in (filter.key_name, filter.column):
                if key is not None:
                    self._filter_joins.pop(key, None)
        return filter

    def _get_filter_groups(self):
        # Flask-Admin computes filter choices once; offices and officers depend on who is looking.
        self._refresh_filters_cache()
        return super()._get_filter_groups()

    # --- row scope: lists, exports and single rows --------------------------------------------------

    def _scoped(self, query):
        return query.join(self.application_attr).filter(*officer_files(current_user))

    def get_query(self):
        return super().get_query().options(contains_eager(self.application_attr))

    # --- search -------------------------------------------------------------------------------------

    def _apply_search(self, query, count_query, joins, count_joins, search):
        term = search.strip()
        if not term:
            return query, count_query, joins, count_joins
        clause = self.search_clause(term)
        query = query.filter(clause)
        if count_query is not None:
            count_query = count_query.filter(clause)
        return query, count_query, joins, count_joins


_FILE_LABELS = {
    "application.reference": _l("N° demande"), "application.exporter_name": _l("Opérateur"),
    "application.status": _l("Statut"), "links": _l("Liens"),
}


class ContactGrid(FileScopedGrid):
    grid_model = Contact

    column_list = ("full_name", "email", "phone", "city", "country", "application.reference",
                   "application.exporter_name", "application.status", "links")
    column_export_list = ("full_name", "email", "phone", "city", "country", "application.reference",
                          "application.exporter_name", "application.status")
    column_labels = {"full_name": _l("Nom et prénom"), "email": _l("Courriel"), "phone": _l("Téléphone"),
                     "city": _l("Ville"), "country": _l("Pays"), **_FILE_LABELS}
    column_sortable_list = ("full_name", "email")
    column_searchable_list = ("full_name", "email", "phone")  # enables the box; search_clause decides
    column_formatters = {
        "application.reference": _reference_link, "application.status": _status,
        "application.exporter_name": _exporter,
        "links": _links("dossier.correct_contact", "contact_id"),
    }
    column_formatters_export = {"application.reference": _export_reference,
                                "application.status": _export_status}

    def build_filters(self):
        return [
            ScopedEqual(Application.status, _l("Statut du dossier"), options=status_options(FILED_STATUSES)),
            ScopedEqual(Application.office_id, _l("Service"), options=office_choices),
            CountryEqual(Contact.country, _l("Pays (code ISO)")),
            FilterLike(Contact.city, _l("Ville")),
        ]

    def search_clause(self, term):
        if _REFERENCE.match(term):
            return Application.reference.startswith(term.upper())
        if "@" in term:
            return folded_contains(Contact.email, term)
        if _PHONE.match(term) and sum(ch.isdigit() for ch in term) >= 4:
            digits = re.sub(r"\D", "", term)
            phone = Contact.phone
            for sep in (" ", ".", "-", "/", "(", ")"):
                phone = func.replace(phone, sep, "")
            return phone.contains(digits, autoescape=True)
        return or_(folded_contains(Contact.full_name, term), folded_contains(Contact.email, term))

    def search_placeholder(self):
        return str(_l("Nom, courriel, téléphone ou n° demande"))


def _heading(view, context, model, name):
    if model.is_whole_chapter:
        return Markup('{} <small class="text-muted">({})</small>').format(model.heading, _l("chapitre entier"))
    return model.heading


def _chapter(view, context, model, name):
    chapter = db.session.get(TariffHeading, model.chapter)
    if chapter is None:
        return model.chapter
    return Markup('{} <small class="text-muted">{}</small>').format(model.chapter, chapter.description)


def _description(view, context, model, name):
    text = model.description or ""
    return text if len(text) <= 160 else text[:157] + "…"


class GoodsLineGrid(FileScopedGrid):
    grid_model = GoodsLine

    column_list = ("heading", "chapter", "description", "application.reference", "application.exporter_name",
                   "application.status", "links")
    column_export_list = ("heading", "chapter", "description", "application.reference",
                          "application.exporter_name", "application.status")
    column_labels = {"heading": _l("Position tarifaire"), "chapter": _l("Chapitre"),
                     "description": _l("Description"), **_FILE_LABELS}
    column_sortable_list = ("heading", "chapter")
    column_searchable_list = ("heading", "description")
    column_formatters = {
        "heading": _heading, "chapter": _chapter, "description": _description,
        "application.reference": _reference_link, "application.status": _status,
        "application.exporter_name": _exporter,
        "links": _links("dossier.correct_goods_line", "line_id"),
    }
    column_formatters_export = {"application.reference": _export_reference,
                                "application.status": _export_status}

    def build_filters(self):
        return [
            HeadingEqual(GoodsLine.heading, _l("Position tarifaire")),
            HeadingCovered(GoodsLine.heading, _l("Position tarifaire")),
            ChapterEqual(GoodsLine.chapter, _l("Chapitre")),
            FilterLike(GoodsLine.description, _l("Description")),
            ScopedEqual(Application.status, _l("Statut du dossier"), options=status_options(FILED_STATUSES)),
            ScopedEqual(Application.office_id, _l("Service"), options=office_choices),
        ]

    def search_clause(self, term):
        if _REFERENCE.match(term):
            return Application.reference.startswith(term.upper())
        if re.fullmatch(r"\d{4}", term):
            return GoodsLine.heading == term
        if re.fullmatch(r"\d{2}", term):
            return GoodsLine.chapter == term
        return folded_contains(GoodsLine.description, term)

    def search_placeholder(self):
        return str(_l("Position, chapitre, description ou n° demande"))


def _event(view, context, model, name):
    return event_label(model.kind)


def _actor(view, context, model, name):
    return model.actor.full_name if model.actor else _l("Action automatique")


def _office(view, context, model, name):
    return model.office.name if model.office else ""


def _at(view, context, model, name):
    return _datetime(model.at)


def _comment(view, context, model, name):
    parts = [Markup("{}").format(model.comment or "")]
    if model.changes:
        items = Markup("").join(
            Markup("<li>{} : {} → {}</li>").format(
                change_label(c.get("field")), change_value(c.get("field"), c.get("old")),
                change_value(c.get("field"), c.get("new")))
            for c in model.changes)
        parts.append(Markup('<ul class="changes mb-0">{}</ul>').format(items))
    return Markup("").join(parts)


class HistoryGrid(FileScopedGrid):
    """Every history event of the files in scope; administrators see every event. Never written here:
    the model itself refuses updates and deletes (app.models.history)."""

    allowed_roles = INSTRUCTORS | {Role.ADMIN}
    grid_model = HistoryEvent

    column_list = ("at", "kind", "application.reference", "actor", "office", "comment")
    column_labels = {"at": _l("Date"), "kind": _l("Événement"), "application.reference": _l("N° demande"),
                     "actor": _l("Acteur"), "office": _l("Service"), "comment": _l("Commentaire")}
    column_sortable_list = ("at",)
    column_default_sort = [("at", True), ("id", True)]
    column_searchable_list = ("kind",)  # enables the box; search_clause decides
    column_select_related_list = (HistoryEvent.actor, HistoryEvent.office)
    column_formatters = {"at": _at, "kind": _event, "application.reference": _reference_link,
                         "actor": _actor, "office": _office, "comment": _comment}
    column_formatters_export = {
        "at": lambda v, c, m, n: m.at, "kind": _event,
        "application.reference": _export_reference, "actor": _actor, "office": _office,
        "comment": lambda v, c, m, n: m.comment or "",
    }

    def build_filters(self):
        return [
            ScopedEqual(HistoryEvent.kind, _l("Événement"), options=event_choices),
            ActorEqual(HistoryEvent.actor_id, _l("Acteur"), options=actor_choices),
            ActorNameContains(HistoryEvent.actor_id, _l("Acteur")),
            LocalDateTimeBetweenFilter(HistoryEvent.at, _l("Date")),
            ScopedEqual(Application.office_id, _l("Service du dossier"), options=office_choices),
        ]

    def _scoped(self, query):
        if _is_admin():
            return query.outerjoin(self.application_attr)
        return super()._scoped(query)

    def search_clause(self, term):
        if _REFERENCE.match(term):
            return Application.reference.startswith(term.upper())
        return or_(Application.reference.icontains(term, autoescape=True),
                   HistoryEvent.comment.icontains(term, autoescape=True))

    def search_placeholder(self):
        return str(_l("N° demande ou commentaire"))


def register(admin) -> None:
    category = _l("Recherche")
    admin.add_view(ContactGrid(name=_l("Contacts"), endpoint="contacts", category=category))
    admin.add_view(GoodsLineGrid(name=_l("Marchandises"), endpoint="marchandises", category=category))
    admin.add_view(HistoryGrid(name=_l("Historique"), endpoint="historique", category=category))
