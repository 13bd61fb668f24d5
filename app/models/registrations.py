"""A registration (autorisation): what a granted application yields."""
import enum
from datetime import date, datetime

from sqlalchemy import Date, DateTime, Enum, ForeignKey, Index, Integer, LargeBinary, String, Text, func, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models._time import utcnow
from app.models.applications import Application
from app.models.companies import Company
from app.models.offices import Office


class RevocationGround(str, enum.Enum):
    """IA Art. 89 (domain.md 1.7) and the holder's own request (Art. 89(1))."""
    CEASED_TO_EXIST = "ceased_to_exist"
    CONDITIONS_NOT_MET = "conditions_not_met"
    NO_LONGER_EXPORTS = "no_longer_exports"
    INCORRECT_STATEMENTS = "incorrect_statements"
    DATA_NOT_UP_TO_DATE = "data_not_up_to_date"
    HOLDER_REQUEST = "holder_request"


class RegistrationStatus(str, enum.Enum):
    GRANTED = "granted"
    MODIFICATION_REQUESTED = "modification_requested"
    SUPERSEDED = "superseded"
    REVOKED = "revoked"


ACTIVE_REGISTRATION_STATUSES = (RegistrationStatus.GRANTED, RegistrationStatus.MODIFICATION_REQUESTED)


class Registration(db.Model):
    __table_args__ = (
        # The hearing jobs (app/workflow/hearing.py): only registrations with a hearing under way.
        Index("ix_registration_hearing_deadline", "hearing_deadline",
              postgresql_where=text("hearing_deadline IS NOT NULL"), sqlite_where=text("hearing_deadline IS NOT NULL")),
        # One live registration per holder; superseded versions keep the same number.
        Index("uq_registration_active_company", "company_id", unique=True,
              postgresql_where=text("status IN ('granted', 'modification_requested')"),
              sqlite_where=text("status IN ('granted', 'modification_requested')")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(35), index=True)
    status: Mapped[RegistrationStatus] = mapped_column(
        Enum(RegistrationStatus, name="registration_status", native_enum=False, create_constraint=True,
             values_callable=lambda e: [m.value for m in e], length=30),
        default=RegistrationStatus.GRANTED, index=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"), index=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id"), index=True)
    registered_on: Mapped[date] = mapped_column(Date)
    valid_from: Mapped[date] = mapped_column(Date)
    revoked_on: Mapped[date | None] = mapped_column(Date)
    revocation_ground: Mapped[RevocationGround | None] = mapped_column(
        Enum(RevocationGround, name="revocation_ground", native_enum=False, create_constraint=True,
             values_callable=lambda e: [m.value for m in e], length=30))
    # The holder asked to be deregistered; an officer confirms by revoking on that ground.
    deregistration_requested_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The right to be heard before a revocation (issue 17): the intended ground and the grounds told to the
    # holder, the end of their period to answer, their observations; cleared when the procedure ends.
    hearing_ground: Mapped[RevocationGround | None] = mapped_column(
        Enum(RevocationGround, name="hearing_ground", native_enum=False, create_constraint=True,
             values_callable=lambda e: [m.value for m in e], length=30))
    hearing_grounds: Mapped[str | None] = mapped_column(Text)
    hearing_notified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    hearing_deadline: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    hearing_answer: Mapped[str | None] = mapped_column(Text)
    hearing_answered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    hearing_reminder_sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    hearing_period_ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # A re-registration after a revocation is a new registration period under the same number (issue 17): 1 for
    # the first grant, +1 for each grant after a revocation; the versions of a period share its period_no.
    period_no: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # At a grant after a revocation for incorrect statements or data not kept up to date (IA Art. 89(3)(d), (4)):
    # the officer's note confirming the cause was remedied.
    remedy_note: Mapped[str | None] = mapped_column(Text)
    # The personal data of the period were purged, 10 calendar years after its revocation (issue 17).
    data_purged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Versions share the number: 1 for the grant, +1 for each validated modification.
    version_no: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow,
                                                 server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    company: Mapped[Company] = relationship()
    application: Mapped[Application] = relationship(foreign_keys=[application_id])
    office: Mapped[Office] = relationship()

    def __str__(self) -> str:
        return self.number


class RegistrationCertificate(db.Model):
    """The certificate PDF of a registration version, rendered once (a job after the version is created,
    revoked or restored; or the first download) and served as stored while `state` still describes the
    registration (app/certificates.py: its status, last change and the file's version)."""

    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id", ondelete="CASCADE"),
                                                 primary_key=True)
    state: Mapped[str] = mapped_column(String(120))
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    rendered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
