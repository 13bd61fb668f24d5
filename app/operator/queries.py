"""The operator's lists, always scoped to the account ("Mes demandes", "Mes autorisations"), a page at a time.
What the page of one file shows is read by app/queries/."""
from dataclasses import dataclass

from sqlalchemy import String, case, cast, false, func, literal, null, select, union_all
from sqlalchemy.orm import aliased, joinedload

from app.extensions import db
from app.models import (
    Application, ApplicationKind, ApplicationStatus, Certification, Company, Office, Registration, RegistrationStatus,
)
from app.models.applications import PENDING_STATUSES
from app.workflow.access import operator_applications

S = ApplicationStatus
TABS = {
    "en-cours": PENDING_STATUSES,
    "brouillons": (S.DRAFT,),
    "rejetees": (S.REJECTED,),
}
PAGE_SIZE = 50
MAX_PAGE = 10 ** 9  # beyond any list; keeps the OFFSET of a page typed in the URL within a 64-bit integer
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


def _page(query, number: int) -> Page:
    """`number`-th page of the rows of `query` (an ordered select); a number out of range gives the nearest page.

    The rows and the size of the whole list come from one statement (count(*) OVER ()): the account's scope,
    the costly part, is read once. Only a page past the end needs the count alone, to show the last page.
    Keep the selected columns narrow: the window holds every row of the list."""
    number = min(max(number, 1), MAX_PAGE)

    def fetch(number):
        counted = query.add_columns(func.count().over().label("list_total"))
        return db.session.execute(counted.limit(PAGE_SIZE).offset((number - 1) * PAGE_SIZE)).all()

    rows = fetch(number)
    if rows:
        total = rows[0].list_total
    else:
        total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
        if total and number > 1:
            number = -(-total // PAGE_SIZE)
            rows = fetch(number)
        else:
            number = 1
    return Page(rows, number, total, PAGE_SIZE)


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
    # The page's ids first (the window of the count holds only them), then those files.
    found = _page(query.with_only_columns(Application.id).order_by(Application.updated_at.desc(),
                                                                    Application.id.desc()), page)
    ids = [row.id for row in found.items]
    files = {a.id: a for a in db.session.scalars(select(Application).where(Application.id.in_(ids))
                                                 .options(joinedload(Application.office)))}
    found.items = [files[i] for i in ids]
    return found


def registrations_of(user, status: str | None = None, holder: int | None = None, search: str | None = None,
                     page: int = 1) -> Page:
    """'Mes autorisations': every version of every REX registration of the account's companies, and the EORI
    numbers they were granted here, newest first, one page at a time. A row has the kind (REX, EORI), the
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
    # A granted EORI file created its company (eori_granted_on) and certified its applicant: starting from the
    # few such companies is far cheaper than from every granted file of thousands of clients (bench/operator_lists.py).
    eori_status = case((Company.eori_invalidated_on.is_not(None), "invalidated"), else_="granted")
    eori = (select(literal("EORI"), Application.id, Company.eori, Company.name, Office.name,
                   Company.eori_granted_on, Application.updated_at, eori_status, null(), literal(1))
            .select_from(Company)
            .join(Application, (Application.company_id == Company.id) & (Application.kind == ApplicationKind.EORI)
                  & (Application.status == S.GRANTED))
            .join(Office, Office.id == Application.office_id)
            .where(Company.id.in_(companies), Company.eori_granted_on.is_not(None)))
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
    return _page(query, page)


def holders_of(user):
    """The companies the account is certified for (the « Tous les titulaires » filter)."""
    return db.session.scalars(select(Company).join(Certification, Certification.company_id == Company.id)
                              .where(Certification.user_id == user.id).order_by(Company.name)).all()
