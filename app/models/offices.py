"""Customs offices and their regional directorates."""
from sqlalchemy import Column, ForeignKey, String, Table
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

    directorate: Mapped[Directorate] = relationship(back_populates="offices")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"
