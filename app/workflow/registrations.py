"""A registration after its grant (seed guide 7.2, 7.3): modification requests, revocation, its thread.

    granted --a modification request is submitted--> modification_requested (the number stays valid)
    modification_requested --the request is granted (validated)--> superseded, and a new version granted
    modification_requested --the request is rejected (refused), rejected automatically or abandoned--> granted
    granted | modification_requested --revoke--> revoked, once the holder was heard (app/workflow/hearing.py);
                                                 a pending modification request is closed
    revoked --cancel_revocation--> granted
    granted | modification_requested --request_deregistration--> (same status) an officer confirms by revoking

A modification request is an application of kind REX_MODIFICATION pointing at the version it changes. It is
filed and instructed like any application (app/workflow/applications.py); this module declares its own
submit, grant (validate) and reject (refuse), and registers the steps where it differs: which sections the
form may change, what its submission needs, and what closing it gives back to the registration.
"""
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app import background
from app.extensions import db
from app.models import (
    Application, ApplicationKind, ApplicationStatus, DiscussionMessage, Registration, RegistrationStatus,
    RevocationGround, User,
)
from app.models._time import utcnow
from app.models.registrations import ACTIVE_REGISTRATION_STATUSES
from app.notifications import email_context, queue_email
from app.workflow import hearing, kernel, rules
from app.workflow.applications import (
    apply_content, mark_decided, mark_submitted, new_file, validation_errors,
)
from app.workflow.content import ApplicationContent, content_of
from app.workflow.errors import Incomplete, WorkflowError, WrongStatus
from app.workflow.events import status_label
from app.workflow.history import post, record
from app.workflow.kernel import lock_row, optional_text, required_text, transition
from app.workflow.rex import queue_transmission
from app.workflow.subjects import APPLICATION, HOLDER, OFFICE, REGISTRATION

R = RegistrationStatus
S = ApplicationStatus
MODIFICATION = ApplicationKind.REX_MODIFICATION
LIVE = ACTIVE_REGISTRATION_STATUSES
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


def revocation_ground(value, field_name) -> RevocationGround:
    try:
        return RevocationGround(value)
    except ValueError:
        raise WorkflowError(_l("Choisissez le motif de la révocation."), field=field_name) from None


def _notify(template: str, registration: Registration, request: Application | None = None, **extra) -> None:
    """Email the holder about `registration`, at the address of the version; the email quotes `request` (the
    modification request submitted or decided) when given, else the file that created the version."""
    application = registration.application
    queue_email(template, application.exporter_email,
                **email_context(request or application, registration=registration, **extra))


def versions_of(registration: Registration) -> list[Registration]:
    """Every version of a registration period, newest first ('Version antérieure' for the older ones)."""
    return list(db.session.scalars(select(Registration).where(Registration.number == registration.number,
                                                              Registration.period_no == registration.period_no)
                                   .order_by(Registration.version_no.desc(), Registration.id.desc())))


def periods_of(registration: Registration) -> list[Registration]:
    """The registration periods of a number (a re-registration after a revocation opens a new one), newest first,
    each as its latest version: its own validity and revocation dates."""
    rows = db.session.scalars(select(Registration).where(Registration.number == registration.number)
                              .order_by(Registration.period_no.desc(), Registration.version_no.desc(),
                                        Registration.id.desc()))
    latest = {}
    for row in rows:
        latest.setdefault(row.period_no, row)
    return list(latest.values())


def pending_modification(registration: Registration) -> Application | None:
    """The modification request being written or instructed for this version, if any."""
    return db.session.scalar(select(Application).where(
        Application.registration_id == registration.id, Application.kind == MODIFICATION,
        Application.status.in_((S.DRAFT, S.UNDER_REVIEW, S.INCOMPLETE))))


def may_request_modification(actor: User, registration: Registration) -> bool:
    return kernel.may(actor, registration, "request_modification")


# --- the holder ----------------------------------------------------------------------------------

@transition(REGISTRATION, "request_modification", source=(R.GRANTED,), target=None, by=(HOLDER,),
            label=_l("Demander des modifications de cet enregistrement"), events=("modification_draft_created",))
def request_modification(actor: User, registration: Registration) -> Application:
    """'Demander des modifications de cet enregistrement': a draft holding the registered content; an
    unfinished draft for the same version is resumed rather than duplicated."""
    existing = pending_modification(registration)
    if existing is not None:
        return existing
    draft = new_file(Application(kind=MODIFICATION, created_by_id=actor.id, status=S.DRAFT,
                                 registration_id=registration.id))
    apply_content(draft, content_of(registration.application), actor, check_certification=False)
    record(draft, "modification_draft_created", actor, registration=registration)
    return draft


@kernel.kind_step("content", MODIFICATION)
def modification_content(application: Application, typed: ApplicationContent) -> ApplicationContent:
    """Guide 7.2: only the email of section 2, the contacts, the goods and the relations may change; every
    other field keeps its registered value whatever the form sent."""
    content = content_of(application.registration.application)
    content.exporter = dict(content.exporter, email=typed.exporter.get("email"))
    content.contacts, content.goods, content.relations = typed.contacts, typed.goods, typed.relations
    return content


@kernel.kind_step("validation_errors", MODIFICATION)
def modification_validation_errors(application: Application) -> dict[str, str]:
    errors = rules.completeness_errors(content_of(application), application.id, modification=True)
    if not (application.request_comment or "").strip():
        errors["request_comment"] = COMMENT_REQUIRED
    return errors


@transition(APPLICATION, "submit", kinds=(MODIFICATION,), source=(S.DRAFT,), target=S.UNDER_REVIEW,
            by=(HOLDER,), label=_l("Soumettre ma demande"),
            events=("submitted", "modification_requested"), emails=("modification_requested",))
def submit_modification(actor: User, application: Application) -> Application:
    """The request goes to the office; its registration shows 'Modification demandée', still valid."""
    if not (application.request_comment or "").strip():  # the one field typed on the recap's form: first
        raise WorkflowError(COMMENT_REQUIRED, field="request_comment")
    registration = application.registration
    lock_row(registration)
    if registration.status != R.GRANTED:
        raise WrongStatus(REGISTRATION.wrong_status(status_label(registration.status)))
    errors = validation_errors(application)
    if errors:
        raise Incomplete(_l("La demande ne peut pas être soumise : corrigez les champs signalés."), errors)
    mark_submitted(application)
    record(application, "submitted", actor)
    registration.status = R.MODIFICATION_REQUESTED
    registration.updated_at = utcnow()
    record(application, "modification_requested", actor, comment=application.request_comment,
           registration=registration)
    _notify("modification_requested", registration, application, comment=application.request_comment)
    return application


def deregistration_not_requested(actor: User, registration: Registration):
    """not asked already"""
    if registration.deregistration_requested_at is not None:
        return _l("La radiation de cet enregistrement a déjà été demandée.")
    return None


@transition(REGISTRATION, "request_deregistration", source=LIVE, target=None, by=(HOLDER,),
            label=_l("Demander la radiation"), guard=deregistration_not_requested,
            events=("deregistration_requested",),
            inputs={"reason": required_text(_l("Indiquez pourquoi vous demandez la radiation."))})
def request_deregistration(actor: User, registration: Registration, reason: str) -> Registration:
    """The holder no longer exports under the arrangement (IA Art. 89(1)): an officer confirms."""
    registration.deregistration_requested_at = utcnow()
    registration.updated_at = registration.deregistration_requested_at
    record(registration.application, "deregistration_requested", actor, comment=reason, registration=registration)
    post(registration.application, actor, reason, "deregistration_requested", registration=registration)
    return registration


@transition(REGISTRATION, "comment", source=(R.GRANTED, R.MODIFICATION_REQUESTED, R.REVOKED), target=None,
            by=(HOLDER, OFFICE), label=_l("Envoyer le message"), events=("comment",), emails=("new_message",),
            inputs={"body": required_text(_l("Votre message est vide."))})
def comment(actor: User, registration: Registration, body: str) -> DiscussionMessage:
    """The thread stays open at every status, revoked included (guide 7.3); it changes no status."""
    message = post(registration.application, actor, body, registration=registration)
    record(registration.application, "comment", actor, comment=body, registration=registration)
    registration.updated_at = utcnow()
    if actor.is_staff:
        _notify("new_message", registration, message=body)
    return message


# --- the office ----------------------------------------------------------------------------------

@transition(APPLICATION, "grant", kinds=(MODIFICATION,), source=(S.UNDER_REVIEW,), target=S.GRANTED,
            by=(OFFICE,), label=_l("Valider la modification"), events=("modification_validated", "new_version"),
            emails=("modification_validated",), effects=(background.REX_TRANSMISSIONS,))
def validate_modification(actor: User, application: Application) -> Registration:
    """The targeted version becomes 'Version antérieure' and a new version, same number and validity, holds the
    modified content; the Commission's REX is told."""
    current = application.registration
    lock_row(current)
    if current.status != R.MODIFICATION_REQUESTED:
        raise WrongStatus(REGISTRATION.wrong_status(status_label(current.status)))
    mark_decided(application, S.GRANTED)
    now = application.decided_at
    current.status = R.SUPERSEDED
    current.updated_at = now
    db.session.flush()  # free the one-live-registration slot before the new version takes it
    version = Registration(
        number=current.number, company_id=current.company_id, application_id=application.id,
        office_id=application.office_id, registered_on=now.date(), valid_from=current.valid_from,
        status=R.GRANTED, version_no=current.version_no + 1, period_no=current.period_no,
        remedy_note=current.remedy_note, created_at=now, updated_at=now)
    hearing.carry_over(current, version)
    db.session.add(version)
    db.session.flush()
    record(application, "modification_validated", actor, registration=current)
    record(application, "new_version", actor, registration=version)
    _notify("modification_validated", version, application)
    queue_transmission(version, application, "modify")
    return version


@kernel.kind_step("closed", MODIFICATION)
def give_back_registration(actor: User | None, application: Application, kind: str,
                           reason: str | None = None) -> None:
    """A submitted modification request that ends without a new version (refused, abandoned): the version it
    targeted is granted again, unchanged."""
    registration = application.registration
    lock_row(registration)
    if registration.status != R.MODIFICATION_REQUESTED:
        return
    registration.status = R.GRANTED
    registration.updated_at = utcnow()
    record(application, kind, actor, comment=reason, registration=registration)
    if kind == "modification_refused":
        _notify("modification_refused", registration, application, reason=reason)


@transition(APPLICATION, "reject", kinds=(MODIFICATION,), source=(S.UNDER_REVIEW, S.INCOMPLETE),
            target=S.REJECTED, by=(OFFICE,), label=_l("Refuser la modification"),
            events=("rejected", "modification_refused"), emails=("modification_refused",),
            inputs={"reason": required_text(_l("Le motif du rejet est obligatoire."))})
def refuse_modification(actor: User, application: Application, reason: str) -> Application:
    """The registration stays in its version, granted again; the holder is told why."""
    mark_decided(application, S.REJECTED)
    record(application, "rejected", actor, comment=reason)
    give_back_registration(actor, application, "modification_refused", reason)
    return application


def _close_pending_modification(actor: User, registration: Registration) -> None:
    pending = pending_modification(registration)
    if pending is None:
        return
    submitted = pending.status != S.DRAFT
    mark_decided(pending, S.REJECTED if submitted else S.ABANDONED)
    record(pending, "rejected" if submitted else "draft_abandoned", actor,
           comment=str(_l("Enregistrement révoqué : la demande de modification est close.")))


def decided_ground(value, field_name) -> RevocationGround | None:
    """The ground of the revocation: the one notified to the holder when none is given."""
    if value in (None, ""):
        return None
    return revocation_ground(value, field_name)


@transition(REGISTRATION, "revoke", source=LIVE, target=R.REVOKED, by=(OFFICE,),
            label=_l("Révoquer l'enregistrement"), guard=hearing.heard,
            events=("revoked", "rejected", "draft_abandoned"), emails=("revoked",),
            effects=(background.REX_TRANSMISSIONS,),
            inputs={"ground": decided_ground,
                    "comment_text": required_text(_l("Le commentaire de la révocation est obligatoire."),
                                                  field="comment")})
def revoke(actor: User, registration: Registration, ground: str | None, comment_text: str) -> Registration:
    """Officer: IA Art. 89, once the holder was heard on the grounds notified (app/workflow/hearing.py), their
    observations quoted. The revocation applies from today; a pending modification request is closed."""
    heard_on = registration.hearing_ground
    if ground is None:
        ground = heard_on
    if ground is None:
        raise WorkflowError(_l("Choisissez le motif de la révocation."), field="ground")
    if heard_on is not None and ground != heard_on and ground != RevocationGround.HOLDER_REQUEST:
        raise WorkflowError(_l("Le titulaire a été entendu sur le motif « %(ground)s » : pour révoquer sur un "
                               "autre motif, abandonnez la procédure et notifiez une nouvelle intention.",
                               ground=ground_label(heard_on)), field="ground")
    now = utcnow()
    _close_pending_modification(actor, registration)
    answer = registration.hearing_answer
    answered_at = registration.hearing_answered_at
    registration.status = R.REVOKED
    registration.revoked_on = now.date()
    registration.revocation_ground = ground
    registration.updated_at = now
    reason = f"{ground_label(ground)}. {comment_text}"
    if heard_on is not None:
        if answer:
            reason += "\n\n" + str(_l("Observations du titulaire du %(date)s :", date=f"{answered_at:%d/%m/%Y}"))
            reason += f"\n« {answer} »"
        else:
            reason += "\n\n" + str(_l("Le titulaire n'a pas présenté d'observations dans le délai qui lui était "
                                       "imparti."))
    hearing.clear(registration)
    record(registration.application, "revoked", actor, comment=reason, registration=registration)
    _notify("revoked", registration, reason=reason)
    queue_transmission(registration, registration.application, "revoke")
    return registration


@transition(REGISTRATION, "cancel_revocation", source=(R.REVOKED,), target=R.GRANTED, by=(OFFICE,),
            label=_l("Annuler la révocation"), events=("revocation_cancelled",), emails=("revocation_cancelled",),
            effects=(background.REX_TRANSMISSIONS,), inputs={"comment_text": optional_text(field="comment")})
def cancel_revocation(actor: User, registration: Registration, comment_text: str | None = None) -> Registration:
    """Officer: the registration is 'Octroyée' again, from its original validity date."""
    newer = db.session.scalar(select(Registration.number).where(
        Registration.company_id == registration.company_id, Registration.status.in_(LIVE)))
    if newer:
        raise WorkflowError(_l("L'opérateur détient déjà un enregistrement en vigueur (%(number)s) : la "
                               "révocation ne peut pas être annulée.", number=newer))
    registration.status = R.GRANTED
    registration.revoked_on = None
    registration.revocation_ground = None
    registration.deregistration_requested_at = None
    registration.updated_at = utcnow()
    db.session.flush()
    record(registration.application, "revocation_cancelled", actor, comment=comment_text,
           registration=registration)
    _notify("revocation_cancelled", registration, comment=comment_text)
    queue_transmission(registration, registration.application, "modify")
    return registration


def deregistration_requested(actor: User, registration: Registration):
    """the holder asked to be deregistered"""
    if registration.deregistration_requested_at is None:
        return _l("Le titulaire n'a pas demandé la radiation de cet enregistrement.")
    return None


@transition(REGISTRATION, "confirm_deregistration", source=LIVE, target=R.REVOKED, by=(OFFICE,),
            label=_l("Confirmer la radiation"), guard=deregistration_requested,
            events=("revoked", "rejected", "draft_abandoned"),
            emails=("revoked",), effects=(background.REX_TRANSMISSIONS,),
            inputs={"comment_text": required_text(_l("Le commentaire de la révocation est obligatoire."),
                                                  field="comment")})
def confirm_deregistration(actor: User, registration: Registration, comment_text: str) -> Registration:
    """The holder's request, confirmed: a revocation on that ground."""
    return revoke.__wrapped__(actor, registration, RevocationGround.HOLDER_REQUEST, comment_text)


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
