"""Who may see which files: one scoped query per role, used by every screen."""
from sqlalchemy import or_, select

from app.models import Application, Certification, Role, User


def operator_applications(user: User):
    """The applications of the companies the account is certified for, and its own drafts."""
    companies = select(Certification.company_id).where(Certification.user_id == user.id)
    return select(Application).where(
        or_(Application.company_id.in_(companies),
            (Application.company_id.is_(None)) & (Application.created_by_id == user.id)))


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

