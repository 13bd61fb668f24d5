"""A registration after its grant (seed guide 7.2, 7.3): modification requests, revocation, its thread.

    granted --a modification request is submitted--> modification_requested (the number stays valid)
    modification_requested --the request is granted (validated)--> superseded, and a new version granted
    modification_requested --the request is rejected (refused), rejected automatically or abandoned--> granted
    granted | modification_requested --revoke--> revoked (a pending modification request is closed)
    revoked --cancel_revocation--> granted
    granted | modification_requested --request_deregistration--> (same status) an officer confirms by revoking

A modification request is an application of kind REX_MODIFICATION pointing at the version it changes: it
is filed, instructed and decided through app/workflow/applications.py like any application, which calls
the hooks below at the points where a modification request differs.
"""
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.extensions import db
from app.models import (
    Application, ApplicationKind, ApplicationStatus, DiscussionMessage, Registration, RegistrationStatus,
    RevocationGround, User,
)
from app.models._time import utcnow
from app.notifications import queue_email
from app.workflow.access import officer_may_instruct, operator_may_access
from app.workflow.applications import (
    _apply_content, _commit, _email_context, _fail, _non_empty, _touch, atomic, record, reference_for,
)
from app.workflow.content import ApplicationContent, content_of
from app.workflow.errors import NotAllowed, WorkflowError, WrongStatus

R = RegistrationStatus
S = ApplicationStatus
LIVE = (R.GRANTED, R.MODIFICATION_REQUESTED)
COMMENT_REQUIRED = _l("Le commentaire est obligatoire : indiquez au service les éléments que vous souhaitez voir "
                      "modifiés.")

REVOCATION_GROUNDS = {
    RevocationGround.CEASED_TO_EXIST: _l("L'exportateur a cessé d'exister"),
    RevocationGround.CONDITIONS_NOT_MET: _l("L'exportateur ne remplit plus les conditions pour exporter "
                                            "sous le régime préférentiel"),
    RevocationGround.NO_LONGER_EXPORTS: _l("L'exportateur a déclaré ne plus avoir l'intention d'exporter "
                                           "sous le régime préférentiel"),
    RevocationGround.INCORRECT_STATEMENTS: _l("Attestations d'origine ou justificatifs établis avec des "
                                              "informations incorrectes (article 89, paragraphe 3, point d))"),
    RevocationGround.DATA_NOT_UP_TO_DATE: _l("Données d'enregistrement non tenues à jour (article 89, "
                                             "paragraphe 4)"),
    RevocationGround.HOLDER_REQUEST: _l("À la demande du titulaire"),
}


def ground_label(ground) -> str:
    return str(REVOCATION_GROUNDS.get(RevocationGround(ground), ground)) if ground else ""


# --- helpers -------------------------------------------------------------------------------------

def _lock(registration: Registration) -> Registration:
    db.session.refresh(registration, with_for_update=True)
    return registration


def _require(registration: Registration, *allowed: RegistrationStatus) -> None:
    if registration.status not in allowed:
        from app.workflow.events import status_label
        raise WrongStatus(_l("Cette action n'est pas possible pour une autorisation au statut « %(status)s ».",
                             status=status_label(registration.status)))


def _require_holder(actor: User, registration: Registration) -> None:
    if not operator_may_access(actor, registration):
        raise NotAllowed(_l("Vous n'êtes pas habilité à agir sur cette autorisation."))


def _require_officer(actor: User, registration: Registration) -> None:
    if not officer_may_instruct(actor, registration):
        raise NotAllowed(_l("Cette autorisation ne relève pas de votre service."))


def _notify(template: str, registration: Registration, **extra) -> None:
    application = registration.application
    queue_email(template, application.exporter_email,
                **_email_context(application, registration=registration, **extra))


def versions_of(registration: Registration) -> list[Registration]:
    """Every version of a registration's number, newest first ('Version antérieure' for the older ones)."""
    return list(db.session.scalars(select(Registration).where(Registration.number == registration.number)
                                   .order_by(Registration.version_no.desc(), Registration.id.desc())))


def pending_modification(registration: Registration) -> Application | None:
    """The modification request being written or instructed for this version, if any."""
    return db.session.scalar(select(Application).where(
        Application.registration_id == registration.id, Application.kind == ApplicationKind.REX_MODIFICATION,
        Application.status.in_((S.DRAFT, S.UNDER_REVIEW, S.INCOMPLETE))))


def may_request_modification(actor: User, registration: Registration) -> bool:
    return registration.status == R.GRANTED and operator_may_access(actor, registration)


# --- the holder ----------------------------------------------------------------------------------

@atomic
def request_modification(actor: User, registration: Registration) -> Application:
    """'Demander des modifications de cet enregistrement': a draft holding the registered content; an
    unfinished draft for the same version is resumed rather than duplicated."""
    try:
        _require_holder(actor, registration)
        _lock(registration)
        _require(registration, R.GRANTED)
        existing = pending_modification(registration)
        if existing is not None:
            return existing
        source = registration.application
        draft = Application(kind=ApplicationKind.REX_MODIFICATION, created_by_id=actor.id, status=S.DRAFT,
                            registration_id=registration.id)
        db.session.add(draft)
        db.session.flush()
        draft.reference = reference_for(draft)
        _apply_content(draft, content_of(source), actor, check_certification=False)
        record(draft, "modification_draft_created", actor, registration=registration)
    except WorkflowError as exc:
        _fail(exc)
    _commit()
    return draft


def modification_content(application: Application, typed: ApplicationContent) -> ApplicationContent:
    """Guide 7.2: only the email of section 2, the contacts, the goods and the relations may change; every
    other field keeps its registered value whatever the form sent."""
    content = content_of(application.registration.application)
    content.exporter = dict(content.exporter, email=typed.exporter.get("email"))
    content.contacts, content.goods, content.relations = typed.contacts, typed.goods, typed.relations
    return content


def check_submission(application: Application) -> None:
    """Called by submit(): a modification request needs its comment and a version still granted."""
    _non_empty(application.request_comment, "request_comment", COMMENT_REQUIRED)
    registration = application.registration
    _lock(registration)
    _require(registration, R.GRANTED)


def on_submitted(actor: User, application: Application) -> None:
    registration = application.registration
    registration.status = R.MODIFICATION_REQUESTED
    registration.updated_at = utcnow()
    record(application, "modification_requested", actor, comment=application.request_comment,
           registration=registration)
    _notify("modification_requested", registration, comment=application.request_comment)


@atomic
def request_deregistration(actor: User, registration: Registration, reason: str) -> Registration:
    """The holder no longer exports under the arrangement (IA Art. 89(1)): an officer confirms."""
    try:
        reason = _non_empty(reason, "reason", _l("Indiquez pourquoi vous demandez la radiation."))
        _require_holder(actor, registration)
        _lock(registration)
        _require(registration, *LIVE)
        if registration.deregistration_requested_at is not None:
            raise WrongStatus(_l("La radiation de cet enregistrement a déjà été demandée."))
        registration.deregistration_requested_at = utcnow()
        registration.updated_at = registration.deregistration_requested_at
        record(registration.application, "deregistration_requested", actor, comment=reason,
               registration=registration)
        _post(registration, actor, reason, "deregistration_requested")
    except WorkflowError as exc:
        _fail(exc)
    _commit()
    return registration


@atomic
def comment(actor: User, registration: Registration, body: str) -> DiscussionMessage:
    """The thread stays open at every status, revoked included (guide 7.3); it changes no status."""
    try:
        body = _non_empty(body, "body", _l("Votre message est vide."))
        if actor.is_staff:
            _require_officer(actor, registration)
        else:
            _require_holder(actor, registration)
        _lock(registration)
        _require(registration, R.GRANTED, R.MODIFICATION_REQUESTED, R.REVOKED)
        message = _post(registration, actor, body)
        record(registration.application, "comment", actor, comment=body, registration=registration)
        registration.updated_at = utcnow()
        if actor.is_staff:
            _notify("new_message", registration, message=body)
    except WorkflowError as exc:
        _fail(exc)
    _commit()
    return message


def _post(registration: Registration, author: User, body: str, title_kind: str | None = None):
    message = DiscussionMessage(application_id=registration.application_id, registration_id=registration.id,
                                author_id=author.id, body=body, title_kind=title_kind)
    db.session.add(message)
    return message


# --- the office ----------------------------------------------------------------------------------

def on_validated(actor: User, application: Application, now: datetime) -> Registration:
    """Called by grant() for a modification request: the targeted version becomes 'Version antérieure' and
    a new version, same number and validity, holds the modified content."""
    current = application.registration
    _lock(current)
    _require(current, R.MODIFICATION_REQUESTED)
    current.status = R.SUPERSEDED
    current.updated_at = now
    db.session.flush()  # free the one-live-registration slot before the new version takes it
    version = Registration(
        number=current.number, company_id=current.company_id, application_id=application.id,
        office_id=application.office_id, registered_on=now.date(), valid_from=current.valid_from,
        status=R.GRANTED, version_no=current.version_no + 1, created_at=now, updated_at=now)
    db.session.add(version)
    db.session.flush()
    record(application, "modification_validated", actor, registration=current)
    record(application, "new_version", actor, registration=version)
    _notify("modification_validated", version)
    from app.workflow.rex import queue_transmission
    queue_transmission(version, application, "modify")
    return version


def on_closed(actor: User | None, application: Application, kind: str, reason: str | None = None) -> None:
    """Called when a submitted modification request ends without a new version (refused, abandoned): the
    version it targeted is granted again, unchanged."""
    registration = application.registration
    _lock(registration)
    if registration.status != R.MODIFICATION_REQUESTED:
        return
    registration.status = R.GRANTED
    registration.updated_at = utcnow()
    record(application, kind, actor, comment=reason, registration=registration)
    if kind == "modification_refused":
        _notify("modification_refused", registration, reason=reason)


@atomic
def revoke(actor: User, registration: Registration, ground: str | None, comment_text: str) -> Registration:
    """Officer: IA Art. 89. The revocation applies from today; a pending modification request is closed."""
    try:
        try:
            ground = RevocationGround(ground)
        except ValueError:
            raise WorkflowError(_l("Choisissez le motif de la révocation."), field="ground") from None
        comment_text = _non_empty(comment_text, "comment", _l("Le commentaire de la révocation est obligatoire."))
        _require_officer(actor, registration)
        _lock(registration)
        _require(registration, *LIVE)
        now = utcnow()
        pending = pending_modification(registration)
        if pending is not None:
            submitted = pending.status != S.DRAFT
            pending.status = S.REJECTED if submitted else S.ABANDONED
            pending.answer_deadline = None
            pending.decided_at = now
            _touch(pending)
            record(pending, "rejected" if submitted else "draft_abandoned", actor,
                   comment=str(_l("Enregistrement révoqué : la demande de modification est close.")))
        registration.status = R.REVOKED
        registration.revoked_on = now.date()
        registration.revocation_ground = ground
        registration.updated_at = now
        reason = f"{ground_label(ground)}. {comment_text}"
        record(registration.application, "revoked", actor, comment=reason, registration=registration)
        _notify("revoked", registration, reason=reason)
        from app.workflow.rex import queue_transmission
        queue_transmission(registration, registration.application, "revoke")
    except WorkflowError as exc:
        _fail(exc)
    _commit()
    from jobs import enqueue_rex_transmissions
    enqueue_rex_transmissions()
    return registration


@atomic
def cancel_revocation(actor: User, registration: Registration, comment_text: str | None = None) -> Registration:
    """Officer: the registration is 'Octroyée' again, from its original validity date."""
    try:
        _require_officer(actor, registration)
        _lock(registration)
        _require(registration, R.REVOKED)
        newer = db.session.scalar(select(Registration.number).where(
            Registration.company_id == registration.company_id, Registration.status.in_(LIVE)))
        if newer:
            raise WorkflowError(_l("L'opérateur détient déjà un enregistrement en vigueur (%(number)s) : la "
                                   "révocation ne peut pas être annulée.", number=newer))
        comment_text = (comment_text or "").strip() or None
        registration.status = R.GRANTED
        registration.revoked_on = None
        registration.revocation_ground = None
        registration.deregistration_requested_at = None
        registration.updated_at = utcnow()
        db.session.flush()
        record(registration.application, "revocation_cancelled", actor, comment=comment_text,
               registration=registration)
        _notify("revocation_cancelled", registration, comment=comment_text)
        from app.workflow.rex import queue_transmission
        queue_transmission(registration, registration.application, "modify")
    except WorkflowError as exc:
        _fail(exc)
    _commit()
    from jobs import enqueue_rex_transmissions
    enqueue_rex_transmissions()
    return registration


def confirm_deregistration(actor: User, registration: Registration, comment_text: str) -> Registration:
    """The holder's request, confirmed: a revocation on that ground."""
    if registration.deregistration_requested_at is None:
        raise WrongStatus(_l("Le titulaire n'a pas demandé la radiation de cet enregistrement."))
    return revoke(actor, registration, RevocationGround.HOLDER_REQUEST.value, comment_text)



# --- reading ----------------------------------------------------------------------------------------

def modified_sections(application: Application) -> dict[str, tuple]:
    """What a modification request changes, by section of the form: {"2": (old email, new email),
    "4": (old contacts, new contacts), "5": (old goods, new goods), "6": (old relations, new relations)},
    only the sections that differ from the registered version."""
    before, after = content_of(application.registration.application), content_of(application)
    pairs = {"2": (before.exporter.get("email"), after.exporter.get("email")),
             "4": (before.contacts, after.contacts), "5": (before.goods, after.goods),
             "6": (before.relations, after.relations)}
    return {section: pair for section, pair in pairs.items() if pair[0] != pair[1]}
