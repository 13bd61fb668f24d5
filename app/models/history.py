"""The append-only history of a file: who did what, when, from which office."""
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, DateTime, ForeignKey, Index, String, Text, event
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from app.extensions import db
from app.models._time import utcnow
from app.models.offices import Office
from app.models.users import User

if TYPE_CHECKING:
    from app.models.applications import Application


class HistoryEvent(db.Model):
    __table_args__ = (Index("ix_history_event_application_at", "application_id", "at"),
                      # Automatic rejections per week on the supervisors' charts (migration 0017).
                      Index("ix_history_event_kind_at", "kind", "at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int | None] = mapped_column(ForeignKey("application.id"))
    registration_id: Mapped[int | None] = mapped_column(ForeignKey("registration.id"), index=True)
    # Events of a request to act for a company (app/workflow/certifications.py) have no application.
    certification_request_id: Mapped[int | None] = mapped_column(ForeignKey("certification_request.id"),
                                                                 index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    # None means the system itself ("Action automatique").
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    office_id: Mapped[int | None] = mapped_column(ForeignKey("office.id"))
    comment: Mapped[str | None] = mapped_column(Text)
    # [{"field": ..., "old": ..., "new": ...}, ...]
    changes: Mapped[list | None] = mapped_column(JSON)

    actor: Mapped[User | None] = relationship()
    office: Mapped[Office | None] = relationship()
    # Read side only (history grids show the file's reference); events are written through application_id.
    application: Mapped["Application | None"] = relationship(viewonly=True)


class HistoryIsAppendOnly(Exception):
    pass


@event.listens_for(HistoryEvent, "before_update")
@event.listens_for(HistoryEvent, "before_delete")
def _refuse_rewriting_history(mapper, connection, target):
    raise HistoryIsAppendOnly("History events are never changed or deleted.")


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_rewriting_history(state):
    """session.execute(update(HistoryEvent)...) or delete(...) bypasses the mapper events above."""
    table = getattr(state.statement, "table", None)  # an annotated copy of the Table for ORM statements
    if (state.is_update or state.is_delete) and getattr(table, "name", None) == HistoryEvent.__tablename__:
        raise HistoryIsAppendOnly("History events are never changed or deleted.")
