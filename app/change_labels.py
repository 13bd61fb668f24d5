"""How a person reads a change recorded in a history event: the form's labels instead of the workflow's field
keys ("goods[1].description" is "Marchandise 1 — Description"), and values as the form shows them (an office's
name, "Oui", a country's name) instead of ids and codes.

The keys are those the workflow records (app/workflow/content.py flatten, instruction.assign/reassign/_correct,
eori.save_draft); events already stored read the same way.
"""
import re
from datetime import date

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from app.extensions import db
from app.models import Company, Office
from app.reference.countries import country_name

SEPARATOR = " — "

# The filing form (app/operator/forms.py), its sections and their fields.
SECTIONS = {
    "exporter": _l("Exportateur"),
    "representative": _l("Représentant"),
    "undertaking": _l("Mentions et engagements"),
    "consent": _l("Consentement à la publication des données"),
}
ROWS = {"contacts": _l("Contact %(num)s"), "goods": _l("Marchandise %(num)s")}
PARTY_FIELDS = {
    "eori": _l("Numéro EORI"), "name": _l("Raison sociale"), "address": _l("Numéro et voie"),
    "postcode": _l("Code postal"), "city": _l("Ville"), "country": _l("Pays"), "phone": _l("Téléphone"),
    "email": _l("Courriel"), "fax": _l("Fax"),
}
SECTION_FIELDS = {
    "contacts": {**PARTY_FIELDS, "full_name": _l("Nom et prénom")},
    "goods": {"heading": _l("Position tarifaire"), "description": _l("Description")},
    "undertaking": {"accepted": _l("Je m'engage à souscrire"),
                    "signatory_name": _l("Nom et prénom de la personne qui s'engage"),
                    "signatory_function": _l("Fonction au sein de l'établissement demandeur de la personne "
                                             "qui s'engage"),
                    "place": _l("Lieu d'engagement")},
    "consent": {"consent": _l("Consentement à la publication des données"),
                "signatory_name": _l("Nom et prénom du signataire habilité"),
                "signatory_function": _l("Fonction au sein de l'établissement demandeur du signataire habilité"),
                "place": _l("Lieu")},
}
FIELDS = {
    # The filing form's own fields, and the officers' actions.
    "office_id": _l("Service compétent"),
    "company_id": _l("Raison sociale"),
    "main_activity": _l("Activité principale"),
    "relations": _l("Relation(s) préférentielle(s)"),
    "assigned_officer": _l("Agent en charge"),
    "office": _l("Service"),
    # The EORI form (app/operator/eori_forms.py).
    "basis": _l("Type de numéro"),
    "person_type": _l("Type de personne"),
    "name": _l("Raison sociale, nom du groupement ou nom de naissance"),
    "first_name": _l("Prénom"),
    "legal_form": _l("Statut juridique (catégorie juridique INSEE)"),
    "created_on": _l("Date de création, ou date de naissance d'une personne physique"),
    "siren": _l("Numéro SIREN"),
    "siret": _l("Numéro SIRET"),
    "vat_number": _l("Numéro de TVA intracommunautaire"),
    "ape_code": _l("Code APE (NAF rév. 2)"),
    "address": _l("Numéro et voie"),
    "postcode": _l("Code postal"),
    "city": _l("Ville"),
    "country": _l("Pays"),
    "phone": _l("Téléphone"),
    "email": _l("Courriel"),
    "contact_name": _l("Nom et prénom de la personne à contacter"),
    "contact_phone": _l("Téléphone de la personne à contacter"),
    "contact_email": _l("Courriel de la personne à contacter"),
    "publication_consent": _l("Consentement à la publication"),
    "no_other_eori": _l("Je déclare ne pas détenir de numéro EORI dans un autre État membre de l'Union "
                        "européenne"),
    "undertaking": _l("Je m'engage à communiquer à l'administration des douanes tout changement des "
                      "informations fournies"),
}
CHOICES = {
    "main_activity": {"production": _l("Production"), "trade": _l("Commercialisation")},
    "basis": {"siret": _l("EORI-SIRET"), "siren": _l("EORI-SIREN")},
    "person_type": {"natural": _l("Personne physique"), "legal": _l("Personne morale"),
                    "association": _l("Association de personnes")},
}
KEY = re.compile(r"^(?P<section>[a-z_]+)(?:\[(?P<row>\d+)\])?\.(?P<field>[a-z_]+)$")


def _parts(key: str) -> tuple[str, str | None, str]:
    """("goods", "1", "description") for "goods[1].description"; ("", None, key) for a plain field."""
    match = KEY.match(key or "")
    if match is None:
        return "", None, key
    return match["section"], match["row"], match["field"]


def change_label(key: str) -> str:
    section, row, field = _parts(key)
    if not section:
        return str(FIELDS.get(field, field))
    if row is not None and section in ROWS:
        prefix = str(ROWS[section]) % {"num": row}
    elif section in SECTIONS:
        prefix = str(SECTIONS[section])
    else:
        return key
    label = SECTION_FIELDS.get(section, PARTY_FIELDS).get(field)
    if label is None:
        return key
    return prefix if str(label) == prefix else f"{prefix}{SEPARATOR}{label}"


def change_value(key: str, value) -> str:
    """A recorded value as the form shows it; "∅" for nothing."""
    if value is None or value == "":
        return "∅"
    field = _parts(key)[2]
    if isinstance(value, bool):
        return str(_l("Oui") if value else _l("Non"))
    if field in CHOICES:
        return str(CHOICES[field].get(value, value))
    if field == "country":
        return country_name(str(value), str(get_locale() or "fr")) or str(value)
    if key in ("office_id", "company_id"):
        row = db.session.get(Office if key == "office_id" else Company, int(value)) if str(value).isdigit() else None
        return row.name if row is not None else str(value)
    if field == "created_on":
        try:
            return date.fromisoformat(str(value)).strftime("%d/%m/%Y")
        except ValueError:
            return str(value)
    return str(value)
