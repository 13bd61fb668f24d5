"""The operator's lists, always scoped to the account ("Mes demandes", "Mes autorisations"). What the page of
one file shows is read by app/queries/."""
from sqlalchemy import select
from sqlalchemy.orm import aliased, joinedload

from app.extensions import db
from app.models import (
    Application, ApplicationKind, ApplicationStatus, Certification, Company, Registration, RegistrationStatus,
)
from app.models.applications import PENDING_STATUSES
from app.workflow.access import operator_applications

S = ApplicationStatus
TABS = {
    "en-cours": PENDING_STATUSES,
    "brouillons": (S.DRAFT,),
    "rejetees": (S.REJECTED,),
}


def applications_in_tab(user, tab: str, status: str | None = None, search: str | None = None):
    statuses = TABS[tab]
    query = operator_applications(user, statuses)
    if status in {s.value for s in statuses}:
        query = query.where(Application.status == S(status))
    if search:
        query = query.where(Application.reference.ilike(f"%{search.strip()}%"))
    query = query.options(joinedload(Application.office)).order_by(Application.updated_at.desc())
    return db.session.scalars(query.limit(500)).all()


def registrations_of(user, status: str | None = None, holder: int | None = None, search: str | None = None):
    """'Mes autorisations': every version of every registration of the account's companies, as
    (registration, answer deadline of its pending modification request when that request is Incomplète)
    rows, in one query."""
    companies = select(Certification.company_id).where(Certification.user_id == user.id)
    incomplete = aliased(Application)
    query = (select(Registration, incomplete.answer_deadline)
             .outerjoin(incomplete, (incomplete.registration_id == Registration.id)
                        & (incomplete.kind == ApplicationKind.REX_MODIFICATION)
                        & (incomplete.status == S.INCOMPLETE))
             .where(Registration.company_id.in_(companies)))
    if status in {s.value for s in RegistrationStatus}:
        query = query.where(Registration.status == RegistrationStatus(status))
    if holder:
        query = query.where(Registration.company_id == holder)
    if search:
        query = query.where(Registration.number.ilike(f"%{search.strip()}%"))
    query = query.options(joinedload(Registration.office), joinedload(Registration.company))
    # Newest grant first; the versions of one number from the current one down to the first.
    query = query.order_by(Registration.registered_on.desc(), Registration.version_no.desc(), Registration.id.desc())
    return db.session.execute(query.limit(500)).all()


def holders_of(user):
    """The companies the account is certified for (the « Tous les titulaires » filter)."""
    return db.session.scalars(select(Company).join(Certification, Certification.company_id == Company.id)
                              .where(Certification.user_id == user.id).order_by(Company.name)).all()
