"""Read-side queries of the operator screens, always scoped to the account."""
from dataclasses import dataclass

from sqlalchemy import String, case, cast, false, func, literal, null, select, union_all
from sqlalchemy.orm import aliased, joinedload

from app.extensions import db
from app.models import (
    Application, ApplicationKind, ApplicationStatus, Certification, Company, DiscussionMessage, Document, HistoryEvent,
    Office, Registration, RegistrationStatus, TariffHeading,
)
from app.workflow.access import operator_applications

S = ApplicationStatus
TABS = {
    "en-cours": (S.UNDER_REVIEW, S.INCOMPLETE),
    "brouillons": (S.DRAFT,),
    "rejetees": (S.REJECTED,),
}
PAGE_SIZE = 50
# "Mes autorisations" lists registrations and granted EORI numbers: the statuses its filter offers.
REGISTRATION_STATUSES = ("granted", "modification_requested", "superseded", "revoked", "invalidated")


@dataclass
class Page:
    """One page of a list: its rows, its number (from 1) and the size of the whole list."""
    items: list
    number: int
    total: int
    size: int = PAGE_SIZE

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))


def _page(query, number: int, rows: bool = False) -> Page:
    """`number`-th page of `query` (an ordered select); a number out of range gives the nearest page."""
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    number = min(max(number, 1), max(1, -(-total // PAGE_SIZE)))
    paged = query.limit(PAGE_SIZE).offset((number - 1) * PAGE_SIZE)
    return Page(db.session.execute(paged).all() if rows else db.session.scalars(paged).all(), number, total,
                PAGE_SIZE)


def tab_of(application: Application) -> str | None:
    """The home tab that lists the file, which its page highlights in the menu: granted files are under
    « Mes autorisations » (a REX file through its registration, an EORI file itself)."""
    if application.status == S.GRANTED:
        return "autorisations"
    return next((tab for tab, statuses in TABS.items() if application.status in statuses), None)


def applications_in_tab(user, tab: str, status: str | None = None, search: str | None = None,
                        page: int = 1) -> Page:
    statuses = TABS[tab]
    query = operator_applications(user, statuses)
    if status in {s.value for s in statuses}:
        query = query.where(Application.status == S(status))
    if search:
        query = query.where(Application.reference.ilike(f"%{search.strip()}%"))
    query = query.options(joinedload(Application.office)).order_by(Application.updated_at.desc(),
                                                                    Application.id.desc())
    return _page(query, page)


def registrations_of(user, status: str | None = None, holder: int | None = None, search: str | None = None,
                     page: int = 1) -> Page:
    """'Mes autorisations': every version of every REX registration of the account's companies, and the EORI
    numbers granted on its applications, newest first, one page at a time. A row has the kind (REX, EORI), the
    id (of the registration, or of the EORI application), number, holder, office, grant date, last update,
    status, and the answer deadline of a pending modification request when that request is Incomplète."""
    companies = select(Certification.company_id).where(Certification.user_id == user.id)
    incomplete = aliased(Application)
    rex = (select(literal("REX").label("kind"), Registration.id.label("id"), Registration.number.label("number"),
                  Company.name.label("holder"), Office.name.label("office"),
                  Registration.registered_on.label("granted_on"), Registration.updated_at.label("updated_at"),
                  cast(Registration.status, String).label("status"), incomplete.answer_deadline.label("deadline"),
                  Registration.version_no.label("version_no"))
           .join(Company, Company.id == Registration.company_id)
           .join(Office, Office.id == Registration.office_id)
           .outerjoin(incomplete, (incomplete.registration_id == Registration.id)
                      & (incomplete.kind == ApplicationKind.REX_MODIFICATION)
                      & (incomplete.status == S.INCOMPLETE))
           .where(Registration.company_id.in_(companies)))
    granted_eori = (operator_applications(user, (S.GRANTED,)).with_only_columns(Application.id)
                    .where(Application.kind == ApplicationKind.EORI))
    eori_status = case((Company.eori_invalidated_on.is_not(None), "invalidated"), else_="granted")
    eori = (select(literal("EORI"), Application.id, Company.eori, Company.name, Office.name,
                   Company.eori_granted_on, Application.updated_at, eori_status, null(), literal(1))
            .join(Company, Company.id == Application.company_id)
            .join(Office, Office.id == Application.office_id)
            .where(Application.id.in_(granted_eori)))
    if status in REGISTRATION_STATUSES:
        known = {s.value for s in RegistrationStatus}
        rex = rex.where(Registration.status == RegistrationStatus(status) if status in known else false())
        eori = eori.where(eori_status == status)
    if holder:
        rex = rex.where(Registration.company_id == holder)
        eori = eori.where(Application.company_id == holder)
    if search:
        rex = rex.where(Registration.number.ilike(f"%{search.strip()}%"))
        eori = eori.where(Company.eori.ilike(f"%{search.strip()}%"))
    rows = union_all(rex, eori).subquery()
    # Newest grant first; the versions of one number from the current one down to the first.
    query = select(rows).order_by(rows.c.granted_on.desc(), rows.c.version_no.desc(), rows.c.kind.desc(),
                                  rows.c.id.desc())
    return _page(query, page, rows=True)


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
