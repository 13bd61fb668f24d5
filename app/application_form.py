"""The REX application form (annex 22-06): its sections as WTForms and their translation to ApplicationContent.
The operator files with it, and an officer files a paper form with it on the operator's behalf."""
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField, FormField, HiddenField, RadioField, SelectField, SelectMultipleField, StringField, TextAreaField,
)
from wtforms.widgets import CheckboxInput, ListWidget
from wtforms.validators import Email, Length, Optional

from app.forms import FieldList, Form, RowForm
from app.widgets import LongListSelect
from app.workflow.content import CONTACT_FIELDS, ApplicationContent
from app.workflow.rules import MAX_CONTACTS, MAX_GOODS_LINES

INVALID_EMAIL = _l("Adresse électronique invalide.")


def country_field():
    """A country list (its choices set per request, in the reader's language: set_choices)."""
    return SelectField(_l("Pays"), validators=[Optional()], validate_choice=True, widget=LongListSelect())


# What section 4 asks to type when a contact's datum is not available (« n.a »), as people write it.
NOT_AVAILABLE = {"n.a", "n.a.", "na", "n/a"}


class EmailOrNotAvailable(Email):
    """An email address, or « n.a » where the section says to type it."""

    def __call__(self, form, field):
        if (field.data or "").strip().lower() in NOT_AVAILABLE:
            return
        super().__call__(form, field)


def text_field(label, max_length, email=False, not_available=False):
    validators = [Optional(), Length(max=max_length, message=_l("%(max)d caractères au maximum.",
                                                                   max=max_length))]
    if email:
        validators.append((EmailOrNotAvailable if not_available else Email)(INVALID_EMAIL))
    return StringField(label, validators=validators, filters=[lambda v: v.strip() if isinstance(v, str) else v])


class ContactForm(RowForm):
    full_name = text_field(_l("Nom et prénom"), 160)
    address = text_field(_l("Numéro et voie"), 200)
    postcode = text_field(_l("Code postal"), 20)
    city = text_field(_l("Ville"), 100)
    country = country_field()
    phone = text_field(_l("Téléphone"), 40)
    email = text_field(_l("Courriel"), 254, email=True, not_available=True)
    fax = text_field(_l("Fax"), 40)


class GoodsLineForm(RowForm):
    heading = text_field(_l("Position tarifaire"), 200)
    description = TextAreaField(_l("Description indicative de vos marchandises admissibles au bénéfice du "
                                   "régime préférentiel"),
                                validators=[Optional(), Length(max=2000)])


class ApplicationForm(Form):
    version = HiddenField()  # the file's version when the form was opened, to detect concurrent changes

    office_id = SelectField(_l("Service compétent"), coerce=lambda v: int(v) if v not in (None, "", "None") else None,
                            validators=[Optional()], validate_choice=True)
    company_id = SelectField(_l("Raison sociale"), coerce=lambda v: int(v) if v not in (None, "", "None") else None,
                             validators=[Optional()], validate_choice=True)
    exporter_address = text_field(_l("Numéro et voie"), 200)
    exporter_postcode = text_field(_l("Code postal"), 20)
    exporter_city = text_field(_l("Ville"), 100)
    exporter_country = country_field()
    exporter_phone = text_field(_l("Téléphone"), 40)
    exporter_email = text_field(_l("Courriel"), 254, email=True)
    exporter_fax = text_field(_l("Fax"), 40)
    main_activity = RadioField(_l("Activité principale"), choices=[
        ("production", _l("Production")), ("trade", _l("Commercialisation"))], validators=[Optional()])

    representative_eori = text_field(_l("Numéro EORI"), 17)
    representative_name = text_field(_l("Raison sociale"), 200)
    representative_address = text_field(_l("Numéro et voie"), 200)
    representative_postcode = text_field(_l("Code postal"), 20)
    representative_city = text_field(_l("Ville"), 100)
    representative_country = country_field()
    representative_phone = text_field(_l("Téléphone"), 40)
    representative_email = text_field(_l("Courriel"), 254, email=True)
    representative_fax = text_field(_l("Fax"), 40)

    # One row over the limit is read (and refused by the view) rather than silently dropped.
    contacts = FieldList(FormField(ContactForm), min_entries=1, max_entries=MAX_CONTACTS + 1)
    goods = FieldList(FormField(GoodsLineForm), min_entries=1, max_entries=MAX_GOODS_LINES + 1)
    # Section 6: the relations as a list (checkboxes), and a text field for the ISO code of a country of a group
    # (MG for AfOA) or of the GSP; both end in content.relations.
    relation_codes = SelectMultipleField(
        _l("Indiquer la(les) relation(s) préférentielle(s) pour laquelle (lesquelles) vous souhaitez émettre des "
           "attestations/déclarations d'origine"),
        choices=[], validate_choice=True, widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())
    relations = text_field(_l("Autres codes : code ISO d'un pays d'un groupe ou du SPG (exemple : MG)"), 500)

    undertaking_accepted = BooleanField(_l("Je m'engage à souscrire"))
    undertaking_signatory_name = text_field(_l("Nom et prénom de la personne qui s'engage"), 160)
    undertaking_signatory_function = text_field(_l("Fonction au sein de l'établissement demandeur de la personne "
                                              "qui s'engage"), 160)
    undertaking_place = text_field(_l("Lieu d'engagement"), 100)

    consent = RadioField(_l("Consentement à la publication des données"),
                         choices=[("yes", _l("Oui")), ("no", _l("Non"))], validators=[Optional()])
    consent_signatory_name = text_field(_l("Nom et prénom du signataire habilité"), 160)
    consent_signatory_function = text_field(_l("Fonction au sein de l'établissement demandeur du signataire "
                                          "habilité"), 160)
    consent_place = text_field(_l("Lieu"), 100)


class ModificationForm(ApplicationForm):
    """Guide 7.2: the filing form of a modification request, with its mandatory comment."""
    request_comment = TextAreaField(_l("Veuillez saisir tout commentaire que vous souhaiteriez transmettre à la "
                                       "Douane dans le cadre de cette demande de modification de votre "
                                       "enregistrement"), validators=[Length(max=5000)])


# What a modification request may change (guide 7.2); every other field is shown, not posted.
MODIFIABLE_FIELDS = {"version", "csrf_token", "exporter_email", "contacts", "goods", "relations", "relation_codes",
                     "request_comment"}


def lock_fields(form: ModificationForm, registered: ApplicationContent) -> None:
    """Give the fields a modification request cannot change their registered value: they are not posted,
    and the workflow keeps the registered value whatever they hold, but validation reads them."""
    data = content_to_formdata(registered)
    for name, field in form._fields.items():
        if name not in MODIFIABLE_FIELDS:
            field.data = data.get(name)


def locked_errors(form: ModificationForm) -> list[tuple[str, str]]:
    """(label, message) of errors on fields the form shows read-only: the page lists them above the form."""
    return [(str(field.label.text), str(message)) for name, field in form._fields.items()
            if name not in MODIFIABLE_FIELDS for message in field.errors]


def _blank(row: dict) -> bool:
    return not any((v or "").strip() for k, v in row.items() if k != "country")


def form_to_content(form: ApplicationForm, exporter_identity: dict) -> ApplicationContent:
    """exporter_identity: EORI and name, which come from the company, not from what was typed."""
    from app.workflow.rules import split_relations

    contacts = [{f: entry.form[f].data for f in CONTACT_FIELDS} for entry in form.contacts]
    goods = [{"heading": e.form.heading.data, "description": e.form.description.data} for e in form.goods]
    consent = {"yes": True, "no": False}.get(form.consent.data)
    return ApplicationContent(
        office_id=form.office_id.data,
        company_id=form.company_id.data,
        exporter={**exporter_identity, **{name: form[f"exporter_{name}"].data for name in (
            "address", "postcode", "city", "country", "phone", "email", "fax")}},
        main_activity=form.main_activity.data,
        representative={name: form[f"representative_{name}"].data for name in (
            "eori", "name", "address", "postcode", "city", "country", "phone", "email", "fax")},
        contacts=[c for c in contacts if not _blank(c)],
        goods=[g for g in goods if not _blank(g)],
        relations=list(dict.fromkeys([*(form.relation_codes.data or []), *split_relations(form.relations.data)])),
        undertaking={"accepted": form.undertaking_accepted.data,
                     "signatory_name": form.undertaking_signatory_name.data,
                     "signatory_function": form.undertaking_signatory_function.data,
                     "place": form.undertaking_place.data},
        consent={"consent": consent, "signatory_name": form.consent_signatory_name.data,
                 "signatory_function": form.consent_signatory_function.data, "place": form.consent_place.data},
    )


def _relation_codes() -> set[str]:
    from app.queries.reference import preferential_relations

    return {r.code for r in preferential_relations()}


def content_to_formdata(content: ApplicationContent) -> dict:
    """Data to pre-fill the form from a saved application."""
    data = {
        "office_id": content.office_id, "company_id": content.company_id,
        "main_activity": content.main_activity,
        "contacts": content.contacts or [{}],
        "goods": content.goods or [{}],
        "relation_codes": [c for c in content.relations if c in _relation_codes()],
        "relations": " ".join(c for c in content.relations if c not in _relation_codes()),
        "undertaking_accepted": content.undertaking.get("accepted"),
        "consent": {True: "yes", False: "no"}.get(content.consent.get("consent")),
    }
    for name, value in content.exporter.items():
        data[f"exporter_{name}"] = value
    for name, value in content.representative.items():
        data[f"representative_{name}"] = value
    for name in ("signatory_name", "signatory_function", "place"):
        data[f"undertaking_{name}"] = content.undertaking.get(name)
        data[f"consent_{name}"] = content.consent.get(name)
    return data


CLIENT_FIELDS = ("address", "postcode", "city", "country", "phone", "email", "fax")
COMPANY_HELD_FIELDS = ("address", "postcode", "city", "country")  # only the PAE changes them (FAQ)


def set_choices(form: ApplicationForm, offices, companies) -> None:
    """Fill the select lists: offices, the companies the account may file for, countries in the reader's language."""
    from flask_babel import get_locale

    from app.reference.countries import country_choices

    form.office_id.choices = [("", _l("Choisir le service compétent"))] + [
        (o.id, f"{o.name} ({o.code})") for o in offices]
    form.company_id.choices = [("", _l("Choisir l'opérateur"))] + [(c.id, f"{c.name} ({c.eori})") for c in companies]
    # What section 2 takes from the company picked: copied by static/js/client-prefill.js as soon as it is picked
    # (or by « Reprendre les données de l'opérateur » without JavaScript); the address stays read-only.
    form.client_data = {str(c.id): {name: getattr(c, name) or "" for name in CLIENT_FIELDS} for c in companies}
    from app.queries.reference import preferential_relations

    form.relation_codes.choices = [(r.code, f"{r.code} – {r.label}") for r in preferential_relations()]
    countries = [("", _l("Rechercher un pays"))] + country_choices(str(get_locale() or "fr"))
    for field in (form.exporter_country, form.representative_country):
        field.choices = countries
    for entry in form.contacts:
        entry.form.country.choices = countries


def attach_errors(form: ApplicationForm, errors: dict) -> dict:
    """Put rule errors beside their fields; return those that belong to a whole section."""
    section_errors = {}
    for key, message in errors.items():
        target = None
        if "-" in key:
            list_name, index, name = key.split("-", 2)
            entries = form[list_name].entries
            if int(index) < len(entries):
                target = entries[int(index)].form[name]
        elif key in form and key not in ("contacts", "goods"):  # a list's own error belongs to its section
            target = form[key]
        if target is None:
            section_errors[key] = message
        else:
            target.errors = [*target.errors, str(message)]
    return section_errors


def too_many_rows(form) -> dict:
    """More rows than the guide allows are refused, not cut: the person sees them all and the limit."""
    from app.workflow.rules import MAX_CONTACTS, MAX_GOODS_LINES

    errors = {}
    if len(form.contacts) > MAX_CONTACTS:
        errors["contacts"] = _l("Vous pouvez ajouter jusqu'à %(n)s contacts.", n=MAX_CONTACTS)
    if len(form.goods) > MAX_GOODS_LINES:
        errors["goods"] = _l("Vous pouvez ajouter jusqu'à %(n)s positions tarifaires.", n=MAX_GOODS_LINES)
    return errors


def add_row(form, which):
    if which == "contacts" and len(form.contacts) < 9:
        form.contacts.append_entry()
        form.contacts.entries[-1].form.country.choices = form.exporter_country.choices
    elif which == "goods" and len(form.goods) < 99:
        form.goods.append_entry()


def remove_row(form, action):
    """'remove-contacts-2' deletes that row; an action of any other shape deletes nothing."""
    list_name, _, index = action.removeprefix("remove-").partition("-")
    if list_name in ("contacts", "goods") and index.isdecimal() and int(index) < len(form[list_name].entries):
        del form[list_name].entries[int(index)]




def error_summary(form, section_errors: dict | None = None) -> list[tuple[str, str, str]]:
    """(anchor, label, message) of every error of a refused form, in the order of the page: the summary at
    its top links each one to its field (or its section)."""
    from wtforms import FieldList as BaseFieldList, FormField as BaseFormField

    found = []

    def walk(fields, prefix=""):
        for field in fields:
            if isinstance(field, BaseFieldList):
                for number, entry in enumerate(field.entries, 1):
                    walk(entry.form if isinstance(entry, BaseFormField) else [entry], f"{prefix}{number} — ")
            elif isinstance(field, BaseFormField):
                walk(field.form, prefix)
            else:
                for message in field.errors:
                    found.append((field.id, f"{prefix}{field.label.text}", str(message)))

    walk(form)
    for key, message in (section_errors or {}).items():  # a whole section's error: its section's anchor
        found.append((key, "", str(message)))
    return found
