"""Officer actions on a file that do not decide it: take it, move it, correct it, file it on paper, resend what
the Commission's REX did not receive. Each is declared with the kernel like every transition."""
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app import background
from app.extensions import db
from app.models import (
    Application, ApplicationKind, ApplicationStatus, Company, Contact, GoodsLine, Office, RexTransmission, Role,
    User,
)
from app.models._time import utcnow
from app.models.applications import PENDING_STATUSES
from app.models.transmissions import REX_ERROR, REX_TO_SEND
from app.notifications import email_context, queue_email
from app.workflow import rules
from app.workflow.access import office_scope, officer_may_instruct, officer_may_read_company
from app.workflow.applications import apply_content, flush_pending, new_file, prefill_from_company
from app.workflow.content import CONTACT_FIELDS, ApplicationContent
from app.workflow.errors import Incomplete, NotAllowed, WorkflowError
from app.workflow.history import record, touch
from app.workflow.kernel import optional_text, required_text, transition, typed_text
from app.workflow.subjects import APPLICATION, OFFICE, OFFICER, TRANSMISSION, TRANSMISSION_OFFICE

S = ApplicationStatus
OPEN = PENDING_STATUSES
CONTENT_KINDS = (ApplicationKind.REX, ApplicationKind.REX_MODIFICATION)


def not_mine_already(actor: User, application: Application):
    """an officer cannot take a file already assigned to them"""
    if actor is not None and actor.role == Role.OFFICER and application.assigned_officer_id == actor.id:
        return _l("Ce dossier vous est déjà affecté.")
    return None


@transition(APPLICATION, "assign", source=OPEN, target=None, by=(OFFICE,), label=_l("Prendre en charge"),
            guard=not_mine_already, events=("assigned",))
def assign(actor: User, application: Application, officer: User) -> Application:
    """'Prendre en charge' (officer = actor) or assignment by a supervisor to an officer of the file's office."""
    if officer.role not in (Role.OFFICER, Role.SUPERVISOR) or not officer_may_instruct(officer, application):
        raise NotAllowed(_l("%(name)s n'appartient pas au service de ce dossier.", name=officer.full_name),
                         field="officer_id")
    previous = application.assigned_officer
    if previous is not None and previous.id == officer.id:
        raise WorkflowError(_l("Ce dossier vous est déjà affecté.") if officer.id == actor.id else
                            _l("Ce dossier est déjà affecté à %(name)s.", name=officer.full_name))
    application.assigned_officer_id = officer.id
    touch(application)
    record(application, "assigned", actor, comment=officer.full_name,
           changes=[{"field": "assigned_officer", "old": previous.full_name if previous else None,
                     "new": officer.full_name}])
    return application


@transition(APPLICATION, "reassign", source=OPEN, target=None, by=(OFFICE,),
            label=_l("Réaffecter à un autre service"), events=("reassigned",), emails=("reassigned",),
            inputs={"comment": required_text(_l("Indiquez le motif de la réaffectation."))})
def reassign(actor: User, application: Application, office: Office, comment: str) -> Application:
    """'Réaffecter à un autre service': the file moves to another office, unassigned; the operator is told."""
    if office.id == application.office_id:
        raise WorkflowError(_l("Le dossier est déjà affecté à ce service."), field="office_id")
    previous = application.office
    record(application, "reassigned", actor, comment=comment,
           changes=[{"field": "office", "old": str(previous) if previous else None, "new": str(office)}])
    application.office_id = office.id
    application.assigned_officer_id = None
    touch(application)
    db.session.flush()
    db.session.refresh(application, ["office"])
    queue_email("reassigned", application.exporter_email,
                **email_context(application, previous_office=previous, comment=comment))
    return application


def _corrected(row, values: dict, fields: tuple, label: str) -> list[dict]:
    changes = []
    for name in fields:
        if name not in values:
            continue
        new = values[name] or None
        old = getattr(row, name)
        if (old or None) != new:
            changes.append({"field": f"{label}[{row.position}].{name}", "old": old, "new": new})
            setattr(row, name, new if new is not None else ("" if name != "fax" else None))
    if not changes:
        raise WorkflowError(_l("Aucune donnée n'a été modifiée."))
    return changes


def _typed_values(values: dict, field_names) -> dict:
    return {name: typed_text(value, name) for name, value in values.items() if name in field_names}


@transition(APPLICATION, "correct", kinds=CONTENT_KINDS, source=OPEN, target=None, by=(OFFICE,),
            label=_l("Corriger"), events=("corrected_by_office",), inputs={"comment": optional_text()})
def correct(actor: User, application: Application, row: Contact | GoodsLine, values: dict,
            comment: str | None = None) -> Contact | GoodsLine:
    """An officer corrects a contact or a goods line of a file under review; the operator sees old and new
    values in the history."""
    if row.application_id != application.id:
        raise NotAllowed(_l("Cette demande ne relève pas de votre service."))
    if isinstance(row, Contact):
        values = _typed_values(values, CONTACT_FIELDS)
        required = [f for f in CONTACT_FIELDS if f != "fax" and f in values and not values[f]]
        if required:
            raise WorkflowError(rules.REQUIRED, field=required[0])
        changes = _corrected(row, values, CONTACT_FIELDS, "contacts")
    else:
        values = _typed_values(values, ("heading", "description"))
        goods = [{"heading": g.heading, "description": g.description} for g in application.goods_lines]
        index = application.goods_lines.index(row)
        goods[index] = {"heading": values.get("heading", row.heading),
                        "description": values.get("description", row.description)}
        errors = rules.goods_errors(goods)
        mine = {k.rsplit("-", 1)[-1]: v for k, v in errors.items() if k.startswith(f"goods-{index}-")}
        if mine:
            field, message = next(iter(mine.items()))
            raise WorkflowError(message, field=field)
        if "heading" in values:
            values["heading"] = rules.parse_heading(values["heading"])
        changes = _corrected(row, values, ("heading", "description"), "goods")
        row.chapter = row.heading[:2]
    touch(application)
    record(application, "corrected_by_office", actor, comment=comment, changes=changes)
    return row


def correct_contact(actor: User, contact: Contact, values: dict, comment: str | None = None,
                    expected_version: int | None = None) -> Contact:
    return correct(actor, contact.application, contact, values, comment, expected_version=expected_version)


def correct_goods_line(actor: User, line: GoodsLine, values: dict, comment: str | None = None,
                       expected_version: int | None = None) -> GoodsLine:
    return correct(actor, line.application, line, values, comment, expected_version=expected_version)


@transition(APPLICATION, "file_on_paper", kinds=(ApplicationKind.REX,), source=None, target=S.UNDER_REVIEW,
            by=(OFFICER,), label=_l("Déposer pour le compte d'un opérateur"), events=("filed_on_paper",),
            emails=("submitted",),
            refusal=_l("Seul un agent d'un service peut déposer une demande pour le compte d'un opérateur."),
            inputs={"comment": required_text(_l("Indiquez la référence du formulaire papier reçu."))})
def file_on_paper(actor: User, company: Company, content: ApplicationContent, comment: str) -> Application:
    """'Déposer pour le compte d'un opérateur': exceptional, from a paper form (annex 22-06 bis) signed by
    the operator. The file goes straight to 'En étude' in the officer's office, flagged in the history."""
    if actor.role == Role.OFFICER and not actor.office_id:
        raise NotAllowed(_l("Seul un agent d'un service peut déposer une demande pour le compte d'un opérateur."))
    if not officer_may_read_company(actor, company):
        raise NotAllowed(_l("Cet opérateur ne relève pas de votre service."), field="company_id")
    content.company_id = company.id
    content.office_id = content.office_id or actor.office_id
    if content.office_id not in office_scope(actor):
        raise NotAllowed(_l("Vous ne pouvez déposer une demande que pour votre service."), field="office_id")
    errors = rules.completeness_errors(content)
    if errors:
        raise Incomplete(_l("La demande ne peut pas être déposée : corrigez les champs signalés."), errors)
    application = Application(created_by_id=actor.id, status=S.DRAFT, filed_on_paper=True)
    prefill_from_company(application, company)
    new_file(application)
    apply_content(application, content, actor, check_certification=False)
    now = utcnow()
    application.status = S.UNDER_REVIEW
    application.submitted_at = now
    application.received_complete_at = now
    touch(application)
    flush_pending()
    record(application, "filed_on_paper", actor, comment=comment)
    db.session.refresh(application, ["office"])
    queue_email("submitted", application.exporter_email, **email_context(application))
    return application


def officers_of(application: Application) -> list[User]:
    """The officers to whom this file may be assigned."""
    return db.session.scalars(select(User).where(User.role == Role.OFFICER, User.office_id == application.office_id,
                                                 User.is_enabled.is_(True)).order_by(User.last_name)).all()


@transition(TRANSMISSION, "resend", source=(REX_ERROR,), target=REX_TO_SEND, by=(TRANSMISSION_OFFICE,),
            label=_l("Renvoyer"), events=("rex_transmission_resent",), effects=(background.REX_TRANSMISSIONS,))
def resend_transmission(actor: User, transmission: RexTransmission) -> RexTransmission:
    """'Renvoyer': an officer of the registration's office puts a failed transmission to the central REX
    back in the queue, to be sent at the next run."""
    registration = transmission.registration
    transmission.state = REX_TO_SEND
    transmission.next_attempt_at = utcnow()
    record(registration.application, "rex_transmission_resent", actor, registration=registration,
           office_id=registration.office_id)
    background.mark_due(background.REX_TRANSMISSIONS)
    return transmission
