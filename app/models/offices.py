"""Customs offices and their regional directorates."""
from sqlalchemy import Boolean, Column, ForeignKey, Integer, String, Table, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db

office_supervisors = Table(
    "office_supervisor",
    db.metadata,
    Column("office_id", ForeignKey("office.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("user.id", ondelete="CASCADE"), primary_key=True),
)


class Directorate(db.Model):
    """A direction régionale (DR) or interrégionale."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)

    offices: Mapped[list["Office"]] = relationship(back_populates="directorate")

    def __str__(self) -> str:
        return self.name


class Office(db.Model):
    """A customs office, identified by its EU COL reference (FR + 6 characters)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(8), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    city: Mapped[str] = mapped_column(String(80))
    directorate_id: Mapped[int] = mapped_column(ForeignKey("directorate.id"), index=True)

    # Settings of the office's procedure (issue 17, docs/decisions.md).
    # Four eyes: granting, rejecting, revoking and validating a modification are proposed by one officer and
    # take effect when a second officer or a supervisor of the office approves.
    four_eyes: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # The most days by which officers may extend the 30-day answer period of one incomplete file.
    max_extension_days: Mapped[int] = mapped_column(Integer, default=30, server_default="30")
    # The holder's period to present observations before a revocation (right to be heard).
    hearing_days: Mapped[int] = mapped_column(Integer, default=15, server_default="15")

    directorate: Mapped[Directorate] = relationship(back_populates="offices")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"
