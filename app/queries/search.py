"""Searching files and registrations: the operators' header search and advanced search (/rex/recherche), the
officers' back-office search (/admin/recherche/). Each search reads only the scope the queues and lists read
(app/workflow/access.py); what a word matches is decided by matches() alone."""
import sqlite3
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import String, event, func, or_, select
from sqlalchemy.engine import Engine
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.search import file_contains, on_postgresql
from app.models import Application, ApplicationKind, ApplicationStatus, Company, Registration, RegistrationStatus
from app.workflow.access import office_scope, officer_files, officer_registrations, operator_applications, operator_registrations
from app.workflow.events import kind_label, status_label

LIMIT = 100  # rows of each kind a search shows; beyond, the page asks to narrow it
# Accented letters the matching folds, both cases: SQLite's lower() only knows ASCII.
_FOLD = {**{c: "a" for c in "àáâãäåÀÁÂÃÄÅ"}, **{c: "c" for c in "çÇ"}, **{c: "e" for c in "èéêëÈÉÊË"},
         **{c: "i" for c in "ìíîïÌÍÎÏ"}, **{c: "n" for c in "ñÑ"}, **{c: "o" for c in "òóôõöÒÓÔÕÖ"},
         **{c: "u" for c in "ùúûüÙÚÛÜ"}, **{c: "y" for c in "ýÿÝŸ"}, "œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae"}


def fold(text: str) -> str:
    """Lower case without accents: what the person typed, as matches() compares it."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return "".join(_FOLD.get(ch, ch) for ch in plain).lower().strip()


class _Folded(FunctionElement):
    """A column folded as fold() folds a text: fold(x) on SQLite (a Python function registered on each
    connection), translate(lower(x), …) on PostgreSQL (no nesting of 60 replace(), which SQLite cannot parse)."""
    type = String()
    name = "fold"
    inherit_cache = True


@compiles(_Folded)
def _compile_sqlite(element, compiler, **kw):
    return f"fold({compiler.process(element.clauses, **kw)})"


_SINGLE = {k: v for k, v in _FOLD.items() if len(v) == 1 and k == k.lower()}


@compiles(_Folded, "postgresql")
def _compile_postgresql(element, compiler, **kw):
    source, target = "".join(_SINGLE), "".join(_SINGLE.values())
    inner = f"translate(lower({compiler.process(element.clauses, **kw)}), '{source}', '{target}')"
    return f"replace(replace({inner}, 'œ', 'oe'), 'æ', 'ae')"


@event.listens_for(Engine, "connect")
def _register_fold(dbapi_connection, connection_record):
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.create_function("fold", 1, lambda value: None if value is None else fold(value),
                                         deterministic=True)


def _folded(column):
    return _Folded(column)


def matches(column, term: str):
    """`column` contains `term`, whatever the case and the accents, on SQLite and PostgreSQL alike.

    The one place that decides how a word matches: a trigram index (pg_trgm) would plug in here."""
    escaped = fold(term).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return _folded(column).like(f"%{escaped}%", escape="\\")


@dataclass
class Hit:
    """One row of a search result: a file or a registration version."""
    kind: str  # "application" or "registration"
    id: int
    reference: str
    type: str
    holder: str
    office: str
    status: str
    on: date | datetime | None


@dataclass
class Criteria:
    """What the advanced search narrows by; `text` alone is the header search."""
    text: str = ""
    status: str | None = None
    type: str | None = None  # an ApplicationKind value, or "registration"
    date_from: date | None = None
    date_to: date | None = None
    holder: str = ""
    office_id: int | None = None

    @property
    def empty(self) -> bool:
        return not (self.text.strip() or self.status or self.type or self.date_from or self.date_to
                    or self.holder.strip() or self.office_id)


@dataclass
class Results:
    applications: list[Hit]
    registrations: list[Hit]
    more: bool  # some kind had more than LIMIT rows


def _statuses_named(term: str, statuses) -> list:
    """The statuses whose label contains what was typed ("incompl" finds Incomplète)."""
    folded = fold(term)
    return [s for s in statuses if folded and folded in fold(status_label(s))] if len(folded) >= 3 else []


def _day_bounds(criteria: Criteria):
    start = datetime.combine(criteria.date_from, time.min) if criteria.date_from else None
    end = datetime.combine(criteria.date_to + timedelta(days=1), time.min) if criteria.date_to else None
    return start, end


def _file_text(term: str, offices):
    """A file's reference, exporter name or EORI contains `term`. On PostgreSQL the trigram index of
    app/search.py answers it (the same as the queues' search), instead of reading every file of the scope;
    `offices` is an officer's scope (None for an operator, whose files are their company's)."""
    if on_postgresql():
        return file_contains(Application, term, offices=offices)
    return or_(matches(Application.reference, term), matches(Application.exporter_eori, term),
               matches(Application.exporter_name, term))


def _applications(query, criteria: Criteria, offices) -> tuple[list[Hit], bool]:
    text = criteria.text.strip()
    if text:
        clauses = [_file_text(text, offices)]
        named = _statuses_named(text, list(ApplicationStatus))
        if named:
            clauses.append(Application.status.in_(named))
        query = query.where(or_(*clauses))
    if criteria.status:
        known = {s.value for s in ApplicationStatus}
        if criteria.status not in known:
            return [], False
        query = query.where(Application.status == ApplicationStatus(criteria.status))
    if criteria.type:
        if criteria.type not in {k.value for k in ApplicationKind}:
            return [], False
        query = query.where(Application.kind == ApplicationKind(criteria.type))
    if criteria.holder.strip():
        query = query.where(_file_text(criteria.holder.strip(), offices))
    if criteria.office_id:
        query = query.where(Application.office_id == criteria.office_id)
    start, end = _day_bounds(criteria)
    filed = func.coalesce(Application.submitted_at, Application.created_at)
    if start:
        query = query.where(filed >= start)
    if end:
        query = query.where(filed < end)
    rows = db.session.scalars(query.options(joinedload(Application.office))
                              .order_by(Application.updated_at.desc(), Application.id.desc()).limit(LIMIT + 1)).all()
    hits = [Hit("application", a.id, a.reference, kind_label(a.kind), a.exporter_name or "",
                a.office.name if a.office else "", status_label(a.status), a.submitted_at or a.created_at)
            for a in rows[:LIMIT]]
    return hits, len(rows) > LIMIT


def _registrations(conditions, criteria: Criteria) -> tuple[list[Hit], bool]:
    if criteria.type and criteria.type != "registration":
        return [], False
    query = select(Registration).join(Company, Company.id == Registration.company_id).where(*conditions)
    text = criteria.text.strip()
    if text:
        clauses = [matches(Registration.number, text), matches(Company.name, text), matches(Company.eori, text)]
        named = _statuses_named(text, list(RegistrationStatus))
        if named:
            clauses.append(Registration.status.in_(named))
        query = query.where(or_(*clauses))
    if criteria.status:
        if criteria.status not in {s.value for s in RegistrationStatus}:
            return [], False
        query = query.where(Registration.status == RegistrationStatus(criteria.status))
    if criteria.holder.strip():
        query = query.where(or_(matches(Company.name, criteria.holder), matches(Company.eori, criteria.holder)))
    if criteria.office_id:
        query = query.where(Registration.office_id == criteria.office_id)
    if criteria.date_from:
        query = query.where(Registration.registered_on >= criteria.date_from)
    if criteria.date_to:
        query = query.where(Registration.registered_on <= criteria.date_to)
    rows = db.session.scalars(query.options(joinedload(Registration.company), joinedload(Registration.office))
                              .order_by(Registration.updated_at.desc(), Registration.id.desc())
                              .limit(LIMIT + 1)).all()
    hits = [Hit("registration", r.id, r.number, str(_l("Enregistrement REX")),
                r.company.name if r.company else "", r.office.name if r.office else "", status_label(r.status),
                r.registered_on) for r in rows[:LIMIT]]
    return hits, len(rows) > LIMIT


def _search(applications, registration_conditions, criteria: Criteria, offices=None) -> Results:
    if criteria.empty:
        return Results([], [], False)
    found, more = _applications(applications, criteria, offices)
    registrations, more_registrations = _registrations(registration_conditions, criteria)
    return Results(found, registrations, more or more_registrations)


def _exact(applications, registration_conditions, term: str):
    """The file or registration whose reference or number is exactly `term` (any case), or None."""
    wanted = term.strip().upper()
    if not wanted or len(wanted) > 40:
        return None
    application = db.session.scalar(applications.where(Application.reference == wanted).limit(1))
    if application is not None:
        return application
    # A number names every version of a registration: the newest one.
    return db.session.scalar(select(Registration).where(*registration_conditions, Registration.number == wanted)
                             .order_by(Registration.version_no.desc(), Registration.id.desc()).limit(1))


def operator_search(user, criteria: Criteria) -> Results:
    return _search(operator_applications(user), operator_registrations(user), criteria)


def operator_exact(user, term: str):
    return _exact(operator_applications(user), operator_registrations(user), term)


def officer_search(user, criteria: Criteria) -> Results:
    return _search(select(Application).where(*officer_files(user)), officer_registrations(user), criteria,
                   offices=office_scope(user))


def officer_exact(user, term: str):
    return _exact(select(Application).where(*officer_files(user)), officer_registrations(user), term)

