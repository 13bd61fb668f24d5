"""What a transition writes besides the status: its history event, its message in the thread, the file's
'Dernière modification'."""
from app.extensions import db
from app.models import Application, DiscussionMessage, HistoryEvent, Registration, User
from app.models._time import utcnow


def record(application: Application | None, kind: str, actor: User | None, comment: str | None = None,
           changes: list | None = None, registration: Registration | None = None,
           office_id: int | None = None) -> HistoryEvent:
    event = HistoryEvent(
        application_id=application.id if application else None,
        registration_id=registration.id if registration else None,
        kind=kind, actor_id=actor.id if actor else None,
        # An officer or supervisor acts for the office the file is assigned to.
        office_id=office_id if office_id is not None else (
            (application.office_id if application else actor.office_id) if actor and actor.is_staff else None),
        comment=comment, changes=changes or None)
    db.session.add(event)
    return event


def post(application: Application, author: User | None, body: str, title_kind: str | None = None,
         registration: Registration | None = None) -> DiscussionMessage:
    """A message in the discussion thread of a file (or of a registration)."""
    message = DiscussionMessage(application_id=application.id, author_id=author.id if author else None,
                                registration_id=registration.id if registration else None, body=body,
                                title_kind=title_kind)
    db.session.add(message)
    return message


def touch(application: Application) -> None:
    application.updated_at = utcnow()
