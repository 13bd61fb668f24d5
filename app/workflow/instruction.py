"""Officer actions on a file that do not decide it: take it, move it, correct it, file it on paper.

Like the transitions of applications.py, each is one transaction with its history event.
"""
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.extensions import db
from app.models import (
    Application, ApplicationStatus, Company, Contact, GoodsLine, Office, Registration, RexTransmission, Role, User,
)
from app.workflow import rules
from app.workflow.access import officer_may_instruct, officer_may_read_company
from app.workflow.applications import (
    _commit, atomic, _email_context, _fail, _flush_pending, _lock, _non_empty, _require_officer, _require_status,
    _touch, _typed_text, prefill_from_company, record, reference_for,
)
from app.workflow.content import CONTACT_FIELDS, ApplicationContent
from app.workflow.errors import NotAllowed, WorkflowError
from app.models._time import utcnow
from app.notifications import queue_email

S = ApplicationStatus
OPEN = (S.UNDER_REVIEW, S.INCOMPLETE)


@atomic
def assign(actor: User, application: Application, officer: User,
           expected_version: int | None = None) -> Application:
    """'Prendre en charge' (officer = actor) or assignment by a supervisor to an officer of the file's office."""
    try:
        _require_officer(actor, application)
        _lock(application, expected_version)
        _require_status(application, *OPEN)
        if officer.role not in (Role.OFFICER, Role.SUPERVISOR) or not officer_may_instruct(officer, application):
            raise NotAllowed(_l("%(name)s n'appartient pas au service de ce dossier.", name=officer.full_name),
                             field="officer_id")
        previous = application.assigned_officer
        if previous is not None and previous.id == officer.id:
            raise WorkflowError(_l("Ce dossier vous est déjà affecté.") if officer.id == actor.id else
                                _l("Ce dossier est déjà affecté à %(name)s.", name=officer.full_name))
        application.assigned_officer_id = officer.id
        _touch(application)
        record(application, "assigned", actor, comment=officer.full_name,
               changes=[{"field": "assigned_officer", "old": previous.full_name if previous else None,
                         "new": officer.full_name}])
    except WorkflowError as exc:
        _fail(exc)
    _commit()
    return application


@atomic
def reassign(actor: User, application: Application, office: Office, comment: str,
             expected_version: int | None = None) -> Application:
    """'Réaffecter à un autre service': the file moves to another office, unassigned; the operator is told."""
    try:
        comment = _non_empty(comment, "comment", _l("Indiquez le motif de la réaffectation."))
        _require_officer(actor, application)
        _lock(application, expected_version)
        _require_status(application, *OPEN)
        if office.id == application.office_id:
            raise WorkflowError(_l("Le dossier est déjà affecté à ce service."), field="office_id")
        previous = application.office
        record(application, "reassigned", actor, comment=comment,
               changes=[{"field": "office", "old": str(previous) if previous else None, "new": str(office)}])
        application.office_id = office.id
        application.assigned_officer_id = None
        _touch(application)
        db.session.flush()
        db.session.refresh(application, ["office"])
        queue_email("reassigned", application.exporter_email,
                    **_email_context(application, previous_office=previous, comment=comment))
    except WorkflowError as exc:
        _fail(exc)
    _commit()
    return application


def _correct(actor: User, application: Application, row, values: dict, fields: tuple, label: str,
             expected_version: int | None):
    _require_officer(actor, application)
    _lock(application, expected_version)
    _require_status(application, *OPEN)
    changes = []
    for name in fields:
        if name not in values:
            continue
        new = (values[name] or "").strip() or None
        old = getattr(row, name)
        if (old or None) != new:
            changes.append({"field": f"{label}[{row.position}].{name}", "old": old, "new": new})
            setattr(row, name, new if new is not None else ("" if name != "fax" else None))
    if not changes:
        raise WorkflowError(_l("Aucune donnée n'a été modifiée."))
    return changes


def _typed_values(values: dict, comment: str | None) -> tuple[dict, str | None]:
    """A correction's fields and its optional comment as typed, stripped, each checked for a NUL."""
    return {name: _typed_text(value, name) for name, value in values.items()}, \
        _typed_text(comment, "comment") or None


@atomic
def correct_contact(actor: User, contact: Contact, values: dict, comment: str | None = None,
                    expected_version: int | None = None) -> Contact:
    """An officer corrects a contact of a file under review; the operator sees old and new values."""
    application = contact.application
    try:
        values, comment = _typed_values(values, comment)
        required = [f for f in CONTACT_FIELDS if f != "fax" and f in values and not values[f]]
        if required:
            raise WorkflowError(rules.REQUIRED, field=required[0])
        changes = _correct(actor, application, contact, values, CONTACT_FIELDS, "contacts", expected_version)
        _touch(application)
        record(application, "corrected_by_office", actor, comment=comment, changes=changes)
    except WorkflowError as exc:
        _fail(exc)
    _commit()
    return contact


@atomic
def correct_goods_line(actor: User, line: GoodsLine, values: dict, comment: str | None = None,
                       expected_version: int | None = None) -> GoodsLine:
    application = line.application
    try:
        values, comment = _typed_values(values, comment)
        goods = [{"heading": g.heading, "description": g.description} for g in application.goods_lines]
        index = application.goods_lines.index(line)
        goods[index] = {"heading": values.get("heading", line.heading),
                        "description": values.get("description", line.description)}
        errors = rules.goods_errors(goods)
        mine = {k.rsplit("-", 1)[-1]: v for k, v in errors.items() if k.startswith(f"goods-{index}-")}
        if mine:
            field, message = next(iter(mine.items()))
            raise WorkflowError(message, field=field)
        if "heading" in values:
            values = {**values, "heading": rules.parse_heading(values["heading"])}
        changes = _correct(actor, application, line, values, ("heading", "description"), "goods", expected_version)
        line.chapter = line.heading[:2]
        _touch(application)
        record(application, "corrected_by_office", actor, comment=comment, changes=changes)
    except WorkflowError as exc:
        _fail(exc)
    _commit()
    return line


@atomic
def file_on_paper(actor: User, company: Company, content: ApplicationContent, comment: str) -> Application:
    """'Déposer pour le compte d'un opérateur': exceptional, from a paper form (annex 22-06 bis) signed by
    the operator. The file goes straight to 'En étude' in the officer's office, flagged in the history."""
    from app.workflow.applications import _apply_content

    try:
        comment = _non_empty(comment, "comment", _l("Indiquez la référence du formulaire papier reçu."))
        if actor.role not in (Role.OFFICER, Role.SUPERVISOR) or (actor.role == Role.OFFICER and not actor.office_id):
            raise NotAllowed(_l("Seul un agent d'un service peut déposer une demande pour le compte d'un opérateur."))
        if not officer_may_read_company(actor, company):
            raise NotAllowed(_l("Cet opérateur ne relève pas de votre service."), field="company_id")
        content.company_id = company.id
        content.office_id = content.office_id or actor.office_id
        scope = [actor.office_id] if actor.role == Role.OFFICER else [o.id for o in actor.supervised_offices]
        if content.office_id not in scope:
            raise NotAllowed(_l("Vous ne pouvez déposer une demande que pour votre service."), field="office_id")
        errors = rules.completeness_errors(content)
        if errors:
            from app.workflow.errors import Incomplete
            raise Incomplete(_l("La demande ne peut pas être déposée : corrigez les champs signalés."), errors)
        application = Application(created_by_id=actor.id, status=S.DRAFT, filed_on_paper=True)
        prefill_from_company(application, company)
        db.session.add(application)
        db.session.flush()
        application.reference = reference_for(application)
        _apply_content(application, content, actor, check_certification=False)
        now = utcnow()
        application.status = S.UNDER_REVIEW
        application.submitted_at = now
        application.received_complete_at = now
        _touch(application)
        _flush_pending()
        record(application, "filed_on_paper", actor, comment=comment)
        db.session.refresh(application, ["office"])
        queue_email("submitted", application.exporter_email, **_email_context(application))
    except WorkflowError as exc:
        _fail(exc)
    _commit()
    return application


def officers_of(application: Application) -> list[User]:
    """The officers to whom this file may be assigned."""
    return db.session.scalars(select(User).where(User.role == Role.OFFICER, User.office_id == application.office_id,
                                                 User.is_enabled.is_(True)).order_by(User.last_name)).all()


@atomic
def resend_transmission(actor: User, transmission: RexTransmission) -> RexTransmission:
    """'Renvoyer': an officer of the registration's office puts a failed transmission to the central REX
    back in the queue, to be sent at the next run (jobs/rex.py)."""
    from app.models.transmissions import REX_ERROR, REX_TO_SEND

    registration = db.session.get(Registration, transmission.registration_id)
    application = registration.application
    try:
        from app.workflow.access import office_scope
        if actor.role not in (Role.OFFICER, Role.SUPERVISOR) or registration.office_id not in office_scope(actor):
            raise NotAllowed(_l("Cette demande ne relève pas de votre service."))
        db.session.refresh(transmission, with_for_update=True)
        if transmission.state != REX_ERROR:
            raise WorkflowError(_l("Seule une transmission en erreur peut être renvoyée."))
        transmission.state = REX_TO_SEND
        transmission.next_attempt_at = utcnow()
        record(application, "rex_transmission_resent", actor, registration=registration,
               office_id=registration.office_id)
    except WorkflowError as exc:
        _fail(exc)
    _commit()
    from jobs import enqueue_rex_transmissions
    enqueue_rex_transmissions()
    return transmission
