"""Companies: EORI holders for which operators file."""
from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, String, false
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db


class Company(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    eori: Mapped[str] = mapped_column(String(17), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(200))
    postcode: Mapped[str] = mapped_column(String(20))
    city: Mapped[str] = mapped_column(String(100))
    country: Mapped[str] = mapped_column(String(2), default="FR")
    phone: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(254))
    fax: Mapped[str | None] = mapped_column(String(40))
    # The holder agreed that name and address be shown by the public EORI check (domain.md 2.2).
    eori_publication_consent: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    siren: Mapped[str | None] = mapped_column(String(9), index=True)
    siret: Mapped[str | None] = mapped_column(String(14), index=True)
    # The office that granted the EORI here; it decides who may act for the company.
    office_id: Mapped[int | None] = mapped_column(ForeignKey("office.id"))
    eori_granted_on: Mapped[date | None] = mapped_column(Date)
    # DA Art. 7: invalidated at the holder's request or on cessation of activity; data kept 10 years after.
    eori_invalidated_on: Mapped[date | None] = mapped_column(Date)
    eori_invalidation_reason: Mapped[str | None] = mapped_column(String(20))
    # The personal data were purged, 10 calendar years after the invalidation (issue 17): an anonymous trace stays.
    data_purged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    def __str__(self) -> str:
        return f"{self.name} ({self.eori})"
