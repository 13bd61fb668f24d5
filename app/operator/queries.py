"""Read-side queries of the operator screens, always scoped to the account."""
from sqlalchemy import literal, select
from sqlalchemy.orm import aliased, joinedload

from app.extensions import db
from app.models import (
    Application, ApplicationKind, ApplicationStatus, Certification, Company, DiscussionMessage, Document, HistoryEvent,
    Office, Registration, RegistrationStatus, TariffHeading,
)
from app.reference.nomenclature import search_form
from app.workflow.access import operator_applications

S = ApplicationStatus
TABS = {
    "en-cours": (S.UNDER_REVIEW, S.INCOMPLETE),
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


def history_of(application_id: int):
    return db.session.scalars(select(HistoryEvent).where(HistoryEvent.application_id == application_id)
                              .options(joinedload(HistoryEvent.actor), joinedload(HistoryEvent.office))
                              .order_by(HistoryEvent.at.desc(), HistoryEvent.id.desc())).all()


def thread_of(application_id: int):
    return db.session.scalars(select(DiscussionMessage).where(DiscussionMessage.application_id == application_id)
                              .options(joinedload(DiscussionMessage.author))
                              .order_by(DiscussionMessage.at, DiscussionMessage.id)).all()


def registration_history(registration_id: int):
    """'Historique de l'autorisation': the events recorded on this version."""
    return db.session.scalars(select(HistoryEvent).where(HistoryEvent.registration_id == registration_id)
                              .options(joinedload(HistoryEvent.actor), joinedload(HistoryEvent.office))
                              .order_by(HistoryEvent.at.desc(), HistoryEvent.id.desc())).all()


def registration_thread(registration_id: int):
    return db.session.scalars(select(DiscussionMessage).where(DiscussionMessage.registration_id == registration_id)
                              .options(joinedload(DiscussionMessage.author))
                              .order_by(DiscussionMessage.at, DiscussionMessage.id)).all()


def documents_of(application_id: int):
    return db.session.scalars(select(Document).where(Document.application_id == application_id)
                              .options(joinedload(Document.uploaded_by)).order_by(Document.uploaded_at)).all()


def offices():
    return db.session.scalars(select(Office).order_by(Office.name)).all()


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
        words = search_form(term).split()
        if not words:
            return []
        # Each word starts a word of the code or labels: "vin" finds "vins" and "vinaigres", not "bovins".
        padded = literal(" ") + TariffHeading.search_text
        query = query.where(*(padded.contains(" " + w, autoescape=True) for w in words))
    return db.session.scalars(query.order_by(TariffHeading.code).limit(limit)).all()


def registration_of_application(application_id: int):
    return db.session.scalar(select(Registration).where(Registration.application_id == application_id))
