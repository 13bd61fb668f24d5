"""The administration log ("Journal d'administration"): every change made on an administration screen, with
who, when, which object, and its old and new values (Django's LogEntry). Append-only, as the history is."""
from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Index, String, event
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from app.extensions import db
from app.models._time import utcnow
from app.models.history import HistoryIsAppendOnly
from app.models.users import User

CREATE, UPDATE, DELETE, ACTION = "create", "update", "delete", "action"


class AdminLogEntry(db.Model):
    __tablename__ = "admin_log_entry"
    __table_args__ = (Index("ix_admin_log_entry_object", "object_type", "object_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    # create, update, delete; or action, for a screen's action over rows (the outbox's "Relancer").
    action: Mapped[str] = mapped_column(String(10))
    # The administration screen (its endpoint: comptes, habilitations, services...).
    screen: Mapped[str] = mapped_column(String(40))
    object_type: Mapped[str] = mapped_column(String(40))  # the table
    object_id: Mapped[str] = mapped_column(String(255))
    object_repr: Mapped[str] = mapped_column(String(255))  # what the object was called at the time
    # [{"field": ..., "old": ..., "new": ...}, ...]; a secret (the password) as {"field": ..., "secret": true}.
    changes: Mapped[list] = mapped_column(JSON, default=list)

    actor: Mapped[User] = relationship()


@event.listens_for(AdminLogEntry, "before_update")
@event.listens_for(AdminLogEntry, "before_delete")
def _refuse_rewriting_the_log(mapper, connection, target):
    raise HistoryIsAppendOnly("Administration log entries are never changed or deleted.")


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_rewriting_the_log(state):
    table = getattr(state.statement, "table", None)
    if (state.is_update or state.is_delete) and getattr(table, "name", None) == AdminLogEntry.__tablename__:
        raise HistoryIsAppendOnly("Administration log entries are never changed or deleted.")
