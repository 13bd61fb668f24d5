"""The rules of the EORI form (domain.md 3): identifiers with their check digits, and one EORI per holder.

SIREN and SIRET check digits (Luhn, and La Poste's establishments whose SIRET digits sum to a multiple of
5) and the VAT key are python-stdnum's; this module only says what a person reads when one is wrong.
"""
import re
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from stdnum.exceptions import ValidationError
from stdnum.fr import siren as stdnum_siren, siret as stdnum_siret, tva as stdnum_tva

from app.extensions import db
from app.models import Application, ApplicationKind, ApplicationStatus, Company, EoriBasis, EoriRequest, PersonType

REQUIRED = _l("Ce champ est obligatoire.")
APE = re.compile(r"^\d{2}\.\d{2}[A-Z]$")
LEGAL_FORM = re.compile(r"^\d{4}$")
PENDING = (ApplicationStatus.DRAFT, ApplicationStatus.UNDER_REVIEW, ApplicationStatus.INCOMPLETE)
ALREADY_REQUESTED = _l("Une demande de numéro EORI est déjà en cours pour ce numéro.")


def identifier_field(request: EoriRequest) -> str:
    """The field that carries the number an EORI application asks for."""
    return "siret" if request.basis == EoriBasis.SIRET else "siren"


def compact(value: str | None, keep_dots: bool = False) -> str:
    """What people type (spaces, dots, dashes, lower case) reduced to the identifier; an APE code keeps its
    dot (46.90Z), which is part of its format."""
    return re.sub(r"[\s\-]" if keep_dots else r"[\s.\-]", "", value or "").upper()


def siren_error(value: str):
    try:
        stdnum_siren.validate(value)
    except ValidationError:
        return _l("Numéro SIREN invalide : 9 chiffres dont le dernier est une clé de contrôle ; vérifiez-le sur "
                  "votre extrait Kbis ou votre avis de situation INSEE.")
    return None


def siret_error(value: str):
    try:
        stdnum_siret.validate(value)
    except ValidationError:
        return _l("Numéro SIRET invalide : 14 chiffres (le SIREN suivi des 5 chiffres de l'établissement) dont la "
                  "clé de contrôle ne correspond pas.")
    return None


def vat_error(vat: str, siren: str | None):
    try:
        digits = stdnum_tva.validate(vat)  # without the FR prefix: the key, then the SIREN
    except ValidationError:
        return _l("Numéro de TVA intracommunautaire invalide : FR, une clé de 2 caractères, puis le SIREN.")
    if siren and digits[2:] != siren:
        return _l("Ce numéro de TVA ne correspond pas au SIREN %(siren)s.", siren=siren)
    return None


def taken_error(request: EoriRequest):
    """One EORI per SIREN (EORI-SIREN) or per establishment (EORI-SIRET), granted or being requested."""
    number = request.eori
    if number is None:
        return None
    # Neither the holder's name nor the reference of another person's file: only that the number is taken.
    if db.session.scalar(select(Company.id).where(Company.eori == number)):
        return _l("Le numéro EORI %(number)s est déjà attribué.", number=number)
    column = EoriRequest.siret if request.basis == EoriBasis.SIRET else EoriRequest.siren
    value = request.siret if request.basis == EoriBasis.SIRET else request.siren
    pending = db.session.scalar(
        select(Application.id).join(EoriRequest, EoriRequest.application_id == Application.id)
        .where(Application.kind == ApplicationKind.EORI, Application.status.in_(PENDING[1:]),
               Application.id != request.application_id, EoriRequest.basis == request.basis, column == value))
    if pending:
        return ALREADY_REQUESTED
    return None


def field_errors(request: EoriRequest) -> dict[str, str]:
    """The format of each identifier typed, whether or not the form is complete."""
    errors = {}
    if request.siren and (error := siren_error(request.siren)):
        errors["siren"] = error
    if request.siret:
        if error := siret_error(request.siret):
            errors["siret"] = error
        elif request.siren and request.siret[:9] != request.siren:
            errors["siret"] = _l("Le SIRET doit commencer par le SIREN %(siren)s.", siren=request.siren)
    if request.vat_number and (error := vat_error(request.vat_number, request.siren)):
        errors["vat_number"] = error
    if request.ape_code and not APE.match(request.ape_code):
        errors["ape_code"] = _l("Code APE (NAF rév. 2) invalide : 4 chiffres et une lettre, par exemple 46.90Z.")
    if request.legal_form and not LEGAL_FORM.match(request.legal_form):
        errors["legal_form"] = _l("Catégorie juridique INSEE : 4 chiffres, par exemple 5710 pour une SAS.")
    if request.created_on and request.created_on > date.today():
        errors["created_on"] = _l("La date ne peut pas être dans le futur.")
    return errors


def completeness_errors(request: EoriRequest) -> dict[str, str]:
    """Every rule of the EORI form; an empty dict means it may be submitted."""
    errors = {}
    required = ["basis", "person_type", "name", "created_on", "siren", "address", "postcode", "city", "country",
                "phone", "email", "contact_name"]
    if request.basis == EoriBasis.SIRET:
        required.append("siret")
    if request.person_type == PersonType.NATURAL:
        required.append("first_name")
    elif request.person_type is not None:
        required.extend(["legal_form", "ape_code"])
    for name in required:
        if getattr(request, name) in (None, ""):
            errors[name] = REQUIRED
    errors.update(field_errors(request))
    if request.publication_consent is None:
        errors["publication_consent"] = _l("Indiquez si vous consentez à la publication des données.")
    if not request.no_other_eori:
        errors["no_other_eori"] = _l("Vous devez déclarer ne pas détenir de numéro EORI dans un autre État membre.")
    if not request.undertaking:
        errors["undertaking"] = _l("Vous devez vous engager à communiquer tout changement à l'administration.")
    if not errors and (error := taken_error(request)):
        errors[identifier_field(request)] = error
    return errors
