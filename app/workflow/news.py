"""What is new on an officer's files since they last opened them ("Mon travail", unread markers).

The kinds of news are declared once, here, in NEWS_KINDS: a name, its label and the history events that make a
file unread. A branch that adds an event worth telling the officer (a four-eyes proposal to validate, issue 17)
adds one line with `register_news_kind`. News is read from the history itself: an event of a declared kind, on a
file assigned to the officer, written by someone else (or by the system) after the officer last opened the file.
Opening the instruction page (mark_read) is what "read" means; nothing else clears it.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select

from app.extensions import db
from app.models import Application, ApplicationStatus, FileRead, HistoryEvent, User
from app.models._time import utcnow

NEAR_DEADLINE_DAYS = 7


@dataclass(frozen=True)
class NewsKind:
    name: str
    label: object
    events: tuple[str, ...]


NEWS_KINDS: dict[str, NewsKind] = {}


def register_news_kind(name: str, label, events: tuple[str, ...]) -> NewsKind:
    """Declare a kind of news: the history events of `events` make a file unread for its officer."""
    kind = NewsKind(name, label, tuple(events))
    NEWS_KINDS[name] = kind
    return kind


register_news_kind("reply", _l("Réponse de l'opérateur"), ("comment",))
register_news_kind("completion", _l("Complément apporté"), ("completed",))
register_news_kind("transmission_error", _l("Erreur de communication avec l'application REX"),
                   ("rex_transmission_error",))
register_news_kind("proposal", _l("Décision proposée à valider"), ("decision_proposed",))
register_news_kind("proposal_returned", _l("Proposition renvoyée par le second agent"), ("decision_returned",))


def news_events() -> tuple[str, ...]:
    return tuple(event for kind in NEWS_KINDS.values() for event in kind.events)


def kind_of_event(event_kind: str) -> NewsKind | None:
    return next((k for k in NEWS_KINDS.values() if event_kind in k.events), None)


def _unread_clause(user: User):
    """History events that are news for `user` on files assigned to them (joined to FileRead of the user)."""
    return and_(HistoryEvent.kind.in_(news_events()),
                or_(HistoryEvent.actor_id.is_(None), HistoryEvent.actor_id != user.id),
                or_(FileRead.read_at.is_(None), HistoryEvent.at > FileRead.read_at))


def _news_query(user: User):
    return (select(HistoryEvent.application_id, HistoryEvent.kind, func.max(HistoryEvent.at).label("at"))
            .join(Application, Application.id == HistoryEvent.application_id)
            .outerjoin(FileRead, and_(FileRead.application_id == Application.id, FileRead.user_id == user.id))
            .where(Application.assigned_officer_id == user.id, _unread_clause(user))
            .group_by(HistoryEvent.application_id, HistoryEvent.kind))


def unread_ids(user: User, application_ids) -> set[int]:
    """Of these files, those with news for `user` (one query for a page of a queue)."""
    ids = [i for i in application_ids if i is not None]
    if not ids or not NEWS_KINDS:
        return set()
    query = _news_query(user).where(Application.id.in_(ids))
    return {row.application_id for row in db.session.execute(query)}


def my_news(user: User) -> list[dict]:
    """Files of `user` with news, newest first: the file, and each kind of news with its latest time."""
    if not NEWS_KINDS:
        return []
    by_file: dict[int, dict] = {}
    for row in db.session.execute(_news_query(user)):
        entry = by_file.setdefault(row.application_id, {"kinds": {}, "at": row.at})
        kind = kind_of_event(row.kind)
        entry["kinds"][kind.name] = kind.label
        entry["at"] = max(entry["at"], row.at, key=_comparable)
    files = {a.id: a for a in db.session.scalars(select(Application).where(Application.id.in_(by_file)))}
    news = [{"application": files[i], "kinds": list(v["kinds"].values()), "at": v["at"]} for i, v in by_file.items()]
    return sorted(news, key=lambda n: _comparable(n["at"]), reverse=True)


def news_on_file(user: User, application: Application) -> list[HistoryEvent]:
    """The events that are news for `user` on this file (shown on its page before it is marked read)."""
    if application.assigned_officer_id != user.id or not NEWS_KINDS:
        return []
    read = db.session.get(FileRead, (user.id, application.id))
    query = (select(HistoryEvent).where(HistoryEvent.application_id == application.id,
                                        HistoryEvent.kind.in_(news_events()),
                                        or_(HistoryEvent.actor_id.is_(None), HistoryEvent.actor_id != user.id)))
    if read is not None:
        query = query.where(HistoryEvent.at > read.read_at)
    return list(db.session.scalars(query.order_by(HistoryEvent.at)))


def mark_read(user: User, application: Application) -> None:
    """The officer opened the file: what was new is now read, for them only. Commits."""
    read = db.session.get(FileRead, (user.id, application.id))
    if read is None:
        db.session.add(FileRead(user_id=user.id, application_id=application.id, read_at=utcnow()))
    else:
        read.read_at = utcnow()
    db.session.commit()


def near_deadline(user: User, days: int = NEAR_DEADLINE_DAYS) -> list[Application]:
    """Files of `user` waiting for the operator whose 30-day clock ends within `days` days."""
    return list(db.session.scalars(
        select(Application).where(Application.assigned_officer_id == user.id,
                                  Application.status == ApplicationStatus.INCOMPLETE,
                                  Application.answer_deadline.is_not(None),
                                  Application.answer_deadline <= utcnow() + timedelta(days=days))
        .order_by(Application.answer_deadline)))


def office_counts(office_id: int | None) -> dict[str, int]:
    """The counts of the office's queues: files under review (and of them unassigned), incomplete files."""
    counts = {"under_review": 0, "incomplete": 0, "unassigned": 0}
    if office_id is None:
        return counts
    rows = db.session.execute(
        select(Application.status, Application.assigned_officer_id.is_(None), func.count())
        .where(Application.office_id == office_id,
               Application.status.in_((ApplicationStatus.UNDER_REVIEW, ApplicationStatus.INCOMPLETE)))
        .group_by(Application.status, Application.assigned_officer_id.is_(None)))
    for status, unassigned, count in rows:
        value = getattr(status, "value", status)
        counts[value] += count
        if value == "under_review" and unassigned:
            counts["unassigned"] += count
    return counts


def _comparable(value: datetime) -> datetime:
    from datetime import timezone
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
