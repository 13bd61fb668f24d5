"""Queue filters beyond Flask-Admin's own: scoped choices, unassigned files, deadlines within N days, date
ranges typed in French."""
import time
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from flask import current_app, has_request_context
from flask_admin.contrib.sqla.filters import BaseSQLAFilter, DateTimeBetweenFilter, FilterEqual
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from app.extensions import db
from app.models import Application, Office, Role, User
from app.models._time import utcnow
from app.workflow.access import office_scope
from app.workflow.events import STATUS_LABELS


def status_options(statuses):
    return lambda: [(s, str(STATUS_LABELS[s])) for s in statuses]


# Filter choices per office scope, kept between requests: offices and officers change rarely, and a queue page
# asked for them on every request (two of its five statements). A commit that wrote an office or an account
# in this process drops them at once; other processes (gunicorn workers) see the change within CHOICES_TTL.
CHOICES_TTL = 30.0
_choices: dict = {}
_generation = [0]
_CHANGED_KEY = "filter_choices_changed"


def _cached_choices(kind: str, ids, compute):
    key = (str(db.engine.url), kind, tuple(sorted(ids)))
    now = time.monotonic()
    hit = _choices.get(key)
    if hit is not None and hit[0] == _generation[0] and now - hit[1] < CHOICES_TTL:
        return hit[2]
    value = compute()
    _choices[key] = (_generation[0], now, value)
    return value


@event.listens_for(Session, "after_flush")
def _note_office_or_account_change(session, _context):
    if any(isinstance(obj, (Office, User)) for obj in (*session.new, *session.dirty, *session.deleted)):
        session.info[_CHANGED_KEY] = True


@event.listens_for(Session, "do_orm_execute")
def _note_bulk_office_or_account_change(state):
    if (state.is_update or state.is_delete or state.is_insert) and getattr(state.statement, "table", None) is not None \
            and state.statement.table.name in ("office", "user", "office_supervisors"):
        state.session.info[_CHANGED_KEY] = True


@event.listens_for(Session, "after_commit")
def _drop_choices_after_change(session):
    if session.info.pop(_CHANGED_KEY, False):
        _generation[0] += 1


@event.listens_for(Session, "after_rollback")
def _forget_change(session):
    session.info.pop(_CHANGED_KEY, None)


def office_options():
    # Called on every page: options must follow the account, not the first one that loaded the view.
    ids = office_scope(current_user)
    return _cached_choices("offices", ids, lambda: [
        (str(o.id), str(o)) for o in db.session.scalars(select(Office).where(Office.id.in_(ids)).order_by(Office.name))])


def officer_options():
    ids = office_scope(current_user)
    return _cached_choices("officers", ids, lambda: [
        (str(u.id), u.full_name) for u in db.session.scalars(
            select(User).where(User.office_id.in_(ids), User.role == Role.OFFICER).order_by(User.last_name))])


class ScopedEqual(FilterEqual):
    """An equality filter whose options are computed per request (Flask-Admin caches plain lists)."""

    def get_options(self, view):
        if not has_request_context():  # the view is built at start-up, before any account exists
            return []
        return [(key, str(label)) for key, label in self.options()]

    def validate(self, value):
        return value in {key for key, _ in self.options()}

    def clean(self, value):
        # URL values are strings; PostgreSQL refuses "integer = character varying" (SQLite does not care).
        try:
            python_type = self.column.type.python_type
        except (AttributeError, NotImplementedError):
            return value
        return int(value) if python_type is int else value


class UnassignedFilter(BaseSQLAFilter):
    def apply(self, query, value, alias=None):
        if value == "1":
            return query.filter(Application.assigned_officer_id.is_(None))
        return query.filter(Application.assigned_officer_id.is_not(None))

    def operation(self):
        return _l("est")


class DeadlineWithinDaysFilter(BaseSQLAFilter):
    """Incomplete files whose answer period ends within N days."""

    def validate(self, value):
        return value.isdecimal() and 0 <= int(value) <= 365

    def apply(self, query, value, alias=None):
        return query.filter(Application.answer_deadline.is_not(None),
                            Application.answer_deadline <= utcnow() + timedelta(days=int(value)))

    def operation(self):
        return _l("dans moins de (jours)")


class LocalDateTimeBetweenFilter(DateTimeBetweenFilter):
    """A date range as the French date picker writes it, "01/12/2026 00:00 au 04/12/2026 23:59"
    (static/js/admin-fr.js), or as Flask-Admin's English one does, "2026-12-01 00:00:00 to …".
    Both are the reader's time (Europe/Paris, as every page shows times); the database holds UTC. A time
    typed without seconds covers its whole minute."""

    FORMATS = (("%d/%m/%Y %H:%M", True), ("%d/%m/%Y %H:%M:%S", False), ("%Y-%m-%d %H:%M:%S", False))

    def _bounds(self, value: str) -> list[datetime] | None:
        parts = value.split(" au ") if " au " in value else value.split(" to ")
        if len(parts) != 2:
            return None
        zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
        bounds = []
        for position, part in enumerate(parts):
            moment = self._parse(part.strip())
            if moment is None:
                return None
            at, whole_minute = moment
            if whole_minute and position == 1:
                at += timedelta(seconds=59, microseconds=999999)
            bounds.append(at.replace(tzinfo=zone).astimezone(timezone.utc))
        return bounds if bounds[0] <= bounds[1] else None

    def _parse(self, text: str) -> tuple[datetime, bool] | None:
        for fmt, whole_minute in self.FORMATS:
            try:
                return datetime.strptime(text, fmt), whole_minute
            except ValueError:
                continue
        return None

    def validate(self, value):
        return self._bounds(value) is not None

    def clean(self, value):
        return self._bounds(value)
