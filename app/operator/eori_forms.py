"""The EORI form (seed 004, CERFA 13930*01): its fields as WTForms, and their translation to the content
dict of app.workflow.eori.save_draft."""
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, HiddenField, RadioField, SelectField
from wtforms.validators import Optional

from app.forms import Form
from app.models import EoriBasis, PersonType
from app.application_form import country_field, text_field
from app.workflow.eori import FIELDS

BAD_DATE = _l("Date invalide : saisissez-la au format jj/mm/aaaa.")
CONSENT = {"yes": True, "no": False}


class _DateField(DateField):
    """The browser's date picker sends 2024-05-14; a browser without it sends what was typed (14/05/2024)."""

    def __init__(self, label, **kwargs):
        super().__init__(label, format=["%Y-%m-%d", "%d/%m/%Y"], validators=[Optional()], **kwargs)

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(BAD_DATE) from None


class EoriForm(Form):
    version = HiddenField()  # the file's version when the form was opened, to detect concurrent changes

    office_id = SelectField(_l("Service compétent"), coerce=lambda v: int(v) if v not in (None, "", "None") else None,
                            validators=[Optional()], validate_choice=True)
    basis = RadioField(_l("Type de numéro"), validators=[Optional()], choices=[
        (EoriBasis.SIRET.value, _l("EORI-SIRET : FR suivi du numéro SIRET de l'établissement (14 chiffres)")),
        (EoriBasis.SIREN.value, _l("EORI-SIREN : FR suivi du numéro SIREN de l'entreprise (9 chiffres)"))])

    person_type = RadioField(_l("Type de personne"), validators=[Optional()], choices=[
        (PersonType.NATURAL.value, _l("Personne physique")), (PersonType.LEGAL.value, _l("Personne morale")),
        (PersonType.ASSOCIATION.value, _l("Association de personnes"))])
    name = text_field(_l("Raison sociale, nom du groupement ou nom de naissance"), 200)
    first_name = text_field(_l("Prénom"), 100)
    legal_form = text_field(_l("Statut juridique (catégorie juridique INSEE)"), 10)
    created_on = _DateField(_l("Date de création, ou date de naissance d'une personne physique"))
    siren = text_field(_l("Numéro SIREN"), 20)
    siret = text_field(_l("Numéro SIRET"), 24)
    vat_number = text_field(_l("Numéro de TVA intracommunautaire"), 20)
    ape_code = text_field(_l("Code APE (NAF rév. 2)"), 10)

    address = text_field(_l("Numéro et voie"), 200)
    postcode = text_field(_l("Code postal"), 20)
    city = text_field(_l("Ville"), 100)
    country = country_field()
    phone = text_field(_l("Téléphone"), 40)
    email = text_field(_l("Courriel"), 254, email=True)

    contact_name = text_field(_l("Nom et prénom de la personne à contacter"), 200)
    contact_phone = text_field(_l("Téléphone de la personne à contacter"), 40)
    contact_email = text_field(_l("Courriel de la personne à contacter"), 254, email=True)

    publication_consent = RadioField(_l("Consentement à la publication"), validators=[Optional()],
                                     choices=[("yes", _l("Oui")), ("no", _l("Non"))])
    no_other_eori = BooleanField(_l("Je déclare ne pas détenir de numéro EORI dans un autre État membre de l'Union "
                                    "européenne"))
    undertaking = BooleanField(_l("Je m'engage à communiquer à l'administration des douanes tout changement des "
                                  "informations fournies"))


def set_choices(form: EoriForm, offices) -> None:
    from flask_babel import get_locale

    from app.reference.countries import country_choices

    form.office_id.choices = [("", _l("Choisir le service compétent"))] + [
        (o.id, f"{o.name} ({o.code})") for o in offices]
    form.country.choices = [("", _l("Rechercher un pays"))] + country_choices(str(get_locale() or "fr"))


def form_to_content(form: EoriForm) -> dict:
    content = {name: form[name].data for name in FIELDS}
    content["publication_consent"] = CONSENT.get(form.publication_consent.data)
    return content


def content_to_formdata(content: dict, office_id: int | None) -> dict:
    """Data to pre-fill the form from a saved application."""
    data = {name: getattr(value, "value", value) for name, value in content.items()}
    data["publication_consent"] = {True: "yes", False: "no"}.get(content["publication_consent"])
    data["office_id"] = office_id
    return data


def attach_errors(form: EoriForm, errors: dict) -> dict:
    """Put each rule's message beside its field; return those no field of the form shows."""
    unplaced = {}
    for name, message in errors.items():
        if name in form:
            form[name].errors = [*form[name].errors, str(message)]
        else:
            unplaced[name] = message
    return unplaced
