"""Certification of accounts ("habilitation", guide 3.2.3): who may act for which company.

    (a signed-up user) --request--> pending --approve (officer of the company's office)--> approved
                                            --refuse (with a reason)------------------------> refused

An approved request is a Certification: from then on the account files for the company (app/workflow/access.py).
A representative asks once per client; its requests are "on behalf".
"""
import re

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import (
    Certification, CertificationRequest, CertificationStatus, Company, HistoryEvent, Office, Role, User,
)
from app.models._time import utcnow
from app.notifications import queue_email
from app.workflow.access import company_label, office_scope
from app.workflow.errors import WorkflowError, WrongStatus
from app.workflow.kernel import optional_text, required_text, transition
from app.workflow.subjects import APPLICANT, CERTIFICATION_OFFICE, CERTIFICATION_REQUEST

C = CertificationStatus


def find_company(identifier: str | None) -> Company | None:
    """By EORI (FR…), SIRET (14 digits) or SIREN (9 digits), as people type them."""
    value = re.sub(r"[\s.\-]", "", identifier or "").upper()
    if not value:
        return None
    if value.isdigit():
        value = f"FR{value}"
    return db.session.scalar(select(Company).where(or_(Company.eori == value, Company.siret == value[2:]))
                             .order_by(Company.id).limit(1))


def _record(request: CertificationRequest, kind: str, actor: User, comment: str | None = None) -> None:
    db.session.add(HistoryEvent(certification_request_id=request.id, kind=kind, actor_id=actor.id,
                                office_id=request.office_id if actor.is_staff else None, comment=comment))


def _email(template: str, request: CertificationRequest, **extra) -> None:
    queue_email(template, request.user.email, request=request, company=request.company,
                base_url=current_app.config["PUBLIC_BASE_URL"], **extra)


@transition(CERTIFICATION_REQUEST, "request", source=None, target=C.PENDING, by=(APPLICANT,),
            label=_l("Demander mon habilitation"), events=("certification_requested",),
            refusal=_l("Seul un opérateur ou un représentant en douane peut demander une habilitation."),
            inputs={"identifier": required_text(_l("Saisissez le numéro EORI ou SIRET de l'opérateur.")),
                    "comment": optional_text()})
def request_certification(actor: User, identifier: str, office_id: int | None = None,
                          comment: str | None = None) -> CertificationRequest:
    """'Demander mon habilitation' for a company, decided by the office that knows it."""
    company = find_company(identifier)
    if company is None:
        raise WorkflowError(_l("Aucun opérateur connu de la douane ne détient ce numéro EORI ou SIRET. "
                               "S'il n'a pas encore de numéro EORI, déposez une demande de numéro EORI."),
                            field="identifier")
    if company.eori_invalidated_on is not None:
        raise WorkflowError(_l("Le numéro EORI de cet opérateur est invalidé."), field="identifier")
    if any(c.company_id == company.id for c in actor.certifications):
        raise WrongStatus(_l("Vous êtes déjà habilité pour %(name)s.", name=company.name), field="identifier")
    office_id = company.office_id or office_id
    if office_id is None or db.session.get(Office, office_id) is None:
        raise WorkflowError(_l("Choisissez le service auquel adresser votre demande."), field="office_id")
    pending = db.session.scalar(select(CertificationRequest.id).where(
        CertificationRequest.user_id == actor.id, CertificationRequest.company_id == company.id,
        CertificationRequest.status == C.PENDING))
    if pending:
        raise WrongStatus(_l("Une demande d'habilitation pour %(name)s est déjà en cours.",
                             name=company_label(actor, company)), field="identifier")
    own = actor.own_company
    request = CertificationRequest(
        user_id=actor.id, company_id=company.id, office_id=office_id, status=C.PENDING,
        on_behalf=actor.role == Role.REPRESENTATIVE and own is not None and own.id != company.id,
        comment=comment)
    db.session.add(request)
    db.session.flush()
    _record(request, "certification_requested", actor, request.comment)
    return request


def _decided(actor: User, request: CertificationRequest, status: CertificationStatus) -> None:
    request.status = status
    request.decided_at = utcnow()
    request.decided_by_id = actor.id


@transition(CERTIFICATION_REQUEST, "approve", source=(C.PENDING,), target=C.APPROVED, by=(CERTIFICATION_OFFICE,),
            label=_l("Accorder"), events=("certification_approved",), emails=("certification_approved",))
def approve(actor: User, request: CertificationRequest) -> Certification:
    _decided(actor, request, C.APPROVED)
    # An administrator may have certified the account meanwhile: the request is then simply granted.
    certification = db.session.scalar(select(Certification).where(
        Certification.user_id == request.user_id, Certification.company_id == request.company_id))
    if certification is None:
        certification = Certification(user_id=request.user_id, company_id=request.company_id,
                                      on_behalf=request.on_behalf)
        db.session.add(certification)
    _record(request, "certification_approved", actor)
    _email("certification_approved", request)
    return certification


@transition(CERTIFICATION_REQUEST, "refuse", source=(C.PENDING,), target=C.REFUSED, by=(CERTIFICATION_OFFICE,),
            label=_l("Refuser"), events=("certification_refused",), emails=("certification_refused",),
            inputs={"reason": required_text(_l("Le motif du refus est obligatoire."))})
def refuse(actor: User, request: CertificationRequest, reason: str) -> CertificationRequest:
    _decided(actor, request, C.REFUSED)
    request.refusal_reason = reason
    _record(request, "certification_refused", actor, reason)
    _email("certification_refused", request, reason=reason)
    return request


def pending_for(actor: User) -> list[CertificationRequest]:
    """The requests an officer or supervisor decides, oldest first (ix_certification_request_office_status)."""
    return list(db.session.scalars(select(CertificationRequest).where(
        CertificationRequest.office_id.in_(office_scope(actor)), CertificationRequest.status == C.PENDING)
        # selectin, not joined: a refresh reuses these options, and FOR UPDATE refuses outer joins (the lock).
        .options(selectinload(CertificationRequest.user), selectinload(CertificationRequest.company),
                 selectinload(CertificationRequest.office))
        .order_by(CertificationRequest.requested_at).limit(500)))


def requests_of(user: User) -> list[CertificationRequest]:
    return list(db.session.scalars(select(CertificationRequest).where(CertificationRequest.user_id == user.id)
                                   .order_by(CertificationRequest.requested_at.desc())))
