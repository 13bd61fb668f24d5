"""Reference data as the pages read it: offices, tariff headings and their labels."""
from sqlalchemy import select

from app.extensions import db
from app.models import Office, TariffHeading


def offices():
    return db.session.scalars(select(Office).order_by(Office.name)).all()


def heading_labels(codes: list[str]) -> dict[str, str]:
    wanted = set(codes) | {c[:2] for c in codes}
    return dict(db.session.execute(select(TariffHeading.code, TariffHeading.description)
                                   .where(TariffHeading.code.in_(wanted))).all())


def search_headings(term: str, limit: int = 20):
    term = term.strip()
    query = select(TariffHeading)
    if term.isdigit():
        query = query.where(TariffHeading.code.startswith(term))
    else:
        query = query.where(TariffHeading.description.ilike(f"%{term}%"))
    return db.session.scalars(query.order_by(TariffHeading.code).limit(limit)).all()
