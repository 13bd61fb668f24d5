"""The rules a REX application must pass before it can be submitted (seed guide, section 5).

Each check returns errors keyed by the path of the field they belong to, so that
forms show them beside the field and the workflow refuses with the same words.
"""
import re

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.extensions import db
from app.models import (
    Application, ApplicationKind, Company, PreferentialRelation, Registration, TariffHeading,
)
from app.models.applications import PENDING_STATUSES
from app.models.registrations import ACTIVE_REGISTRATION_STATUSES
from app.reference.countries import is_country
from app.workflow.content import CONTACT_FIELDS, ApplicationContent

MAX_CONTACTS = 9
MAX_GOODS_LINES = 99
REQUIRED = _l("Ce champ est obligatoire.")
NUL_CHARACTER = _l("Ce champ contient un caractère non autorisé (caractère nul) : retirez-le.")
_HEADING_RE = re.compile(r"^\s*(\d{4})\b")
_RELATION_SPLIT = re.compile(r"[\s,;]+")


def has_nul(value) -> bool:
    """PostgreSQL cannot store a NUL character in text: app/forms.py and the workflow refuse it beside its field."""
    return isinstance(value, str) and "\x00" in value


def parse_heading(text: str | None) -> str | None:
    """'3923 - Plastic articles…' or '3923' -> '3923'."""
    match = _HEADING_RE.match(text or "")
    return match.group(1) if match else None


def heading_errors(goods: list[dict]) -> dict[str, str]:
    errors: dict[str, str] = {}
    codes = [parse_heading(line.get("heading")) for line in goods]
    known = set(db.session.scalars(
        select(TariffHeading.code).where(TariffHeading.code.in_([c for c in codes if c]))))
    known_chapters = set(db.session.scalars(
        select(TariffHeading.code).where(TariffHeading.code.in_([c[:2] for c in codes if c]))))
    whole_chapters = {c[:2] for c in codes if c and c.endswith("00") and c[:2] in known_chapters}
    seen: set[str] = set()
    for i, (line, code) in enumerate(zip(goods, codes)):
        if not (line.get("heading") or "").strip():
            errors[f"goods-{i}-heading"] = REQUIRED
        elif code is None:
            errors[f"goods-{i}-heading"] = _l("Saisissez une position tarifaire à 4 chiffres (ex. 3923).")
        elif code.endswith("00"):
            if code[:2] not in known_chapters:
                errors[f"goods-{i}-heading"] = _l("Le chapitre %(chapter)s n'existe pas dans le Système harmonisé.",
                                                  chapter=code[:2])
        elif code not in known:
            errors[f"goods-{i}-heading"] = _l("La position tarifaire %(code)s n'existe pas.", code=code)
        elif code[:2] in whole_chapters:
            errors[f"goods-{i}-heading"] = _l(
                "Le chapitre %(chapter)s est déjà déclaré en entier (%(chapter)s00) : "
                "vous ne pouvez pas indiquer d'autre position de ce chapitre.", chapter=code[:2])
        if code and code in seen and f"goods-{i}-heading" not in errors:
            errors[f"goods-{i}-heading"] = _l("Cette position tarifaire figure déjà dans la liste.")
        if code:
            seen.add(code)
        if not (line.get("description") or "").strip():
            errors[f"goods-{i}-description"] = REQUIRED
    return errors


# Codes people type for a relation other than its ISO code: the United Kingdom is GB in ISO 3166, UK in use.
CODE_ALIASES = {"UK": "GB"}


def resolve_relations(tokens: list[str]) -> tuple[list[tuple[str, str]], list[str]]:
    """Map typed codes (ISO country or group acronym) to reference relations.

    Returns the resolved (typed code, relation code) pairs and the codes not understood.
    """
    relations = db.session.scalars(select(PreferentialRelation)).all()
    by_code = {r.code.upper(): r for r in relations}
    resolved, unknown = [], []
    for raw in tokens:
        token = raw.strip().upper()
        if not token:
            continue
        token = CODE_ALIASES.get(token, token)
        if token in by_code:
            resolved.append((by_code[token].code, by_code[token].code))
            continue
        group = next((r for r in relations if token in r.partner_codes), None)
        if group and is_country(token):
            resolved.append((token, group.code))
        else:
            unknown.append(raw.strip())
    return resolved, unknown


def split_relations(text: str | None) -> list[str]:
    return [t for t in _RELATION_SPLIT.split(text or "") if t]


def relation_errors(tokens: list[str]) -> dict[str, str]:
    if not tokens:
        return {"relations": REQUIRED}
    _, unknown = resolve_relations(tokens)
    if unknown:
        return {"relations": _l(
            "Code(s) inconnu(s) : %(codes)s. Indiquez un code pays ISO à deux lettres (ex. CA, JP) "
            "ou l'acronyme d'un groupe (SPG, PTOM, AfOA) d'une relation préférentielle prévoyant le REX.",
            codes=", ".join(unknown))}
    return {}


def contact_errors(contacts: list[dict]) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not contacts:
        errors["contacts"] = _l("Veuillez ajouter au moins un contact.")
    if len(contacts) > MAX_CONTACTS:
        errors["contacts"] = _l("Vous pouvez ajouter jusqu'à %(n)s contacts.", n=MAX_CONTACTS)
    for i, contact in enumerate(contacts):
        for name in CONTACT_FIELDS:
            if name != "fax" and not (contact.get(name) or "").strip():
                errors[f"contacts-{i}-{name}"] = REQUIRED
    return errors


def goods_errors(goods: list[dict]) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not goods:
        errors["goods"] = _l("Veuillez ajouter au moins une position tarifaire.")
    if len(goods) > MAX_GOODS_LINES:
        errors["goods"] = _l("Vous pouvez ajouter jusqu'à %(n)s positions tarifaires.", n=MAX_GOODS_LINES)
    errors.update(heading_errors(goods))
    return errors


def conflicting_file(company_id: int | None, application_id: int | None) -> str | None:
    """One REX registration or pending application per EORI holder (guide 5.1)."""
    if company_id is None:
        return None
    registration = db.session.scalar(select(Registration.number).where(
        Registration.company_id == company_id, Registration.status.in_(ACTIVE_REGISTRATION_STATUSES)))
    if registration:
        return str(_l("Cet opérateur détient déjà le numéro REX %(number)s en cours de validité : "
                      "une nouvelle demande n'est pas acceptée.", number=registration))
    pending = db.session.scalar(select(Application.reference).where(
        Application.company_id == company_id,
        Application.kind == ApplicationKind.REX,
        Application.status.in_(PENDING_STATUSES),
        Application.id != (application_id or 0)))
    if pending:
        return str(_l("Une demande a déjà été déposée pour cet opérateur (%(reference)s) : "
                      "une nouvelle demande n'est pas acceptée.", reference=pending))
    return None


def invalidated_eori(company_id: int | None) -> str | None:
    """A REX registration needs a valid EORI number (domain.md 3): none is filed for an invalidated one."""
    if company_id is None:
        return None
    invalidated_on = db.session.scalar(select(Company.eori_invalidated_on).where(Company.id == company_id))
    if invalidated_on is None:
        return None
    return str(_l("Le numéro EORI de cet opérateur a été invalidé le %(date)s : aucune demande REX ne peut être "
                  "déposée pour lui.", date=invalidated_on.strftime("%d/%m/%Y")))


def completeness_errors(content: ApplicationContent, application_id: int | None = None,
                        modification: bool = False) -> dict[str, str]:
    """Every rule of the form; an empty dict means the application may be submitted. A modification request
    is about the holder's registration, so the one-registration-per-holder rule does not apply to it."""
    errors: dict[str, str] = {}
    if not content.office_id:
        errors["office_id"] = REQUIRED
    if not content.company_id:
        errors["company_id"] = REQUIRED
    for name in ("eori", "name", "address", "postcode", "city", "country", "phone", "email"):
        if not (content.exporter.get(name) or "").strip():
            errors[f"exporter_{name}"] = REQUIRED
    if content.main_activity not in ("production", "trade"):
        errors["main_activity"] = REQUIRED
    errors.update(contact_errors(content.contacts))
    errors.update(goods_errors(content.goods))
    errors.update(relation_errors(content.relations))
    und = content.undertaking
    if not und.get("accepted"):
        errors["undertaking_accepted"] = _l("Vous devez cocher « Je m'engage à souscrire ».")
    for name in ("signatory_name", "signatory_function", "place"):
        if not (und.get(name) or "").strip():
            errors[f"undertaking_{name}"] = REQUIRED
    consent = content.consent
    if consent.get("consent") is None:
        errors["consent"] = _l("Indiquez si vous consentez à la publication des données.")
    for name in ("signatory_name", "signatory_function", "place"):
        if not (consent.get(name) or "").strip():
            errors[f"consent_{name}"] = REQUIRED
    conflict = invalidated_eori(content.company_id) or (
        None if modification else conflicting_file(content.company_id, application_id))
    if conflict:
        errors["company_id"] = conflict
    return errors
