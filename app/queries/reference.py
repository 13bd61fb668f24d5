"""Reference data as the pages read it: offices, tariff headings and their labels."""
from sqlalchemy import literal, select

from app.extensions import db
from app.models import Office, PreferentialRelation, TariffHeading
from app.reference.nomenclature import search_form


MAX_WORDS = 8


def offices():
    return db.session.scalars(select(Office).order_by(Office.name)).all()


def preferential_relations():
    """The preferential relations the filing form offers as a list (section 6)."""
    return db.session.scalars(select(PreferentialRelation).order_by(PreferentialRelation.rex_since,
                                                                    PreferentialRelation.code)).all()


def heading_labels(codes: list[str]) -> dict[str, str]:
    """The label of each heading and of its chapter, in the language of the page."""
    wanted = set(codes) | {c[:2] for c in codes}
    return {h.code: h.description
            for h in db.session.scalars(select(TariffHeading).where(TariffHeading.code.in_(wanted)))}


def search_headings(term: str, limit: int = 20):
    """Chapters and headings by code ('39', '3900' as the guide writes a whole chapter, '392') or by words of
    their French or English label, whatever the accents and the case ('valise', 'Plastiques')."""
    term = term.strip()
    query = select(TariffHeading)
    digits = term.replace(" ", "")
    if digits.isascii() and digits.isdigit():
        # '3900' is chapter 39 as a whole: offer the chapter and its headings.
        prefix = digits[:2] if len(digits) == 4 and digits.endswith("00") else digits
        query = query.where(TariffHeading.code.startswith(prefix, autoescape=True))
    else:
        # A few distinct words say what is wanted; a pasted paragraph must not become a thousand LIKEs.
        words = list(dict.fromkeys(search_form(term).split()))[:MAX_WORDS]
        if not words:
            return []
        # Each word starts a word of the code or labels: "vin" finds "vins" and "vinaigres", not "bovins".
        padded = literal(" ") + TariffHeading.search_text
        query = query.where(*(padded.contains(" " + w, autoescape=True) for w in words))
    return db.session.scalars(query.order_by(TariffHeading.code).limit(limit)).all()
