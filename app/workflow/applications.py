"""The REX application state machine: every transition, who may fire it, what it causes.

    draft --submit--> under_review --request_information--> incomplete --complete--> under_review
    under_review --grant--> granted (a Registration is created)
    under_review | incomplete --reject--> rejected
    incomplete --(30 days, reject_expired)--> rejected
    draft --abandon_draft--> abandoned;  under_review | incomplete --abandon--> abandoned
    rejected | (representative: any) --duplicate--> a new draft

Each transition is one transaction: the status, its history event and its outbox
rows commit together, or nothing does. The file's row is locked first and its
version checked, so a concurrent second transition fails cleanly.
"""
from datetime import datetime, timedelta
from functools import wraps

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from app.extensions import db
from app.models import (
    Application, ApplicationKind, ApplicationRelation, ApplicationStatus, Company, Contact, DiscussionMessage, Document,
    GoodsLine, HistoryEvent, PublicationConsent, Registration, RegistrationStatus, Role, Undertaking, User,
)
from app.models._time import utcnow
from app.notifications import emails_were_queued, queue_email
from app.workflow import eori_rules
from app.workflow import rules
from app.workflow.access import officer_may_instruct, operator_may_access
from app.workflow.content import (
    CONTACT_FIELDS, EXPORTER_FIELDS, REPRESENTATIVE_FIELDS, ApplicationContent, changes_between, content_of,
)
from app.workflow.errors import Incomplete, NotAllowed, StaleFile, WorkflowError, WrongStatus

S = ApplicationStatus
MODIFICATION = ApplicationKind.REX_MODIFICATION
OPERATOR_ROLES = (Role.OPERATOR, Role.REPRESENTATIVE)
EDITABLE = (S.DRAFT, S.INCOMPLETE)


# --- helpers -----------------------------------------------------------------------------------

def atomic(transition):
    """A concurrent writer detected at a flush (a stale version) is the same refusal as a stale form."""
    @wraps(transition)
    def run(*args, **kwargs):
        try:
            return transition(*args, **kwargs)
        except StaleDataError:
            db.session.rollback()
            raise StaleFile(_l("Ce dossier a changé pendant votre action : rechargez la page.")) from None
    return run


def _lock(application: Application, expected_version: int | None = None) -> Application:
    """Reload the file with a row lock and check nobody changed it since it was read."""
    db.session.refresh(application, with_for_update=True)
    if expected_version is not None and application.version != expected_version:
        raise StaleFile(_l("Ce dossier a changé depuis que vous l'avez ouvert : rechargez la page."))
    return application


def _require_status(application: Application, *allowed: ApplicationStatus) -> None:
    if application.status not in allowed:
        from app.workflow.events import status_label
        raise WrongStatus(_l("Cette action n'est pas possible pour une demande au statut « %(status)s ».",
                             status=status_label(application.status)))


def _require_operator(actor: User, application: Application) -> None:
    if not operator_may_access(actor, application):
        raise NotAllowed(_l("Vous n'êtes pas habilité à agir sur cette demande."))


def _require_officer(actor: User, application: Application) -> None:
    if not officer_may_instruct(actor, application):
        raise NotAllowed(_l("Cette demande ne relève pas de votre service."))


def record(application: Application | None, kind: str, actor: User | None, comment: str | None = None,
           changes: list | None = None, registration: Registration | None = None,
           office_id: int | None = None) -> HistoryEvent:
    event = HistoryEvent(
        application_id=application.id if application else None,
        registration_id=registration.id if registration else None,
        kind=kind, actor_id=actor.id if actor else None,
        # An officer or supervisor acts for the office the file is assigned to.
        office_id=office_id if office_id is not None else (
            (application.office_id if application else actor.office_id) if actor and actor.is_staff else None),
        comment=comment, changes=changes or None)
    db.session.add(event)
    return event


def _post(application: Application, author: User | None, body: str, title_kind: str | None = None):
    db.session.add(DiscussionMessage(application_id=application.id, author_id=author.id if author else None,
                                     body=body, title_kind=title_kind))


def _touch(application: Application) -> None:
    application.updated_at = utcnow()


def _commit() -> None:
    """Commit the transition; deliver its emails once the data is durable."""
    try:
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        raise StaleFile(_l("Ce dossier a changé pendant votre action : rechargez la page.")) from None
    except IntegrityError:
        db.session.rollback()
        raise StaleFile(_l("Ce dossier a changé pendant votre action : rechargez la page.")) from None
    if emails_were_queued():
        from jobs import enqueue_outbox_delivery
        enqueue_outbox_delivery()


def _flush_pending(application: Application | None = None) -> None:
    """Write the new pending status now: the database's one-pending-file indexes (a REX file per company, an
    EORI application per number) settle a race between two submissions that both passed the rules."""
    eori = application is not None and application.kind == ApplicationKind.EORI
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


def _fail(exc: Exception):
    db.session.rollback()
    emails_were_queued()  # rolled back with the rest
    raise exc


def _email_context(application: Application, **extra) -> dict:
    return {"application": application, "base_url": current_app.config["PUBLIC_BASE_URL"], **extra}


def _typed_text(text: str | None, field: str) -> str:
    """What a person typed, stripped; a NUL in it (a paste of binary junk: PostgreSQL cannot store it) is
    refused beside its field, as the forms of app/forms.py refuse it."""
    text = (text or "").strip()
    if rules.has_nul(text):
        raise WorkflowError(rules.NUL_CHARACTER, field=field)
    return text


def _non_empty(text: str | None, field: str, message) -> str:
    text = _typed_text(text, field)
    if not text:
        raise WorkflowError(message, field=field)
    return text


# --- content ------------------------------------------------------------------------------------

def _apply_content(application: Application, content: ApplicationContent, actor: User,
                   check_certification: bool = True) -> None:
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
    if application.kind == ApplicationKind.EORI:
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


# --- transitions ----------------------------------------------------------------------------------

@atomic
def create_draft(actor: User, company: Company | None = None) -> Application:
    """'Déposer une demande': the draft and its reference exist from the first save."""
    if actor.role not in OPERATOR_ROLES:
        raise NotAllowed(_l("Seul un opérateur ou un représentant en douane peut déposer une demande."))
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
    db.session.add(application)
    db.session.flush()
    application.reference = reference_for(application)
    record(application, "draft_created", actor)
    _commit()
    return application


REFERENCE_PREFIXES = {ApplicationKind.REX: "REX", ApplicationKind.REX_MODIFICATION: "REXMOD",
                      ApplicationKind.EORI: "EORI"}


def reference_for(application: Application) -> str:
    return f"FR-{REFERENCE_PREFIXES[application.kind]}-{application.created_at:%Y}-{application.id:07d}"


@atomic
def save_draft(actor: User, application: Application, content: ApplicationContent,
               expected_version: int | None = None, request_comment: str | None = None) -> Application:
    """'Reprendre ma saisie plus tard' (draft) or the edits of 'Compléter la demande' (incomplete).
    A modification request also keeps its comment, and only its modifiable sections change."""
    try:
        _require_operator(actor, application)
        if application.kind == ApplicationKind.EORI:
            raise NotAllowed(_l("Une demande de numéro EORI se saisit sur son propre formulaire."))
        _lock(application, expected_version)
        _require_status(application, *EDITABLE)
        before = content_of(application)
        if application.kind == MODIFICATION:
            from app.workflow.registrations import modification_content
            content = modification_content(application, content)
            application.request_comment = (request_comment or "").strip() or None
        _apply_content(application, content, actor, check_certification=application.kind != MODIFICATION)
        db.session.flush()
        if application.status == S.INCOMPLETE:
            changes = changes_between(before, content_of(application))
            if changes:
                record(application, "content_modified", actor, changes=changes)
        _touch(application)
    except WorkflowError as exc:
        _fail(exc)
    _commit()
    return application


def validation_errors(application: Application) -> dict[str, str]:
    """'Valider et passer à l'étape suivante' ('Continuer'): what still stops submission."""
    if application.kind == ApplicationKind.EORI:
        from app.workflow import eori
        return eori.validation_errors(application)
    modification = application.kind == MODIFICATION
    errors = rules.completeness_errors(content_of(application), application.id, modification=modification)
    if modification and not (application.request_comment or "").strip():
        from app.workflow.registrations import COMMENT_REQUIRED
        errors["request_comment"] = COMMENT_REQUIRED
    return errors


@atomic
def submit(actor: User, application: Application, expected_version: int | None = None) -> Application:
    """'Soumettre ma demande': draft -> under_review, confirmation email to the section 2 address."""
    try:
        _require_operator(actor, application)
        _lock(application, expected_version)
        _require_status(application, S.DRAFT)
        if application.kind == MODIFICATION:  # its comment first: the one field typed on the recap's form
            from app.workflow import registrations
            registrations.check_submission(application)
        errors = validation_errors(application)
        if errors:
            raise Incomplete(_l("La demande ne peut pas être soumise : corrigez les champs signalés."), errors)
        now = utcnow()
        application.status = S.UNDER_REVIEW
        application.submitted_at = now
        application.received_complete_at = now
        _touch(application)
        _flush_pending(application)
        record(application, "submitted", actor)
        if application.kind == MODIFICATION:
            registrations.on_submitted(actor, application)
        else:
            queue_email("submitted", application.exporter_email, **_email_context(application))
    except WorkflowError as exc:
        _fail(exc)
    _commit()
    return application


@atomic
def comment(actor: User, application: Application, body: str) -> DiscussionMessage:
    """The discussion thread is open at every stage of a file, for both sides."""
    try:
        body = _non_empty(body, "body", _l("Votre message est vide."))
        if actor.is_staff:
            _require_officer(actor, application)
        else:
            _require_operator(actor, application)
        _lock(application)
        _require_status(application, S.UNDER_REVIEW, S.INCOMPLETE, S.REJECTED, S.GRANTED)
        message = DiscussionMessage(application_id=application.id, author_id=actor.id, body=body)
        db.session.add(message)
        record(application, "comment", actor, comment=body)
        _touch(application)
        if actor.is_staff:
            queue_email("new_message", application.exporter_email, **_email_context(application, body=body))
    except WorkflowError as exc:
        _fail(exc)
    _commit()
    return message


@atomic
def request_information(actor: User, application: Application, message: str,
                        expected_version: int | None = None) -> Application:
    """Officer: under_review -> incomplete, with a 30-day answer period."""
    try:
        message = _non_empty(message, "message", _l("Précisez les informations attendues du demandeur."))
        _require_officer(actor, application)
        _lock(application, expected_version)
        _require_status(application, S.UNDER_REVIEW)
        application.status = S.INCOMPLETE
        application.answer_deadline = utcnow() + timedelta(days=current_app.config["INCOMPLETE_ANSWER_DAYS"])
        application.reminder_7_sent_at = application.reminder_1_sent_at = None  # a new period, new reminders
        _touch(application)
        record(application, "information_requested", actor, comment=message)
        _post(application, actor, message, title_kind="information_requested")
        queue_email("incomplete", application.exporter_email, **_email_context(application, message=message))
    except WorkflowError as exc:
        _fail(exc)
    _commit()
    return application


@atomic
def complete(actor: User, application: Application, complement: str,
             expected_version: int | None = None) -> Application:
    """'Transmettre le complément': incomplete -> under_review; the complement is mandatory."""
    try:
        complement = _non_empty(complement, "complement",
                                _l("Le champ « Compléments apportés à la demande » est obligatoire."))
        _require_operator(actor, application)
        _lock(application, expected_version)
        _require_status(application, S.INCOMPLETE)
        errors = validation_errors(application)
        if errors:
            raise Incomplete(_l("Le complément ne peut pas être transmis : corrigez les champs signalés."), errors)
        application.status = S.UNDER_REVIEW
        application.answer_deadline = None
        application.received_complete_at = utcnow()
        _touch(application)
        record(application, "completed", actor, comment=complement)
        _post(application, actor, complement, title_kind="completed")
        queue_email("completed", application.exporter_email, **_email_context(application))
    except WorkflowError as exc:
        _fail(exc)
    _commit()
    return application


@atomic
def abandon_draft(actor: User, application: Application) -> Application:
    """'Abandonner ma demande' on the form: the draft's content is deleted."""
    try:
        _require_operator(actor, application)
        _lock(application)
        _require_status(application, S.DRAFT)
        _delete_content(application)
        application.status = S.ABANDONED
        _touch(application)
        record(application, "draft_abandoned", actor)
    except WorkflowError as exc:
        _fail(exc)
    _commit()
    return application


@atomic
def abandon(actor: User, application: Application, comment_text: str | None = None,
            expected_version: int | None = None) -> Application:
    """'Abandonner la demande': irreversible; content deleted, history kept."""
    try:
        _require_operator(actor, application)
        _lock(application, expected_version)
        _require_status(application, S.UNDER_REVIEW, S.INCOMPLETE)
        _delete_content(application)
        application.status = S.ABANDONED
        application.answer_deadline = None
        _touch(application)
        record(application, "abandoned", actor, comment=(comment_text or "").strip() or None)
        if application.kind == MODIFICATION:
            from app.workflow.registrations import on_closed
            on_closed(actor, application, "modification_abandoned", (comment_text or "").strip() or None)
    except WorkflowError as exc:
        _fail(exc)
    _commit()
    return application


def may_duplicate(actor: User, application: Application) -> bool:
    if (application.kind == ApplicationKind.EORI or application.status == S.ABANDONED
            or not operator_may_access(actor, application)):
        return False
    revoked = db.session.scalar(select(Registration.id).where(
        Registration.application_id == application.id, Registration.status == RegistrationStatus.REVOKED))
    if application.kind == MODIFICATION:  # its content is worth a new application once its version is revoked
        return revoked is not None
    if actor.role == Role.REPRESENTATIVE:
        return application.status != S.DRAFT
    return application.status == S.REJECTED or revoked is not None


@atomic
def duplicate(actor: User, application: Application) -> Application:
    """'Dupliquer': a new draft with the same content (a representative then picks the next client)."""
    try:
        _require_operator(actor, application)
        if not may_duplicate(actor, application):
            raise NotAllowed(_l("Vous ne pouvez dupliquer qu'une demande rejetée ou dont l'enregistrement a été "
                                "révoqué (un représentant en douane peut dupliquer toute demande déposée)."))
        content = content_of(application)
        if actor.role == Role.REPRESENTATIVE:
            content.company_id = None
            content.exporter = {}
        copy = Application(kind=ApplicationKind.REX, created_by_id=actor.id, status=S.DRAFT,
                           duplicated_from_id=application.id)
        db.session.add(copy)
        db.session.flush()
        copy.reference = reference_for(copy)
        _apply_content(copy, content, actor)
        if content.company_id is None:
            _prefill_representative(copy, actor)
        record(copy, "duplicated", actor,
               comment=str(_l("Demande créée à partir d'un duplicata de la demande %(reference)s",
                              reference=application.reference)))
    except WorkflowError as exc:
        _fail(exc)
    _commit()
    return copy


def registration_number(company: Company) -> str:
    """domain.md section 9: FRREX + the holder's EORI; it never changes across versions."""
    return f"FRREX{company.eori}"


@atomic
def grant(actor: User, application: Application, expected_version: int | None = None) -> Registration | Company:
    """Officer: under_review -> granted; the registration is valid from the receipt of the complete file.
    Granting a modification request validates it: a new version of the registration. Granting an EORI
    application creates the company with its number (returned instead of a registration)."""
    try:
        _require_officer(actor, application)
        _lock(application, expected_version)
        _require_status(application, S.UNDER_REVIEW)
        if application.kind == MODIFICATION:
            from app.workflow.registrations import on_validated
            application.status = S.GRANTED
            application.decided_at = utcnow()
            _touch(application)
            registration = on_validated(actor, application, application.decided_at)
        elif application.kind == ApplicationKind.EORI:
            from app.workflow.eori import on_granted
            application.status = S.GRANTED
            application.decided_at = utcnow()
            _touch(application)
            registration = on_granted(actor, application, application.decided_at)
        else:
            registration = _register(actor, application)
    except WorkflowError as exc:
        _fail(exc)
    _commit()
    from jobs import enqueue_rex_transmissions
    enqueue_rex_transmissions()
    return registration


def _register(actor: User, application: Application) -> Registration:
    """The first version of a registration, numbered after the holder's EORI."""
    conflict = db.session.scalar(select(Registration.number).where(
        Registration.company_id == application.company_id,
        Registration.status.in_((RegistrationStatus.GRANTED, RegistrationStatus.MODIFICATION_REQUESTED))))
    if conflict:
        raise WorkflowError(_l("L'opérateur détient déjà l'enregistrement %(number)s.", number=conflict))
    now = utcnow()
    application.status = S.GRANTED
    application.decided_at = now
    _touch(application)
    registration = Registration(
        number=registration_number(application.company), company_id=application.company_id,
        application_id=application.id, office_id=application.office_id,
        registered_on=now.date(), valid_from=(application.received_complete_at or now).date(),
        status=RegistrationStatus.GRANTED, updated_at=now)
    db.session.add(registration)
    db.session.flush()
    record(application, "granted", actor, registration=registration)
    queue_email("granted", application.exporter_email,
                **_email_context(application, registration=registration))
    from app.workflow.rex import queue_transmission
    queue_transmission(registration, application, "register")
    return registration


@atomic
def reject(actor: User, application: Application, reason: str,
           expected_version: int | None = None) -> Application:
    """Officer: under_review | incomplete -> rejected, with a mandatory reason."""
    try:
        reason = _non_empty(reason, "reason", _l("Le motif du rejet est obligatoire."))
        _require_officer(actor, application)
        _lock(application, expected_version)
        _require_status(application, S.UNDER_REVIEW, S.INCOMPLETE)
        application.status = S.REJECTED
        application.answer_deadline = None
        application.decided_at = utcnow()
        _touch(application)
        record(application, "rejected", actor, comment=reason)
        if application.kind == MODIFICATION:
            from app.workflow.registrations import on_closed
            on_closed(actor, application, "modification_refused", reason)
        else:
            queue_email("rejected", application.exporter_email, **_email_context(application, reason=reason))
    except WorkflowError as exc:
        _fail(exc)
    _commit()
    return application


@atomic
def reject_expired(application: Application, now: datetime | None = None) -> Application:
    """'Action automatique': an incomplete file whose 30-day period has passed is rejected."""
    try:
        _lock(application)
        _require_status(application, S.INCOMPLETE)
        now = now or utcnow()
        deadline = application.answer_deadline
        if deadline is None or deadline.replace(tzinfo=deadline.tzinfo or now.tzinfo) > now:
            raise WrongStatus(_l("Le délai de réponse n'est pas écoulé."))
        application.status = S.REJECTED
        application.answer_deadline = None
        application.decided_at = now
        _touch(application)
        record(application, "rejected_automatically", None, office_id=application.office_id)
        queue_email("rejected_automatically", application.exporter_email, **_email_context(application))
        if application.kind == MODIFICATION:
            from app.workflow.registrations import on_closed
            on_closed(None, application, "modification_rejected_automatically")
    except WorkflowError as exc:
        _fail(exc)
    _commit()
    return application
