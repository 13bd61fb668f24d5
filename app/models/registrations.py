"""A registration (autorisation): what a granted application yields."""
import enum
from datetime import date, datetime

from sqlalchemy import Date, DateTime, Enum, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models._time import utcnow
from app.models.applications import Application
from app.models.companies import Company
from app.models.offices import Office


class RegistrationStatus(str, enum.Enum):
    GRANTED = "granted"
    MODIFICATION_REQUESTED = "modification_requested"
    SUPERSEDED = "superseded"
    REVOKED = "revoked"


ACTIVE_REGISTRATION_STATUSES = (RegistrationStatus.GRANTED, RegistrationStatus.MODIFICATION_REQUESTED)


class Registration(db.Model):
    __table_args__ = (
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
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    company: Mapped[Company] = relationship()
    application: Mapped[Application] = relationship()
    office: Mapped[Office] = relationship()

    def __str__(self) -> str:
        return self.number
