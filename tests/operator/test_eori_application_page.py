"""The application page of an EORI file: its sections, the complement asked by the office, the number once
granted and the REX application it opens; the lists."""
import pytest
from sqlalchemy import select

from app import workflow
from app.extensions import db
from app.models import Application, ApplicationKind, ApplicationStatus, HistoryEvent, OutboxEmail, Role
from app.workflow import eori
from tests.operator.eori_helpers import EMAIL, EORI_SIRET, SIRET, eori_submitted
from tests.operator.helpers import reload
from tests.operator.html import errors_beside, page_text, parse, value_of

S = ApplicationStatus
QUESTION = "Merci de joindre un extrait Kbis de moins de trois mois."


@pytest.fixture
def filed(factory, login):
    applicant = factory.user(Role.OPERATOR)
    officer = factory.officer("FR000600")
    application = eori_submitted(applicant, officer.office)
    return {"client": login(applicant), "applicant": applicant, "officer": officer, "application": application,
            "url": f"/rex/demandes/{application.id}"}


def _section(doc, section_id):
    return doc.find("section", id=section_id)


def test_the_page_of_a_submitted_file_shows_its_sections_read_only_and_its_history(filed):
    doc = parse(filed["client"].get(filed["url"]).data)

    assert doc.find("h1").text() == f"Demande {filed['application'].reference}"
    assert "Demande de numéro EORI" in doc.text() and "En étude" in doc.text()
    identity = _section(doc, "recap-eori-identity").text()
    for shown in ("Personne morale", "Conserverie de Ciboure", "732829320", SIRET, "FR44732829320", "46.90Z"):
        assert shown in identity
    assert EMAIL in _section(doc, "recap-eori-address").text()
    assert "Oui" in _section(doc, "recap-eori-consent").text()
    assert "Demande déposée auprès du service de recevabilité" in _section(doc, "historique").text()
    assert not doc.find("input", name="name")
    assert "Numéro EORI attribué" not in doc.text()


def test_an_incomplete_file_is_completed_through_the_eori_form_and_its_recap(filed):
    client, application = filed["client"], filed["application"]
    workflow.request_information(filed["officer"], application, QUESTION)
    show = client.get(filed["url"])
    assert QUESTION in page_text(show) and "Compléter la demande" in page_text(show)

    response = client.post(f"/rex/demandes/{application.id}/completer")
    response = client.get(response.location)  # the REX form route sends an EORI file to its own form
    assert response.location == f"/rex/eori/{application.id}/formulaire"
    form = client.get(response.location)
    doc = parse(form.data)
    assert "Vous complétez votre demande à la suite d'une demande d'informations complémentaires" in doc.text()
    assert value_of(doc, "siret") == SIRET
    assert [b.text() for b in doc.find("div", class_="actions").find_all("button")] == [
        "Enregistrer mes modifications", "Valider et passer à l'étape suivante"]

    data = {name: value_of(doc, name) for name in (
        "version", "office_id", "basis", "person_type", "name", "first_name", "legal_form", "created_on", "siren",
        "siret", "vat_number", "ape_code", "address", "postcode", "city", "country", "phone", "email",
        "contact_name", "contact_phone", "contact_email", "publication_consent", "no_other_eori", "undertaking")}
    data.update(contact_phone="06 12 34 56 78", action="validate")
    response = client.post(response.location, data={k: v for k, v in data.items() if v is not None})
    assert response.location == f"/rex/eori/{application.id}/recapitulatif"

    recap = parse(client.get(response.location).data)
    assert recap.find("h1").text() == "Récapitulatif du complément à la demande"
    version = value_of(recap, "version")
    refused = client.post(response.location, data={"version": version, "complement": " "})
    assert refused.status_code == 422
    assert errors_beside(parse(refused.data), "complement") == [
        "Le champ « Compléments apportés à la demande » est obligatoire."]

    done = client.post(response.location, data={"version": version, "complement": "Kbis joint."})

    assert done.location == filed["url"]
    assert reload(application.id).status == S.UNDER_REVIEW
    kinds = db.session.scalars(select(HistoryEvent.kind).where(HistoryEvent.application_id == application.id)
                               .order_by(HistoryEvent.id)).all()
    assert kinds[-2:] == ["content_modified", "completed"]
    assert "Les informations complémentaires saisies ont été transmises au service." in page_text(
        client.get(done.location))


def test_once_granted_the_page_shows_the_number_and_leads_to_a_rex_application_for_the_new_company(filed):
    client, application = filed["client"], filed["application"]
    workflow.grant(filed["officer"], application)

    doc = parse(client.get(filed["url"]).data)

    granted = doc.find("div", id="eori-granted")
    assert f"Numéro EORI attribué : {EORI_SIRET}" in granted.text()
    link = granted.find("a")
    assert (link.text(), link.attrs["href"]) == ("Déposer une demande de numéro REX", "/rex/deposer")
    new = parse(client.get("/rex/deposer").data)
    assert [b.text() for b in new.find("main").find_all("button")] == [
        "Délivrance du numéro d'exportateur enregistré", "Demande de numéro EORI"]

    response = client.post("/rex/deposer")

    draft = db.session.scalar(select(Application).where(Application.kind == ApplicationKind.REX))
    assert response.location == f"/rex/demandes/{draft.id}/formulaire"
    assert draft.company.eori == EORI_SIRET
    form = parse(client.get(response.location).data)
    assert value_of(form, "company_id") == str(draft.company_id)


def test_an_invalidated_number_is_shown_as_such(filed):
    company = workflow.grant(filed["officer"], filed["application"])
    eori.invalidate(filed["officer"], company, "ceased", None, "Cessation d'activité constatée.")

    doc = parse(filed["client"].get(filed["url"]).data)

    assert f"Numéro EORI {EORI_SIRET} invalidé le" in doc.text()
    assert doc.find("div", id="eori-granted") is None


def test_a_rejected_eori_file_is_listed_in_my_rejected_applications(filed):
    workflow.reject(filed["officer"], filed["application"], "SIRET inactif au répertoire SIRENE.")

    doc = parse(filed["client"].get("/rex/demandes/rejetees").data)

    [row] = doc.find("tbody").find_all("tr")
    cells = [td.text() for td in row.find_all("td")]
    assert (cells[0], cells[2]) == (filed["application"].reference, "EORI")  # « N° demande », « Type »
    assert [e.template for e in db.session.scalars(select(OutboxEmail).order_by(OutboxEmail.id))] == [
        "submitted", "rejected"]
