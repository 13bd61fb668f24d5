"""The EORI form over HTTP (seed 004, domain.md 3): each check beside its field, nothing typed lost, the recap and
the submission."""
import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import ApplicationStatus, HistoryEvent, OutboxEmail, Role
from app.workflow import eori
from tests.operator.eori_helpers import EMAIL, EORI_SIRET, SIRET, eori_form_data, eori_submitted
from tests.operator.helpers import reload
from tests.operator.html import controls, errors_beside, page_text, parse, value_of

REQUIRED = "Ce champ est obligatoire."
S = ApplicationStatus

# What an EORI-SIRET form of a legal person cannot be validated without, and the message beside each field.
STARRED = {
    "office_id": REQUIRED, "basis": REQUIRED, "person_type": REQUIRED, "name": REQUIRED, "created_on": REQUIRED,
    "siren": REQUIRED, "address": REQUIRED, "postcode": REQUIRED, "city": REQUIRED, "country": REQUIRED,
    "phone": REQUIRED, "email": REQUIRED, "contact_name": REQUIRED,
    "publication_consent": "Indiquez si vous consentez à la publication des données.",
    "no_other_eori": "Vous devez déclarer ne pas détenir de numéro EORI dans un autre État membre.",
    "undertaking": "Vous devez vous engager à communiquer tout changement à l'administration.",
}
UNCHECKED = ("basis", "person_type", "publication_consent", "no_other_eori", "undertaking")  # send nothing if empty
SIRET_INVALID = ("Numéro SIRET invalide : 14 chiffres (le SIREN suivi des 5 chiffres de l'établissement) dont la "
                 "clé de contrôle ne correspond pas.")
SIREN_INVALID = ("Numéro SIREN invalide : 9 chiffres dont le dernier est une clé de contrôle ; vérifiez-le sur "
                 "votre extrait Kbis ou votre avis de situation INSEE.")
APE_INVALID = "Code APE (NAF rév. 2) invalide : 4 chiffres et une lettre, par exemple 46.90Z."


@pytest.fixture
def filing(factory, login):
    """A signed-up account acting for no company, logged in, with a fresh EORI draft."""
    applicant = factory.user(Role.OPERATOR)
    application = eori.create_draft(applicant)
    return {"client": login(applicant), "applicant": applicant, "office": factory.office(),
            "application": application, "url": f"/rex/eori/{application.id}/formulaire"}


def _post(filing, **overrides):
    typed = eori_form_data(filing["office"], **overrides)
    return typed, filing["client"].post(filing["url"], data=typed)


def _assert_kept(response, typed):
    doc = parse(response.data)
    for name, value in typed.items():
        if name != "action":
            assert value_of(doc, name) == value, name
    return doc


def _starred_fields(doc) -> set[str]:
    names = {label.attrs["for"] for label in doc.find_all("label", class_="required")}
    for legend in doc.find_all("legend", class_="required"):
        names.update(n.attrs["name"] for n in legend.parent.find_all("input"))
    return names


# --- the page -------------------------------------------------------------------------------------

def test_the_form_shows_its_sections_steps_and_buttons(filing):
    doc = parse(filing["client"].get(filing["url"]).data)

    assert doc.find("h1").text() == "Demande de numéro EORI"
    assert [li.text() for li in doc.find("ol", class_="steps").find_all("li")] == [
        "Saisie de la demande", "Récapitulatif"]
    assert [h.text() for h in doc.find("form", id="eori-form").find_all("h2")] == [
        "1. Désignation du service compétent", "2. Type de numéro", "3. Identité", "4. Adresse",
        "5. Personne à contacter", "6. Pièces justificatives", "7. Consentement à la publication",
        "8. Déclarations et engagements"]
    buttons = [(b.attrs.get("value"), b.text()) for b in doc.find("form", id="eori-form").find_all("button")]
    # Enter submits with the first button: a hidden "validate", never "abandon" nor "documents".
    assert buttons[0] == ("validate", "")
    assert buttons[1:] == [("documents", "Gérer les documents de la demande"),
                           ("abandon", "Abandonner ma demande"), ("save", "Reprendre ma saisie plus tard"),
                           ("validate", "Valider et passer à l'étape suivante")]
    assert value_of(doc, "basis") == "siret" and value_of(doc, "country") == "FR"  # the first applicant's defaults
    assert "primo-demandeur doit opter en premier lieu pour un numéro EORI-SIRET" in doc.text()
    assert "ne sera pas publié sur le site de validation des numéros EORI" in doc.text()
    assert controls(doc, "created_on")[0].attrs["type"] == "date"


def test_the_starred_fields_are_those_validation_requires(filing):
    doc = parse(filing["client"].get(filing["url"]).data)

    assert _starred_fields(doc) == set(STARRED)


@pytest.mark.parametrize("missing", list(STARRED))
def test_a_missing_field_is_refused_beside_it_and_nothing_typed_is_lost(filing, missing):
    # The SIREN is otherwise read from the SIRET's first 9 digits: leave both out to miss it.
    blank = {missing: None if missing in UNCHECKED else ""}
    if missing == "siren":
        blank.update(basis="siren", siret="", vat_number="")

    typed, response = _post(filing, **blank)

    assert response.status_code == 422
    doc = _assert_kept(response, typed)
    assert errors_beside(doc, missing) == [STARRED[missing]]
    assert "Votre demande ne peut pas être validée" in doc.text()


@pytest.mark.parametrize("person_type, required", [
    ("natural", ["first_name"]), ("legal", ["legal_form", "ape_code"]), ("association", ["legal_form", "ape_code"])])
def test_what_a_type_of_person_requires(filing, person_type, required):
    typed, response = _post(filing, person_type=person_type, first_name="", legal_form="", ape_code="")

    assert response.status_code == 422
    doc = _assert_kept(response, typed)
    for name in ("first_name", "legal_form", "ape_code"):
        assert errors_beside(doc, name) == ([REQUIRED] if name in required else [])


def test_the_siret_is_required_for_an_eori_siret_only(filing):
    _, response = _post(filing, siret="")
    assert errors_beside(parse(response.data), "siret") == [REQUIRED]

    _, response = _post(filing, basis="siren", siret="")
    assert response.status_code == 302


# --- identifiers and their check digits (domain.md 3.3) -------------------------------------------

@pytest.mark.parametrize("field, overrides, message", [
    ("siret", {"siret": "73282932000079"}, SIRET_INVALID),
    ("siren", {"basis": "siren", "siren": "404833047", "siret": "", "vat_number": ""}, SIREN_INVALID),
    ("vat_number", {"vat_number": "FR46443121975"}, "Ce numéro de TVA ne correspond pas au SIREN 732829320."),
    ("vat_number", {"vat_number": "FR45732829320"},
     "Numéro de TVA intracommunautaire invalide : FR, une clé de 2 caractères, puis le SIREN."),
    ("ape_code", {"ape_code": "4690Z"}, APE_INVALID),
    ("legal_form", {"legal_form": "57100"}, "Catégorie juridique INSEE : 4 chiffres, par exemple 5710 pour une SAS."),
    ("siret", {"siren": "404833048"}, "Le SIRET doit commencer par le SIREN 404833048."),
])
@pytest.mark.parametrize("action", ["validate", "save"])
def test_a_malformed_identifier_is_refused_beside_its_field_and_nothing_is_saved(filing, field, overrides, message,
                                                                                 action):
    if field == "siret" and "siren" in overrides:
        overrides = {**overrides, "vat_number": ""}  # the VAT would be refused first, for the other SIREN
    typed, response = _post(filing, action=action, **overrides)

    assert response.status_code == 422
    doc = _assert_kept(response, typed)
    assert errors_beside(doc, field) == [message]
    assert reload(filing["application"].id).eori_request.name is None  # the draft was not saved


def test_every_malformed_identifier_is_refused_beside_its_own_field_at_once(filing):
    typed, response = _post(filing, action="save", siret="73282932000079", ape_code="4690Z", legal_form="57100")

    assert response.status_code == 422
    doc = _assert_kept(response, typed)
    assert errors_beside(doc, "siret") == [SIRET_INVALID]
    assert errors_beside(doc, "ape_code") == [APE_INVALID]
    assert errors_beside(doc, "legal_form") == ["Catégorie juridique INSEE : 4 chiffres, par exemple 5710 pour une SAS."]
    assert "Certains champs sont mal renseignés : corrigez les champs signalés." in page_text(response)


@pytest.mark.parametrize("overrides, saved", [
    ({}, {"siren": "732829320", "siret": SIRET, "vat_number": "FR44732829320", "ape_code": "46.90Z"}),
    # La Poste's establishments: digits summing to a multiple of 5 instead of Luhn; the SIREN read from the SIRET.
    ({"siret": "35600000049837", "siren": "", "vat_number": ""},
     {"siren": "356000000", "siret": "35600000049837", "vat_number": None}),
    # What people type: spaces, dots, lower case.
    ({"siret": "732 829 320 00074", "siren": "732 829 320", "vat_number": "fr 44 732829320", "ape_code": "46.90z"},
     {"siren": "732829320", "siret": SIRET, "vat_number": "FR44732829320", "ape_code": "46.90Z"}),
])
def test_valid_identifiers_reach_the_summary(filing, overrides, saved):
    _, response = _post(filing, **overrides)

    assert response.status_code == 302
    assert response.location == f"/rex/eori/{filing['application'].id}/recapitulatif"
    request = reload(filing["application"].id).eori_request
    assert {name: getattr(request, name) for name in saved} == saved


@pytest.mark.parametrize("typed_date, message", [
    ("31/02/2020", "Date invalide : saisissez-la au format jj/mm/aaaa."),
    ("hier", "Date invalide : saisissez-la au format jj/mm/aaaa."),
    ("2999-01-01", "La date ne peut pas être dans le futur."),
])
def test_a_bad_date_is_refused_beside_it_with_the_text_kept(filing, typed_date, message):
    typed, response = _post(filing, created_on=typed_date)

    assert response.status_code == 422
    doc = _assert_kept(response, typed)
    assert errors_beside(doc, "created_on") == [message]


def test_a_date_typed_the_french_way_is_understood(filing):
    _post(filing, created_on="02/03/2015")

    assert reload(filing["application"].id).eori_request.created_on.isoformat() == "2015-03-02"


def test_an_eori_already_granted_is_refused_beside_the_siret_without_naming_its_holder(filing, factory):
    factory.company(eori=EORI_SIRET, name="Ancienne conserverie")

    typed, response = _post(filing)

    assert response.status_code == 422
    doc = _assert_kept(response, typed)
    assert errors_beside(doc, "siret") == [f"Le numéro EORI {EORI_SIRET} est déjà attribué."]
    assert "Ancienne conserverie" not in response.get_data(as_text=True)


def test_a_number_already_requested_by_a_pending_application_is_refused_without_its_reference(filing, factory):
    pending = eori_submitted(factory.user(Role.OPERATOR), filing["office"])

    _, response = _post(filing)

    assert errors_beside(parse(response.data), "siret") == [
        "Une demande de numéro EORI est déjà en cours pour ce numéro."]
    assert pending.reference not in response.get_data(as_text=True)


def test_an_invalid_email_is_refused_beside_it(filing):
    typed, response = _post(filing, email="pas-une-adresse")

    assert response.status_code == 422
    assert errors_beside(_assert_kept(response, typed), "email") == ["Adresse électronique invalide."]


# --- saving, abandoning, documents, concurrent changes --------------------------------------------

def test_save_for_later_keeps_an_incomplete_draft_in_my_drafts(filing):
    typed, response = _post(filing, action="save", name="Conserverie", phone="", publication_consent=None)

    assert response.status_code == 302 and response.location == "/rex/demandes/brouillons"
    application = reload(filing["application"].id)
    assert application.eori_request.name == "Conserverie" and application.eori_request.phone is None
    assert application.status == S.DRAFT
    page = filing["client"].get(response.location)
    assert f"Votre demande est enregistrée à l'état de brouillon sous la référence {application.reference}" in \
        page_text(page)
    row = parse(page.data).find("tbody").find("tr")
    assert [td.text() for td in row.find_all("td")][:3] == [application.reference, "Bordeaux Mérignac", "EORI"]
    reopened = parse(filing["client"].get(filing["url"]).data)
    for name in ("name", "siret", "vat_number", "ape_code", "created_on", "email", "contact_name"):
        assert value_of(reopened, name) == typed[name], name
    assert value_of(reopened, "publication_consent") is None


def test_the_documents_button_saves_then_opens_the_documents_manager(filing):
    _, response = _post(filing, action="documents", name="Conserverie")

    application_id = filing["application"].id
    assert response.location == f"/rex/demandes/{application_id}/documents"
    assert reload(application_id).eori_request.name == "Conserverie"
    page = filing["client"].get(response.location)
    assert "Gestion des pièces justificatives de la demande" in page_text(page)
    back = parse(page.data).find("a", href=f"/rex/demandes/{application_id}/formulaire")
    assert back is not None and filing["client"].get(back.attrs["href"]).location == filing["url"]


def test_abandon_deletes_the_draft(filing):
    _, response = _post(filing, action="abandon")

    assert response.location == "/rex/demandes/brouillons"
    application = reload(filing["application"].id)
    assert application.status == S.ABANDONED and application.eori_request is None


def test_a_form_opened_before_another_change_is_refused_with_what_was_typed(filing):
    opened = value_of(parse(filing["client"].get(filing["url"]).data), "version")
    _, response = _post(filing, action="save", name="Première saisie", version=opened)
    assert response.status_code == 302

    typed, response = _post(filing, name="Seconde saisie", version=opened)  # a second tab, opened before

    assert response.status_code == 409
    _assert_kept(response, typed)
    assert "Ce dossier a changé depuis que vous l'avez ouvert" in page_text(response)


# --- recap, submission, confirmation --------------------------------------------------------------

def test_a_complete_eori_siret_form_reaches_the_summary_and_is_submitted(filing):
    client, application_id = filing["client"], filing["application"].id
    _, response = _post(filing)
    assert response.location == f"/rex/eori/{application_id}/recapitulatif"

    summary = client.get(response.location)
    doc = parse(summary.data)
    assert [li.attrs.get("class") for li in doc.find("ol", class_="steps").find_all("li")] == ["done", "current"]
    text = doc.text()
    for shown in ("Bordeaux Mérignac (FR000600)", "EORI-SIRET", "Personne morale", "Conserverie de Ciboure", "5710",
                  "02/03/2015", "732829320", SIRET, "FR44732829320", "46.90Z", "4 quai Maurice Ravel", "Ciboure",
                  "France", EMAIL, "Maite Etcheverry"):
        assert shown in text, shown
    actions = doc.find("div", class_="actions")
    assert [a.text() for a in actions.find_all("a")] == ["Modifier ma demande", "Annuler"]
    assert [b.text() for b in actions.find_all("button")] == ["Soumettre ma demande"]
    assert not controls(doc, "name")  # read-only

    version = value_of(doc, "version")
    response = client.post(f"/rex/eori/{application_id}/recapitulatif", data={"version": version})

    assert response.location == f"/rex/eori/{application_id}/confirmation"
    application = reload(application_id)
    assert application.status == S.UNDER_REVIEW
    assert re.fullmatch(r"FR-EORI-\d{4}-\d{7}", application.reference)
    confirmation = page_text(client.get(response.location))
    assert (f"Votre demande a été transmise à l'administration, sous la référence {application.reference}."
            in confirmation)
    assert "il ne s'agit pas de votre numéro EORI" in confirmation
    assert f"Un courriel de confirmation vous sera envoyé à l'adresse {EMAIL}." in confirmation
    assert db.session.scalars(select(HistoryEvent.kind).where(HistoryEvent.application_id == application_id)
                              .order_by(HistoryEvent.id)).all() == ["draft_created", "submitted"]
    [email] = db.session.scalars(select(OutboxEmail)).all()
    assert (email.template, email.recipient) == ("submitted", EMAIL)
    show = page_text(client.get(f"/rex/demandes/{application_id}"))
    assert "Demande déposée auprès du service de recevabilité" in show and "En étude" in show
    listed = parse(client.get("/rex/demandes/en-cours").data).find("tbody").find("tr")
    assert [td.text() for td in listed.find_all("td")][2] == "EORI"


def test_the_summary_sends_back_to_the_form_what_changed_meanwhile(filing, factory):
    _, response = _post(filing)
    factory.company(eori=EORI_SIRET, name="Ancienne conserverie")  # granted to another file in between

    response = filing["client"].post(response.location, data={"version": str(reload(filing["application"].id).version)})

    assert response.status_code == 422
    doc = parse(response.data)
    assert doc.find("form", id="eori-form") is not None
    assert errors_beside(doc, "siret") == [f"Le numéro EORI {EORI_SIRET} est déjà attribué."]
    assert value_of(doc, "name") == "Conserverie de Ciboure"
    assert reload(filing["application"].id).status == S.DRAFT


def test_the_rex_routes_of_an_eori_file_lead_to_its_own_screens(filing):
    client, application_id = filing["client"], filing["application"].id
    for page in ("formulaire", "recapitulatif", "confirmation"):
        response = client.get(f"/rex/demandes/{application_id}/{page}")
        assert response.status_code == 302 and response.location == f"/rex/eori/{application_id}/{page}"


def test_a_draft_has_no_confirmation_yet(filing):
    response = filing["client"].get(f"/rex/eori/{filing['application'].id}/confirmation")

    assert response.location == filing["url"]


# --- access --------------------------------------------------------------------------------------

def test_another_accounts_eori_draft_is_not_found(filing, factory, login):
    client = login(factory.user(Role.OPERATOR))
    application_id = filing["application"].id

    for url in (f"/rex/eori/{application_id}/formulaire", f"/rex/eori/{application_id}/recapitulatif",
                f"/rex/eori/{application_id}/confirmation", f"/rex/demandes/{application_id}",
                f"/rex/demandes/{application_id}/formulaire", f"/rex/demandes/{application_id}/documents"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/rex/eori/{application_id}/formulaire", data={"action": "abandon"}).status_code == 404
    assert client.post(f"/rex/eori/{application_id}/recapitulatif", data={}).status_code == 404
    assert reload(application_id).status == S.DRAFT


def test_a_rex_file_is_not_an_eori_file(factory, login):
    operator = factory.operator()
    application = factory.draft(operator)
    client = login(operator)

    assert client.get(f"/rex/eori/{application.id}/formulaire").status_code == 404
