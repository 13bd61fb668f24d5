"""A decision proposed by one officer, taking effect when a second one approves it (four eyes, issue 17)."""
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models._time import utcnow
from app.models.users import User

PROPOSAL_PENDING, PROPOSAL_APPROVED, PROPOSAL_RETURNED = "pending", "approved", "returned"


class DecisionProposal(db.Model):
    __table_args__ = (
        # One pending proposal per file and per registration: a pending proposal freezes it.
        Index("uq_decision_proposal_pending_application", "application_id", unique=True,
              postgresql_where=text("status = 'pending' AND registration_id IS NULL"),
              sqlite_where=text("status = 'pending' AND registration_id IS NULL")),
        Index("uq_decision_proposal_pending_registration", "registration_id", unique=True,
              postgresql_where=text("status = 'pending' AND registration_id IS NOT NULL"),
              sqlite_where=text("status = 'pending' AND registration_id IS NOT NULL")),
        Index("ix_decision_proposal_office_status", "office_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The file decided on (for a revocation: the registration's application, and registration_id is set).
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"))
    registration_id: Mapped[int | None] = mapped_column(ForeignKey("registration.id"))
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id"))
    action: Mapped[str] = mapped_column(String(30))  # grant | reject | revoke
    reason: Mapped[str | None] = mapped_column(Text)  # the draft decision's reason (rejection, revocation)
    status: Mapped[str] = mapped_column(String(20), default=PROPOSAL_PENDING)
    proposed_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    proposed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    comment: Mapped[str | None] = mapped_column(Text)  # why it was sent back

    proposed_by: Mapped[User] = relationship(foreign_keys=[proposed_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
