"""EORI applications (seed 004): the same workflow as REX, with its own form and its own grant.

    draft --submit--> under_review --request_information--> incomplete --complete--> under_review
    under_review --grant--> granted: the company is created with its number FR + SIRET or FR + SIREN,
                            and the applicant may act for it (certification)
    under_review | incomplete --reject--> rejected;  (30 days) incomplete --> rejected automatically
    a granted EORI --invalidate--> invalidated (at the holder's request, or on cessation of activity)

Requests for information, rejection, reassignment and the deadline sweep are those of
app/workflow/applications.py; this module declares the EORI form's creation, saving and submission, the grant
(the number) and the invalidation, and registers the EORI rules of validation.
"""
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.extensions import db
from app import background
from app.models import (
    Application, ApplicationKind, ApplicationStatus, Certification, Company, EoriBasis, EoriRequest, PersonType,
    Registration, RevocationGround, Role, User,
)
from app.models._time import utcnow
from app.models.applications import EDITABLE_STATUSES
from app.models.registrations import ACTIVE_REGISTRATION_STATUSES
from app.notifications import email_context, queue_email
from app.workflow import eori_rules, kernel
from app.workflow.applications import (
    flush_pending, mark_decided, mark_submitted, new_file, validation_errors as file_errors,
)
from app.workflow.errors import Incomplete, WorkflowError
from app.workflow.history import record, touch
from app.workflow.kernel import required_text, transition
from app.workflow.subjects import (
    APPLICANT, APPLICATION, EORI_INVALIDATED, EORI_NUMBER, EORI_VALID, HOLDER, OFFICE,
)

S = ApplicationStatus
EORI = ApplicationKind.EORI
TEXT_FIELDS = ("name", "first_name", "legal_form", "address", "postcode", "city", "country", "phone", "email",
               "contact_name", "contact_phone", "contact_email")
IDENTIFIERS = ("siren", "siret", "vat_number", "ape_code")
FIELDS = ("basis", "person_type", *TEXT_FIELDS, "created_on", *IDENTIFIERS, "publication_consent",
          "no_other_eori", "undertaking")
# DA Art. 7: at the holder's request, or when the office learns that the activity has ceased.
INVALIDATION_REASONS = {"holder_request": _l("À la demande du titulaire"),
                        "ceased": _l("Cessation de l'activité")}


def content_of(request: EoriRequest) -> dict:
    return {name: getattr(request, name) for name in FIELDS}


@transition(APPLICATION, "create_draft", kinds=(EORI,), source=None, target=S.DRAFT, by=(APPLICANT,),
            label=_l("Demande de numéro EORI"), events=("draft_created",),
            refusal=_l("Seul un opérateur ou un représentant en douane peut déposer une demande."))
def create_draft(actor: User) -> Application:
    """'Déposer une demande' › EORI: no certification needed, the company does not exist yet."""
    application = Application(kind=EORI, created_by_id=actor.id, status=S.DRAFT)
    application.eori_request = EoriRequest(country="FR", basis=EoriBasis.SIRET)
    new_file(application)
    record(application, "draft_created", actor)
    return application


def _apply(application: Application, content: dict, office_id: int | None) -> None:
    request = application.eori_request
    for name, kind in (("basis", EoriBasis), ("person_type", PersonType)):
        try:
            setattr(request, name, kind(content[name]) if content.get(name) else None)
        except ValueError:
            raise WorkflowError(_l("Choisissez une des valeurs proposées."), field=name) from None
    for name in TEXT_FIELDS:  # one-line fields: a line break typed or pasted becomes a space
        setattr(request, name, " ".join((content.get(name) or "").split()) or None)
    for name in IDENTIFIERS:
        setattr(request, name, eori_rules.compact(content.get(name), keep_dots=name == "ape_code") or None)
    if request.siret and not request.siren:  # the SIREN is the SIRET's first 9 digits
        request.siren = request.siret[:9]
    if request.basis == EoriBasis.SIREN:
        request.siret = None
    request.created_on = content.get("created_on")
    request.publication_consent = content.get("publication_consent")
    request.no_other_eori = bool(content.get("no_other_eori"))
    request.undertaking = bool(content.get("undertaking"))
    application.office_id = office_id
    # The queues, grids and emails read the applicant's identity in the exporter columns of every file.
    application.exporter_eori = request.eori
    application.exporter_name = " ".join(filter(None, (request.first_name, request.name))) or None
    for name in ("address", "postcode", "city", "country", "phone", "email"):
        setattr(application, f"exporter_{name}", getattr(request, name))


@transition(APPLICATION, "save_draft", kinds=(EORI,), source=EDITABLE_STATUSES, target=None, by=(HOLDER,),
            label=_l("Reprendre ma saisie plus tard"), events=())
def save_draft(actor: User, application: Application, content: dict, office_id: int | None) -> Application:
    """'Reprendre ma saisie plus tard', or the edits of 'Compléter la demande'. Identifiers typed are
    checked now, beside their fields; what is missing is reported at validation."""
    if application.status == S.INCOMPLETE and application.complement_baseline is None:
        before = content_of(application.eori_request)
        application.complement_baseline = {"office_id": application.office_id,
                                           "content": {k: _text(before[k]) for k in FIELDS}}
    _apply(application, content, office_id)
    errors = eori_rules.field_errors(application.eori_request)
    if errors:  # every malformed identifier at once, each beside its field
        raise Incomplete(_l("Certains champs sont mal renseignés : corrigez les champs signalés."), errors)
    flush_pending(application)  # an incomplete file whose number another pending file now asks for
    touch(application)
    return application


@kernel.kind_step("complement_changes", EORI)
def complement_changes(application: Application) -> list[dict]:
    """What the complement changed since the holder began it (recorded when it is transmitted)."""
    before = application.complement_baseline["content"]
    after = content_of(application.eori_request)
    return [{"field": k, "old": before[k], "new": _text(after[k])} for k in FIELDS if before[k] != _text(after[k])]


@kernel.kind_step("restore_complement", EORI)
def restore_complement(actor: User, application: Application) -> None:
    baseline = application.complement_baseline
    content = dict(baseline["content"])
    if content.get("created_on"):
        content["created_on"] = date.fromisoformat(content["created_on"])
    _apply(application, content, baseline["office_id"])


def _text(value):
    return getattr(value, "value", value) if not isinstance(value, date) else value.isoformat()


@kernel.kind_step("validation_errors", EORI)
def validation_errors(application: Application) -> dict[str, str]:
    errors = eori_rules.completeness_errors(application.eori_request)
    if not application.office_id:
        errors["office_id"] = eori_rules.REQUIRED
    return errors


@transition(APPLICATION, "submit", kinds=(EORI,), source=(S.DRAFT,), target=S.UNDER_REVIEW, by=(HOLDER,),
            label=_l("Soumettre ma demande"), events=("submitted",), emails=("submitted",))
def submit(actor: User, application: Application) -> Application:
    errors = file_errors(application)
    if errors:
        raise Incomplete(_l("La demande ne peut pas être soumise : corrigez les champs signalés."), errors)
    mark_submitted(application)
    record(application, "submitted", actor)
    queue_email("submitted", application.exporter_email, **email_context(application))
    return application


@transition(APPLICATION, "grant", kinds=(EORI,), source=(S.UNDER_REVIEW,), target=S.GRANTED, by=(OFFICE,),
            label=_l("Attribuer le numéro EORI"), events=("eori_granted",), emails=("eori_granted",))
def grant(actor: User, application: Application) -> Company:
    """The company exists from now on, with its number, and the applicant acts for it (certification)."""
    request = application.eori_request
    error = eori_rules.taken_error(request)
    if error:
        raise WorkflowError(error)
    mark_decided(application, S.GRANTED)
    company = Company(
        eori=request.eori, name=application.exporter_name, address=request.address, postcode=request.postcode,
        city=request.city, country=request.country or "FR", phone=request.phone, email=request.email,
        siren=request.siren, siret=request.siret, office_id=application.office_id,
        eori_granted_on=application.decided_at.date(),
        eori_publication_consent=bool(request.publication_consent))
    db.session.add(company)
    db.session.flush()
    application.company_id = company.id
    applicant = application.created_by
    # A representative who already acts for its own firm asked for a client's number.
    on_behalf = applicant.role == Role.REPRESENTATIVE and applicant.own_company is not None
    db.session.add(Certification(user_id=applicant.id, company_id=company.id, on_behalf=on_behalf))
    record(application, "eori_granted", actor, comment=company.eori)
    queue_email("eori_granted", application.exporter_email, **email_context(application, company=company))
    return company


def granting_application(company: Company) -> Application | None:
    return db.session.scalar(select(Application).where(Application.company_id == company.id,
                                                       Application.kind == EORI,
                                                       Application.status == S.GRANTED))


def invalidation_reason(value, field_name) -> str:
    if value not in INVALIDATION_REASONS:
        raise WorkflowError(_l("Choisissez le motif de l'invalidation."), field=field_name)
    return value


@transition(EORI_NUMBER, "invalidate", source=(EORI_VALID,), target=EORI_INVALIDATED, by=(OFFICE,),
            label=_l("Invalider le numéro EORI"), events=("eori_invalidated", "revoked"),
            emails=("eori_invalidated", "revoked"), effects=(background.REX_TRANSMISSIONS,),
            wrong_status=_l("Ce numéro EORI est déjà invalidé."),
            inputs={"reason": invalidation_reason,
                    "comment": required_text(_l("Le commentaire de l'invalidation est obligatoire."))})
def invalidate(actor: User, company: Company, reason: str, on: date | None, comment: str) -> Company:
    """Officer of the office that granted the number (DA Art. 7); the data stay 10 years after."""
    on = on or utcnow().date()
    if on > utcnow().date():
        raise WorkflowError(_l("La date d'invalidation ne peut pas être dans le futur."), field="on")
    company.eori_invalidated_on = on
    company.eori_invalidation_reason = reason
    application = granting_application(company)
    record(application, "eori_invalidated", actor, office_id=company.office_id,
           comment=f"{company.eori} — {INVALIDATION_REASONS[reason]} ({on:%d/%m/%Y}). {comment}")
    queue_email("eori_invalidated", company.email, company=company, on=on,
                reason=str(INVALIDATION_REASONS[reason]), comment=comment,
                base_url=email_context(application)["base_url"])
    if reason == "ceased":
        _revoke_live_registration(actor, company, on)
    return company


def _revoke_live_registration(actor: User, company: Company, on: date) -> None:
    """Cessation of activity: the company's live REX registration is revoked on that ground (IA Art. 89(2)) and
    the Commission told. No hearing: the fact is the invalidation itself (docs/decisions.md)."""
    from app.workflow import hearing, registrations
    live = db.session.scalar(select(Registration).where(Registration.company_id == company.id,
                                                        Registration.status.in_(ACTIVE_REGISTRATION_STATUSES)))
    if live is None:
        return
    kernel.lock_row(live)
    hearing.clear(live)
    registrations.revoke.__wrapped__(
        actor, live, RevocationGround.CEASED_TO_EXIST,
        str(_l("Numéro EORI %(number)s invalidé le %(date)s (cessation de l'activité).", number=company.eori,
               date=f"{on:%d/%m/%Y}")))


def reactivation_allowed(actor: User, company: Company):
    """invalidated on cessation of activity (a number given up at the holder's request is not taken back)"""
    if company.eori_invalidation_reason != "ceased":
        return _l("Seul un numéro invalidé pour cessation d'activité peut être réactivé.")
    return None


@transition(EORI_NUMBER, "reactivate", source=(EORI_INVALIDATED,), target=EORI_VALID, by=(OFFICE,),
            label=_l("Réactiver le numéro EORI"), guard=reactivation_allowed,
            events=("eori_reactivated",), emails=("eori_reactivated",),
            wrong_status=_l("Ce numéro EORI est valide."),
            inputs={"comment": required_text(_l("Le commentaire de la réactivation est obligatoire."),
                                             field="reactivation_comment")})
def reactivate(actor: User, company: Company, comment: str) -> Company:
    """The firm resumes its activity: the same number is valid again (the public check says so). Its REX
    registration, revoked on the cessation, is not restored: the holder applies again (a new period)."""
    invalidated_on = company.eori_invalidated_on
    company.eori_invalidated_on = None
    company.eori_invalidation_reason = None
    application = granting_application(company)
    record(application, "eori_reactivated", actor, office_id=company.office_id,
           comment=f"{company.eori} — {comment} ({_l('invalidé le')} {invalidated_on:%d/%m/%Y})")
    queue_email("eori_reactivated", company.email, company=company, comment=comment,
                base_url=email_context(application)["base_url"])
    return company


def retention_end(company: Company) -> date | None:
    """Data of an invalidated number are kept 10 calendar years after the year of invalidation."""
    if company.eori_invalidated_on is None:
        return None
    return date(company.eori_invalidated_on.year + 10, 12, 31)
