"""Read-side queries of the operator screens, always scoped to the account."""
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.models import (
    Application, ApplicationStatus, Certification, DiscussionMessage, Document, HistoryEvent, Office,
    Registration, TariffHeading,
)
from app.workflow.access import operator_applications

S = ApplicationStatus
TABS = {
    "en-cours": (S.UNDER_REVIEW, S.INCOMPLETE),
    "brouillons": (S.DRAFT,),
    "rejetees": (S.REJECTED,),
}


def applications_in_tab(user, tab: str, status: str | None = None, search: str | None = None):
    statuses = TABS[tab]
    query = operator_applications(user).where(Application.status.in_(statuses))
    if status in {s.value for s in statuses}:
        query = query.where(Application.status == S(status))
    if search:
        query = query.where(Application.reference.ilike(f"%{search.strip()}%"))
    query = query.options(joinedload(Application.office)).order_by(Application.updated_at.desc())
    return db.session.scalars(query.limit(500)).all()


def registrations_of(user, status: str | None = None, holder: int | None = None, search: str | None = None):
    companies = select(Certification.company_id).where(Certification.user_id == user.id)
    query = select(Registration).where(Registration.company_id.in_(companies))
    if status:
        query = query.where(Registration.status == status)
    if holder:
        query = query.where(Registration.company_id == holder)
    if search:
        query = query.where(Registration.number.ilike(f"%{search.strip()}%"))
    query = query.options(joinedload(Registration.office), joinedload(Registration.company))
    return db.session.scalars(query.order_by(Registration.updated_at.desc()).limit(500)).all()


def history_of(application_id: int):
    return db.session.scalars(select(HistoryEvent).where(HistoryEvent.application_id == application_id)
                              .options(joinedload(HistoryEvent.actor), joinedload(HistoryEvent.office))
                              .order_by(HistoryEvent.at.desc(), HistoryEvent.id.desc())).all()


def thread_of(application_id: int):
    return db.session.scalars(select(DiscussionMessage).where(DiscussionMessage.application_id == application_id)
                              .options(joinedload(DiscussionMessage.author))
                              .order_by(DiscussionMessage.at, DiscussionMessage.id)).all()


def documents_of(application_id: int):
    return db.session.scalars(select(Document).where(Document.application_id == application_id)
                              .options(joinedload(Document.uploaded_by)).order_by(Document.uploaded_at)).all()


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


def registration_of_application(application_id: int):
    return db.session.scalar(select(Registration).where(Registration.application_id == application_id))
