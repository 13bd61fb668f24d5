"""The application (demande): its transitions shared by every kind, and those of a REX application.

    draft --submit--> under_review --request_information--> incomplete --complete--> under_review
    under_review --grant--> granted (a Registration is created)
    under_review | incomplete --reject--> rejected
    incomplete --(30 days, app/workflow/deadlines.py)--> rejected
    draft --abandon_draft--> abandoned;  under_review | incomplete --abandon--> abandoned
    rejected | (representative: any) --duplicate--> a new draft

A modification request (app/workflow/registrations.py) and an EORI application (app/workflow/eori.py) declare
their own submit, grant and reject, and register the steps where they differ (validation, closing).
Every transition is declared with app/workflow/kernel.py: one transaction each, the row locked and its version
checked first, its history event and emails committed with the status or not at all.
"""
from dataclasses import asdict
from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from app import background
from app.extensions import db
from app.models import (
    Application, ApplicationKind, ApplicationRelation, ApplicationStatus, Company, Contact, DiscussionMessage, Document,
    GoodsLine, PublicationConsent, Registration, RegistrationStatus, RevocationGround, Role, Undertaking, User,
)
from app.models._time import utcnow
from app.models.applications import EDITABLE_STATUSES, PENDING_STATUSES
from app.notifications import email_context, queue_email
from app.workflow import eori_rules, kernel, rules
from app.workflow.content import (
    EXPORTER_FIELDS, REPRESENTATIVE_FIELDS, CONTACT_FIELDS, ApplicationContent, changes_between, content_of,
)
from app.workflow.clock import end_clock
from app.workflow.errors import Incomplete, NotAllowed, WorkflowError
from app.workflow.history import post, record, touch
from app.workflow.kernel import optional_text, required_text, transition
from app.workflow.subjects import APPLICANT, APPLICATION, HOLDER, OFFICE

S = ApplicationStatus
REX, MODIFICATION, EORI = ApplicationKind.REX, ApplicationKind.REX_MODIFICATION, ApplicationKind.EORI
OPERATOR_ROLES = (Role.OPERATOR, Role.REPRESENTATIVE)
EDITABLE = EDITABLE_STATUSES
OPEN = PENDING_STATUSES
THREAD_OPEN = (S.UNDER_REVIEW, S.INCOMPLETE, S.REJECTED, S.GRANTED)


# --- content ------------------------------------------------------------------------------------

# The exporter's address as the company record holds it; the form shows it read-only (app/application_form.py).
COMPANY_ADDRESS_FIELDS = ("address", "postcode", "city", "country")


def apply_content(application: Application, content: ApplicationContent, actor: User,
                  check_certification: bool = True) -> None:
    """Write a form's content to the file (sections 1 to 8)."""
    resolved, unknown = rules.resolve_relations(content.relations)
    if unknown:  # only known relations can be stored: refuse rather than silently drop what was typed
        raise WorkflowError(rules.relation_errors(content.relations)["relations"], field="relations")
    application.office_id = content.office_id
    company = db.session.get(Company, content.company_id) if content.company_id else None
    if check_certification and company is not None and not any(
            c.company_id == company.id for c in actor.certifications):
        raise NotAllowed(_l("Vous n'êtes pas habilité à déposer une demande pour cet opérateur."),
                         field="company_id")
    application.company_id = company.id if company else None
    for name in EXPORTER_FIELDS:
        setattr(application, f"exporter_{name}", (content.exporter.get(name) or "").strip() or None)
    if company is not None:  # identity comes from the company record; only contact data is typed
        for name in ("eori", "name"):
            setattr(application, f"exporter_{name}", getattr(company, name))
        # The address too, when the company record has it: only the PAE changes it (guide, FAQ).
        for name in COMPANY_ADDRESS_FIELDS:
            if getattr(company, name):
                setattr(application, f"exporter_{name}", getattr(company, name))
    application.main_activity = content.main_activity or None
    for name in REPRESENTATIVE_FIELDS:
        setattr(application, f"representative_{name}", (content.representative.get(name) or "").strip() or None)

    application.contacts = [
        Contact(position=i, **{f: (c.get(f) or "").strip() or (None if f == "fax" else "") for f in CONTACT_FIELDS})
        for i, c in enumerate(content.contacts[:rules.MAX_CONTACTS], 1)]
    application.goods_lines = [
        GoodsLine(position=i, heading=rules.parse_heading(g.get("heading")) or (g.get("heading") or "")[:4],
                  chapter=(rules.parse_heading(g.get("heading")) or "")[:2],
                  description=(g.get("description") or "").strip())
        for i, g in enumerate(content.goods[:rules.MAX_GOODS_LINES], 1)]
    unique = list(dict.fromkeys(resolved))
    # Keep the rows of codes already there: a flush inserts before it deletes orphans, so a new row
    # with the same code would break uq_application_relation_code on every re-save.
    existing = {r.code: r for r in application.relations}
    relations = []
    for i, (code, relation) in enumerate(unique, 1):
        row = existing.pop(code, None) or ApplicationRelation(code=code)
        row.position, row.relation_code = i, relation
        relations.append(row)
    application.relations = relations
    und = application.undertaking or Undertaking()
    und.accepted = bool(content.undertaking.get("accepted"))
    for name in ("signatory_name", "signatory_function", "place"):
        setattr(und, name, (content.undertaking.get(name) or "").strip() or None)
    application.undertaking = und
    pc = application.publication_consent or PublicationConsent()
    pc.consent = content.consent.get("consent")
    for name in ("signatory_name", "signatory_function", "place"):
        setattr(pc, name, (content.consent.get(name) or "").strip() or None)
    application.publication_consent = pc


def _delete_content(application: Application) -> None:
    """Abandon: the typed content goes, the tombstone (reference, dates) and the history stay."""
    application.contacts = []
    application.goods_lines = []
    application.relations = []
    application.undertaking = None
    application.publication_consent = None
    if application.kind == EORI:
        application.eori_request = None
    db.session.execute(delete(Document).where(Document.application_id == application.id))
    for prefix, names in (("exporter", EXPORTER_FIELDS), ("representative", REPRESENTATIVE_FIELDS)):
        for name in names:
            if (prefix, name) not in (("exporter", "eori"), ("exporter", "name")):
                setattr(application, f"{prefix}_{name}", None)
    application.main_activity = None


def prefill_from_company(application: Application, company: Company) -> None:
    application.company_id = company.id
    for name in EXPORTER_FIELDS:
        setattr(application, f"exporter_{name}", getattr(company, name))


def _prefill_representative(application: Application, actor: User) -> None:
    own = actor.own_company
    if actor.role == Role.REPRESENTATIVE and own is not None:
        for name in REPRESENTATIVE_FIELDS:
            setattr(application, f"representative_{name}", getattr(own, name))


REFERENCE_PREFIXES = {REX: "REX", MODIFICATION: "REXMOD", EORI: "EORI"}


def reference_for(application: Application) -> str:
    return f"FR-{REFERENCE_PREFIXES[application.kind]}-{application.created_at:%Y}-{application.id:07d}"


def new_file(application: Application) -> Application:
    """Insert a new file and give it its reference, which exists from the first save."""
    db.session.add(application)
    db.session.flush()
    application.reference = reference_for(application)
    return application


def flush_pending(application: Application | None = None) -> None:
    """Write the new pending status now: the database's one-pending-file indexes (a REX file per company, an
    EORI application per number) settle a race between two submissions that both passed the rules."""
    eori = application is not None and application.kind == EORI
    field = eori_rules.identifier_field(application.eori_request) if eori else "company_id"
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        if eori:
            raise Incomplete(_l("La demande ne peut pas être soumise : corrigez les champs signalés."),
                             {field: eori_rules.ALREADY_REQUESTED}) from None
        raise WorkflowError(_l("Une demande a déjà été déposée pour cet opérateur : une nouvelle demande "
                               "n'est pas acceptée."), field="company_id") from None


def validation_errors(application: Application) -> dict[str, str]:
    """'Valider et passer à l'étape suivante' ('Continuer'): what still stops submission, by the rules of the
    file's kind."""
    return kernel.step("validation_errors", application.kind, _rex_validation_errors)(application)


def _rex_validation_errors(application: Application) -> dict[str, str]:
    return rules.completeness_errors(content_of(application), application.id)


def mark_submitted(application: Application) -> None:
    now = utcnow()
    application.status = S.UNDER_REVIEW
    application.submitted_at = now
    application.received_complete_at = now
    touch(application)
    flush_pending(application)


def mark_decided(application: Application, status: ApplicationStatus) -> None:
    application.status = status
    application.answer_deadline = None
    end_clock(application)
    application.decided_at = utcnow()
    touch(application)


def _closed(actor: User | None, application: Application, kind: str, reason: str | None = None) -> None:
    """The kind-specific step when a submitted file ends without a decision in its favour (a modification
    request gives its registration back)."""
    step = kernel.step("closed", application.kind)
    if step is not None:
        step(actor, application, kind, reason)


def _check_valid(application: Application, message) -> None:
    errors = validation_errors(application)
    if errors:
        raise Incomplete(message, errors)


# --- the operator ------------------------------------------------------------------------------------

@transition(APPLICATION, "create_draft", kinds=(REX,), source=None, target=S.DRAFT, by=(APPLICANT,),
            label=_l("Déposer une demande"), events=("draft_created",),
            refusal=_l("Seul un opérateur ou un représentant en douane peut déposer une demande."))
def create_draft(actor: User, company: Company | None = None) -> Application:
    """'Déposer une demande': the draft and its reference exist from the first save."""
    if company is None and actor.role == Role.OPERATOR and len(actor.certifications) == 1:
        company = actor.certifications[0].company
    if company is not None and not any(c.company_id == company.id for c in actor.certifications):
        raise NotAllowed(_l("Vous n'êtes pas habilité à déposer une demande pour cet opérateur."))
    if not actor.certifications:
        raise NotAllowed(_l("Votre compte n'est habilité pour aucun opérateur : contactez votre pôle d'action "
                            "économique (PAE)."))
    application = Application(created_by_id=actor.id, status=S.DRAFT)
    if company is not None:
        prefill_from_company(application, company)
    _prefill_representative(application, actor)
    new_file(application)
    record(application, "draft_created", actor)
    return application


@transition(APPLICATION, "save_draft", kinds=(REX, MODIFICATION), source=EDITABLE, target=None, by=(HOLDER,),
            label=_l("Reprendre ma saisie plus tard"), events=(),
            inputs={"request_comment": optional_text()})
def save_draft(actor: User, application: Application, content: ApplicationContent,
               expected_version: int | None = None, request_comment: str | None = None) -> Application:
    """'Reprendre ma saisie plus tard' (draft) or the edits of 'Compléter la demande' (incomplete).
    A modification request also keeps its comment, and only its modifiable sections change."""
    before = content_of(application)
    shape = kernel.step("content", application.kind)
    if shape is not None:
        content = shape(application, content)
        application.request_comment = request_comment
    if application.status == S.INCOMPLETE and application.complement_baseline is None:
        application.complement_baseline = {"content": asdict(before), "request_comment": application.request_comment}
    apply_content(application, content, actor, check_certification=application.kind != MODIFICATION)
    db.session.flush()
    touch(application)
    return application


# --- the edits of a complement: kept aside until transmitted ------------------------------------------
# The first save of an incomplete file stores its content as it was (complement_baseline). « Transmettre le
# complément » records the changes since then as one history event; « Annuler la saisie du complément » puts
# the content back and records nothing. Each kind knows how to compare and restore its content.

def _rex_complement_changes(application: Application) -> list[dict]:
    return changes_between(ApplicationContent(**application.complement_baseline["content"]), content_of(application))


def _rex_restore(actor: User, application: Application) -> None:
    baseline = application.complement_baseline
    apply_content(application, ApplicationContent(**baseline["content"]), actor, check_certification=False)
    application.request_comment = baseline.get("request_comment")


@transition(APPLICATION, "cancel_complement", source=(S.INCOMPLETE,), target=None, by=(HOLDER,),
            label=_l("Annuler la saisie du complément"), events=())
def cancel_complement(actor: User, application: Application) -> Application:
    """« Annuler la saisie du complément »: the edits made since « Compléter la demande » are discarded, and
    the history never shows them."""
    if application.complement_baseline is not None:
        kernel.step("restore_complement", application.kind, _rex_restore)(actor, application)
        application.complement_baseline = None
        db.session.flush()
        touch(application)
    return application


@transition(APPLICATION, "submit", kinds=(REX,), source=(S.DRAFT,), target=S.UNDER_REVIEW, by=(HOLDER,),
            label=_l("Soumettre ma demande"), events=("submitted",), emails=("submitted",))
def submit_rex(actor: User, application: Application) -> Application:
    """'Soumettre ma demande': draft -> under_review, confirmation email to the section 2 address."""
    _check_valid(application, _l("La demande ne peut pas être soumise : corrigez les champs signalés."))
    mark_submitted(application)
    record(application, "submitted", actor)
    queue_email("submitted", application.exporter_email, **email_context(application))
    return application


@transition(APPLICATION, "comment", source=THREAD_OPEN, target=None, by=(HOLDER, OFFICE),
            label=_l("Envoyer le message"), events=("comment",), emails=("new_message",),
            inputs={"body": required_text(_l("Votre message est vide."))})
def comment(actor: User, application: Application, body: str) -> DiscussionMessage:
    """The discussion thread is open at every stage of a submitted file, for both sides."""
    message = post(application, actor, body)
    record(application, "comment", actor, comment=body)
    touch(application)
    if actor.is_staff:
        queue_email("new_message", application.exporter_email, **email_context(application, body=body))
    return message


@transition(APPLICATION, "complete", source=(S.INCOMPLETE,), target=S.UNDER_REVIEW, by=(HOLDER,),
            label=_l("Transmettre le complément"), events=("content_modified", "completed"), emails=("completed",),
            inputs={"complement": required_text(_l("Le champ « Compléments apportés à la demande » est "
                                                   "obligatoire."))})
def complete(actor: User, application: Application, complement: str) -> Application:
    """'Transmettre le complément': incomplete -> under_review; the complement is mandatory."""
    _check_valid(application, _l("Le complément ne peut pas être transmis : corrigez les champs signalés."))
    if application.complement_baseline is not None:
        changes = kernel.step("complement_changes", application.kind, _rex_complement_changes)(application)
        if changes:
            record(application, "content_modified", actor, changes=changes)
        application.complement_baseline = None
    application.status = S.UNDER_REVIEW
    application.answer_deadline = None
    end_clock(application)
    application.received_complete_at = utcnow()
    touch(application)
    record(application, "completed", actor, comment=complement)
    post(application, actor, complement, title_kind="completed")
    queue_email("completed", application.exporter_email, **email_context(application))
    return application


@transition(APPLICATION, "abandon_draft", source=(S.DRAFT,), target=S.ABANDONED, by=(HOLDER,),
            label=_l("Abandonner ma demande"), events=("draft_abandoned",))
def abandon_draft(actor: User, application: Application) -> Application:
    """'Abandonner ma demande' on the form: the draft's content is deleted."""
    _delete_content(application)
    application.status = S.ABANDONED
    touch(application)
    record(application, "draft_abandoned", actor)
    return application


@transition(APPLICATION, "abandon", source=OPEN, target=S.ABANDONED, by=(HOLDER,),
            label=_l("Abandonner la demande"), events=("abandoned", "modification_abandoned"),
            inputs={"comment_text": optional_text(field="comment")})
def abandon(actor: User, application: Application, comment_text: str | None = None) -> Application:
    """'Abandonner la demande': irreversible; content deleted, history kept."""
    _delete_content(application)
    application.status = S.ABANDONED
    application.answer_deadline = None
    end_clock(application)
    touch(application)
    record(application, "abandoned", actor, comment=comment_text)
    _closed(actor, application, "modification_abandoned", comment_text)
    return application


def duplication_refusal(actor: User, application: Application):
    """rejected, or its registration revoked (a representative: any submitted file); never abandoned"""
    refusal = _l("Vous ne pouvez dupliquer qu'une demande rejetée ou dont l'enregistrement a été révoqué (un "
                 "représentant en douane peut dupliquer toute demande déposée).")
    if application.status == S.ABANDONED:
        return refusal
    revoked = db.session.scalar(select(Registration.id).where(
        Registration.application_id == application.id, Registration.status == RegistrationStatus.REVOKED))
    if application.kind == MODIFICATION:  # its content is worth a new application once its version is revoked
        return None if revoked is not None else refusal
    if actor is not None and actor.role == Role.REPRESENTATIVE:
        return None if application.status != S.DRAFT else refusal
    return None if application.status == S.REJECTED or revoked is not None else refusal


@transition(APPLICATION, "duplicate", kinds=(REX, MODIFICATION), source=tuple(S),
            target=None, by=(HOLDER,),
            label=_l("Dupliquer"), guard=duplication_refusal, guard_refusal=NotAllowed, events=("duplicated",), lock=False)
def duplicate(actor: User, application: Application) -> Application:
    """'Dupliquer': a new draft with the same content (a representative then picks the next client)."""
    content = content_of(application)
    if actor.role == Role.REPRESENTATIVE:
        content.company_id = None
        content.exporter = {}
    copy = new_file(Application(kind=REX, created_by_id=actor.id, status=S.DRAFT, duplicated_from_id=application.id))
    apply_content(copy, content, actor)
    if content.company_id is None:
        _prefill_representative(copy, actor)
    record(copy, "duplicated", actor,
           comment=str(_l("Demande créée à partir d'un duplicata de la demande %(reference)s",
                          reference=application.reference)))
    return copy


def may_duplicate(actor: User, application: Application) -> bool:
    return kernel.may(actor, application, "duplicate")


# --- the office ----------------------------------------------------------------------------------------

@transition(APPLICATION, "request_information", source=(S.UNDER_REVIEW,), target=S.INCOMPLETE, by=(OFFICE,),
            label=_l("Demander des informations complémentaires"), events=("information_requested",),
            emails=("incomplete",),
            inputs={"message": required_text(_l("Précisez les informations attendues du demandeur."))})
def request_information(actor: User, application: Application, message: str) -> Application:
    """Officer: under_review -> incomplete, with a 30-day answer period."""
    application.status = S.INCOMPLETE
    application.answer_deadline = utcnow() + timedelta(days=current_app.config["INCOMPLETE_ANSWER_DAYS"])
    application.reminder_7_sent_at = application.reminder_1_sent_at = None  # a new period, new reminders
    end_clock(application)  # a new period: no extension, no suspension carried over (docs/decisions.md)
    touch(application)
    record(application, "information_requested", actor, comment=message)
    post(application, actor, message, title_kind="information_requested")
    queue_email("incomplete", application.exporter_email, **email_context(application, message=message))
    return application


def registration_number(company: Company) -> str:
    """domain.md section 9: FRREX + the holder's EORI; it never changes across versions."""
    return f"FRREX{company.eori}"


# A revocation on these grounds obliges the holder to prove the cause remedied before a new registration
# (IA Art. 89(3)(d) and (4); the "revoked" email says so): the grant asks the officer to confirm it.
REMEDY_GROUNDS = (RevocationGround.INCORRECT_STATEMENTS, RevocationGround.DATA_NOT_UP_TO_DATE)
REMEDY_REQUIRED = _l("Confirmez qu'il a été remédié à la cause de la révocation antérieure : la note est "
                     "obligatoire.")


def earlier_revocation(application: Application) -> Registration | None:
    """The holder's last registration, if it was revoked on a ground that must be remedied before a new one."""
    if application.company_id is None:
        return None
    last = db.session.scalar(select(Registration).where(Registration.company_id == application.company_id)
                             .order_by(Registration.period_no.desc(), Registration.version_no.desc(),
                                       Registration.id.desc()).limit(1))
    if last is not None and last.status == RegistrationStatus.REVOKED and last.revocation_ground in REMEDY_GROUNDS:
        return last
    return None


@transition(APPLICATION, "grant", kinds=(REX,), source=(S.UNDER_REVIEW,), target=S.GRANTED, by=(OFFICE,),
            label=_l("Octroyer"), events=("granted",), emails=("granted",),
            effects=(background.REX_TRANSMISSIONS,), inputs={"remedy_note": optional_text()})
def grant_rex(actor: User, application: Application, expected_version: int | None = None,
              remedy_note: str | None = None) -> Registration:
    """Officer: under_review -> granted; the first version of a registration period, numbered after the holder's
    EORI, valid from the receipt of the complete file, and sent to the Commission's REX. After a revocation the
    number is the same and a new period starts; after one for incorrect statements or data not kept up to date,
    the officer's note that the cause was remedied is required."""
    from app.workflow.rex import queue_transmission

    conflict = db.session.scalar(select(Registration.number).where(
        Registration.company_id == application.company_id,
        Registration.status.in_((RegistrationStatus.GRANTED, RegistrationStatus.MODIFICATION_REQUESTED))))
    if conflict:
        raise WorkflowError(_l("L'opérateur détient déjà l'enregistrement %(number)s.", number=conflict))
    if earlier_revocation(application) is not None and not remedy_note:
        raise WorkflowError(REMEDY_REQUIRED, field="remedy_note")
    number = registration_number(application.company)
    periods = db.session.scalar(select(func.max(Registration.period_no)).where(Registration.number == number))
    mark_decided(application, S.GRANTED)
    now = application.decided_at
    registration = Registration(
        number=number, company_id=application.company_id,
        application_id=application.id, office_id=application.office_id,
        registered_on=now.date(), valid_from=(application.received_complete_at or now).date(),
        status=RegistrationStatus.GRANTED, updated_at=now, period_no=(periods or 0) + 1, remedy_note=remedy_note)
    db.session.add(registration)
    db.session.flush()
    record(application, "granted", actor, registration=registration,
           comment=str(_l("Cause de la révocation antérieure remédiée : %(note)s", note=remedy_note))
           if remedy_note else None)
    queue_email("granted", application.exporter_email, **email_context(application, registration=registration))
    queue_transmission(registration, application, "register")
    return registration


@transition(APPLICATION, "reject", kinds=(REX, EORI), source=OPEN, target=S.REJECTED, by=(OFFICE,),
            label=_l("Rejeter"), events=("rejected",), emails=("rejected",),
            inputs={"reason": required_text(_l("Le motif du rejet est obligatoire."))})
def reject_file(actor: User, application: Application, reason: str) -> Application:
    """Officer: under_review | incomplete -> rejected, with a mandatory reason."""
    mark_decided(application, S.REJECTED)
    record(application, "rejected", actor, comment=reason)
    queue_email("rejected", application.exporter_email, **email_context(application, reason=reason))
    return application


# One entry point per action, whatever the kind: the declaration of the file's kind runs.
submit = kernel.action(APPLICATION, "submit")
grant = kernel.action(APPLICATION, "grant")
reject = kernel.action(APPLICATION, "reject")
