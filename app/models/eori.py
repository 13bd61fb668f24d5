"""EORI: the content of an EORI application, and a user's request to act for a company ("habilitation")."""
import enum
from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, Enum, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models._time import utcnow
from app.models.applications import Application
from app.models.companies import Company
from app.models.offices import Office
from app.models.users import User


class EoriBasis(str, enum.Enum):
    """EORI-SIRET (one per establishment, FR + 14 digits) or EORI-SIREN (one per legal entity, FR + 9 digits)."""
    SIRET = "siret"
    SIREN = "siren"


class PersonType(str, enum.Enum):
    """UCC Art. 5(4): who applies."""
    NATURAL = "natural"
    LEGAL = "legal"
    ASSOCIATION = "association"


def _enum(cls, name, length=20):
    return Enum(cls, name=name, native_enum=False, create_constraint=True,
                values_callable=lambda e: [m.value for m in e], length=length)


class EoriRequest(db.Model):
    """The form of an EORI application (an Application of kind EORI): DA Annex 12-01, CERFA 13930*01."""

    __tablename__ = "eori_request"
    __table_args__ = (Index("ix_eori_request_siren", "siren"), Index("ix_eori_request_siret", "siret"))

    application_id: Mapped[int] = mapped_column(ForeignKey("application.id", ondelete="CASCADE"), primary_key=True)
    basis: Mapped[EoriBasis | None] = mapped_column(_enum(EoriBasis, "eori_basis"))
    person_type: Mapped[PersonType | None] = mapped_column(_enum(PersonType, "person_type"))
    # Raison sociale (legal person), name of the grouping (association), or last name (natural person).
    name: Mapped[str | None] = mapped_column(String(200))
    first_name: Mapped[str | None] = mapped_column(String(100))
    legal_form: Mapped[str | None] = mapped_column(String(4))  # INSEE catégorie juridique, e.g. 5710 (SAS)
    created_on: Mapped[date | None] = mapped_column(Date)  # date de création, or birth date of a natural person
    siren: Mapped[str | None] = mapped_column(String(9))
    siret: Mapped[str | None] = mapped_column(String(14))
    vat_number: Mapped[str | None] = mapped_column(String(13))
    ape_code: Mapped[str | None] = mapped_column(String(6))  # NAF rév. 2, e.g. 46.90Z
    address: Mapped[str | None] = mapped_column(String(200))
    postcode: Mapped[str | None] = mapped_column(String(20))
    city: Mapped[str | None] = mapped_column(String(100))
    country: Mapped[str | None] = mapped_column(String(2))
    phone: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(254))
    contact_name: Mapped[str | None] = mapped_column(String(200))
    contact_phone: Mapped[str | None] = mapped_column(String(40))
    contact_email: Mapped[str | None] = mapped_column(String(254))
    publication_consent: Mapped[bool | None] = mapped_column(Boolean)
    no_other_eori: Mapped[bool] = mapped_column(Boolean, default=False)
    undertaking: Mapped[bool] = mapped_column(Boolean, default=False)

    application: Mapped[Application] = relationship(backref=db.backref("eori_request", uselist=False,
                                                                        cascade="all, delete-orphan"))

    @property
    def eori(self) -> str | None:
        """The number a grant assigns: FR + SIRET or FR + SIREN."""
        number = self.siret if self.basis == EoriBasis.SIRET else self.siren
        return f"FR{number}" if number else None


class CertificationStatus(str, enum.Enum):
    PENDING = "pending"
    APPROVED = "approved"
    REFUSED = "refused"


class CertificationRequest(db.Model):
    """A signed-up user asks to act for a company (for a client, if a representative); an officer of the
    office decides (guide 3.2.3). Until approved the user files nothing for that company."""

    __tablename__ = "certification_request"
    __table_args__ = (
        Index("uq_certification_request_pending", "user_id", "company_id", unique=True,
              postgresql_where=text("status = 'pending'"), sqlite_where=text("status = 'pending'")),
        Index("ix_certification_request_office_status", "office_id", "status", "requested_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"), index=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id"))
    on_behalf: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[CertificationStatus] = mapped_column(_enum(CertificationStatus, "certification_status"),
                                                       default=CertificationStatus.PENDING)
    comment: Mapped[str | None] = mapped_column(Text)
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    refusal_reason: Mapped[str | None] = mapped_column(Text)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    company: Mapped[Company] = relationship()
    office: Mapped[Office] = relationship()
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
