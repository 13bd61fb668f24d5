"""Transmissions of registrations to the Commission's central REX (domain.md sections 7 and 9).

A row is written in the same transaction as the decision that causes it (grant, modification,
revocation); jobs/rex.py delivers it with bounded retries:

    to_send --POST ok--> sent --{"status": "acknowledged"}--> acknowledged
    to_send | error --failure--> error (attempts + 1, next_attempt_at after a backoff)
    error --'Renvoyer' (officer)--> to_send
"""
from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models._time import utcnow
from app.models.registrations import Registration

REX_TO_SEND = "to_send"
REX_SENT = "sent"
REX_ACKNOWLEDGED = "acknowledged"
REX_ERROR = "error"
REX_STATES = (REX_TO_SEND, REX_SENT, REX_ACKNOWLEDGED, REX_ERROR)
REX_OPERATIONS = ("register", "modify", "revoke")


class RexTransmission(db.Model):
    __tablename__ = "rex_transmission"
    __table_args__ = (
        CheckConstraint("state IN ('to_send', 'sent', 'acknowledged', 'error')", name="state"),
        CheckConstraint("operation IN ('register', 'modify', 'revoke')", name="operation"),
        # The delivery job reads the rows that are due: by state, then by the time of the next attempt.
        Index("ix_rex_transmission_state_next_attempt", "state", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id"), index=True)
    operation: Mapped[str] = mapped_column(String(10))
    payload: Mapped[dict] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(12), default=REX_TO_SEND)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    registration: Mapped[Registration] = relationship()
