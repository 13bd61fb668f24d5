"""Queue filters beyond Flask-Admin's own: scoped choices, unassigned files, deadlines within N days, date
ranges typed in French."""
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from flask import current_app, has_request_context
from flask_admin.contrib.sqla.filters import BaseSQLAFilter, DateTimeBetweenFilter, FilterEqual
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from app.extensions import db
from app.models import Application, Office, Role, User
from app.models._time import utcnow
from app.workflow.access import office_scope
from app.workflow.events import STATUS_LABELS


def status_options(statuses):
    return lambda: [(s, str(STATUS_LABELS[s])) for s in statuses]


def office_options():
    # Called on every page: options must follow the account, not the first one that loaded the view.
    ids = office_scope(current_user)
    return [(str(o.id), str(o)) for o in db.session.scalars(select(Office).where(Office.id.in_(ids)).order_by(Office.name))]


def officer_options():
    ids = office_scope(current_user)
    officers = db.session.scalars(select(User).where(User.office_id.in_(ids), User.role == Role.OFFICER)
                                  .order_by(User.last_name))
    return [(str(u.id), u.full_name) for u in officers]


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
