"""The register's look-ups: one SQL statement each, whatever the answer."""
from sqlalchemy import case, select
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.models import Application, Company, Registration, RegistrationStatus
from app.models.registrations import ACTIVE_REGISTRATION_STATUSES


def registration_for(number: str) -> Registration | None:
    """The live version of the registration with this number, else its latest revocation.

    Superseded versions never answer: they share the number with the live one but are not what is
    registered now.
    """
    live_first = case((Registration.status.in_(ACTIVE_REGISTRATION_STATUSES), 0), else_=1)
    query = (
        select(Registration)
        .where(Registration.number == number,
               Registration.status.in_((*ACTIVE_REGISTRATION_STATUSES, RegistrationStatus.REVOKED)))
        .options(joinedload(Registration.application).options(
            joinedload(Application.publication_consent), joinedload(Application.goods_lines)))
        .order_by(live_first, Registration.revoked_on.desc().nulls_last(), Registration.id.desc())
        .limit(1)
    )
    return db.session.scalars(query).unique().first()


def company_for_eori(eori: str) -> Company | None:
    return db.session.scalar(select(Company).where(Company.eori == eori))
