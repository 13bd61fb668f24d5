"""Who may see which files: one scoped query per role, used by every screen."""
from sqlalchemy import select, union_all
from sqlalchemy.orm import aliased

from app.models import Application, ApplicationStatus, Certification, Company, Registration, Role, User


def operator_applications(user: User, statuses=None):
    """The applications of the companies the account is certified for, and its own files without a company
    (drafts, EORI applications), in `statuses` when given.

    Two index scans joined by UNION ALL: written as one OR, PostgreSQL walks the whole table in updated_at
    order (105 ms at 100,000 files against 0.3 ms, bench/load)."""
    companies = select(Certification.company_id).where(Certification.user_id == user.id)
    certified, own = aliased(Application), aliased(Application)
    of_companies = select(certified.id).where(certified.company_id.in_(companies))
    without_company = select(own.id).where(own.company_id.is_(None), own.created_by_id == user.id)
    if statuses is not None:
        of_companies = of_companies.where(certified.status.in_(statuses))
        without_company = without_company.where(own.status.in_(statuses))
    return select(Application).where(Application.id.in_(union_all(of_companies, without_company)))


def operator_may_access(user: User, application: Application) -> bool:
    if user.role not in (Role.OPERATOR, Role.REPRESENTATIVE):
        return False
    if application.company_id is None:
        return application.created_by_id == user.id
    return any(c.company_id == application.company_id for c in user.certifications)


def officer_may_instruct(user: User, application: Application) -> bool:
    if user.role == Role.OFFICER:
        return user.office_id is not None and application.office_id == user.office_id
    if user.role == Role.SUPERVISOR:
        return any(o.id == application.office_id for o in user.supervised_offices)
    return False


def office_scope(user: User) -> list[int]:
    """The offices whose files the account instructs: its own office, or those it supervises."""
    if user.role == Role.OFFICER:
        return [user.office_id] if user.office_id else []
    if user.role == Role.SUPERVISOR:
        return [o.id for o in user.supervised_offices]
    return []


def officer_files(user: User, statuses=()):
    """The filter of the files an instructor sees (queues, batch page, search): those filed with the offices of
    its scope, in `statuses` when given; otherwise every filed one (a draft, even abandoned, never reached the
    office). Returns a list of SQL conditions, for Query.filter(*...) or select().where(*...)."""
    conditions = [Application.office_id.in_(office_scope(user))]
    if statuses:
        return [*conditions, Application.status.in_(statuses)]
    return [*conditions, Application.status != ApplicationStatus.DRAFT, Application.submitted_at.is_not(None)]


def officer_registrations(user: User, statuses=()):
    """The filter of the registrations (every version) of the offices in the instructor's scope."""
    conditions = [Registration.office_id.in_(office_scope(user))]
    return [*conditions, Registration.status.in_(statuses)] if statuses else conditions


def operator_registrations(user: User):
    """The filter of the registrations of the companies the account is certified for."""
    return [Registration.company_id.in_(select(Certification.company_id).where(Certification.user_id == user.id))]


def officer_may_read_company(user: User, company: Company) -> bool:
    """A company's page, and whatever shows its details (the paper filing form): the instructors of the office
    that granted its number. A company known before this service (no office) is readable by every officer."""
    return company.office_id is None or company.office_id in office_scope(user)


def may_see_company_name(user: User | None, company: Company) -> bool:
    """Whether a text shown or sent to `user` may name the company: it consented to publication (the public
    register shows its name), the account acts for it, or the account instructs its files."""
    if company.eori_publication_consent:
        return True
    if user is None:
        return False
    if user.role == Role.ADMIN:
        return True
    if user.role in (Role.OFFICER, Role.SUPERVISOR):
        return officer_may_read_company(user, company)
    return any(c.company_id == company.id for c in user.certifications)


def company_label(user: User | None, company: Company) -> str:
    """A company as a text names it to `user`: its name and EORI number, or only the number (which the
    person typed) when it may not learn the name."""
    return f"{company.name} ({company.eori})" if may_see_company_name(user, company) else company.eori
