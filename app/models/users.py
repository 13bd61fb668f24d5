"""Accounts, roles and the companies an account is certified to act for."""
import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, DateTime, Enum, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models._time import utcnow
from app.models.companies import Company
from app.models.offices import Office, office_supervisors


class Role(str, enum.Enum):
    OPERATOR = "operator"
    REPRESENTATIVE = "representative"
    OFFICER = "officer"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


class User(UserMixin, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(60), unique=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    first_name: Mapped[str] = mapped_column(String(80))
    last_name: Mapped[str] = mapped_column(String(80))
    phone: Mapped[str | None] = mapped_column(String(40))
    mobile: Mapped[str | None] = mapped_column(String(40))
    postal_address: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(
        Enum(Role, name="role", native_enum=False, create_constraint=True,
             values_callable=lambda e: [m.value for m in e], length=20),
        default=Role.OPERATOR,
    )
    activated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    office_id: Mapped[int | None] = mapped_column(ForeignKey("office.id"), index=True)
    is_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    # An officer's choice (Mon travail): a daily email summing up the news of their files (jobs/digest.py).
    daily_digest: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")

    office: Mapped[Office | None] = relationship()
    supervised_offices: Mapped[list[Office]] = relationship(secondary=office_supervisors)
    certifications: Mapped[list["Certification"]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    @property
    def is_active(self) -> bool:  # Flask-Login: only activated, enabled accounts may log in
        return self.activated_at is not None and self.is_enabled

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def is_staff(self) -> bool:
        return self.role in (Role.OFFICER, Role.SUPERVISOR, Role.ADMIN)

    @property
    def certified_companies(self) -> list[Company]:
        return [c.company for c in self.certifications]

    @property
    def own_company(self) -> Company | None:
        """The company the account belongs to (a representative's own firm)."""
        for cert in self.certifications:
            if not cert.on_behalf:
                return cert.company
        return None

    @property
    def client_companies(self) -> list[Company]:
        return [c.company for c in self.certifications if c.on_behalf]

    def __str__(self) -> str:
        return self.full_name


class Certification(db.Model):
    """'Habilitation': the account may act for this company.

    on_behalf is true for a customs representative's client.
    """

    __table_args__ = (UniqueConstraint("user_id", "company_id", name="uq_certification_user_company"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"), index=True)
    on_behalf: Mapped[bool] = mapped_column(Boolean, default=False)
    granted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    user: Mapped[User] = relationship(back_populates="certifications")
    # An account's companies are read together (the filing form, access checks): one IN query for all of
    # them, not one query each. selectin, not joined: a FOR UPDATE refuses the outer join of joined loading.
    company: Mapped[Company] = relationship(lazy="selectin")
