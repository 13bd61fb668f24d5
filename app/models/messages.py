"""The discussion thread of a file."""
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models._time import utcnow
from app.models.users import User


class DiscussionMessage(db.Model):
    __table_args__ = (Index("ix_discussion_message_application_at", "application_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"))
    # Set on a registration's thread; application_id then is the application the version came from.
    registration_id: Mapped[int | None] = mapped_column(ForeignKey("registration.id"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # The history event kind when the message comes from a transition (e.g. information_requested).
    title_kind: Mapped[str | None] = mapped_column(String(40))
    body: Mapped[str] = mapped_column(Text)

    author: Mapped[User | None] = relationship()
