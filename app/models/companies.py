"""Companies: EORI holders for which operators file."""
from sqlalchemy import Boolean, String, false
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

    def __str__(self) -> str:
        return f"{self.name} ({self.eori})"
