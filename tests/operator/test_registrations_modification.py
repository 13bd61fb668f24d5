"""The holder asks to modify its registration (seed guide 7.2): the form, its recap, the submission."""
from sqlalchemy import select

from app.extensions import db
from app.models import Application, ApplicationStatus, OutboxEmail, Registration, RegistrationStatus
from app import workflow
from app.workflow import registrations
from tests.operator.html import controls, errors_beside, page_text, parse, value_of
from tests.operator.registration_helpers import (  # noqa: F401  (holder is a fixture)
    COMMENT, NEW_GOODS, holder, modification_form, reload, request_modification, submitted_modification,
    with_new_goods,
)

S = ApplicationStatus
LOCKED = ("office_id", "company_id", "exporter_address", "exporter_postcode", "exporter_city", "exporter_country",
          "exporter_phone", "exporter_fax", "main_activity", "representative_eori", "undertaking_accepted",
          "undertaking_signatory_name", "consent", "consent_signatory_name")
MODIFIABLE = ("exporter_email", "contacts-0-full_name", "goods-0-heading", "relations", "request_comment")
COMMENT_LABEL = ("Veuillez saisir tout commentaire que vous souhaiteriez transmettre à la Douane dans le cadre de "
                 "cette demande de modification de votre enregistrement")
CONFIRMATION = ("Les modifications que vous avez demandées vont être transmises aux autorités douanières pour "
                "qu'elles puissent les valider. Voulez-vous continuer ?")


def _section(doc, element_id):
    node = doc.find(id=element_id)
    assert node is not None, element_id
    return node


def _is_modified(doc, element_id) -> bool:
    return _section(doc, element_id).find("span", class_="modified") is not None


def _to_summary(client, draft, **form) -> object:
    response = client.post(f"/rex/demandes/{draft.id}/formulaire", data=modification_form(draft, **form))
    assert response.status_code == 302, page_text(response)[:800]
    assert response.location.endswith(f"/rex/demandes/{draft.id}/recapitulatif")
    return client.get(response.location)


def _submit(client, draft):
    """« Soumettre la demande de modification », then « Oui »."""
    version = reload(Application, draft.id).version
    return client.post(f"/rex/demandes/{draft.id}/recapitulatif", data={"version": str(version)})


# --- the form ---------------------------------------------------------------------------------------

def test_modification_form_shows_locked_sections_read_only(client, login, holder):
    login(holder.operator)
    draft = request_modification(client, holder)

    doc = parse(client.get(f"/rex/demandes/{draft.id}/formulaire").data)
    text = doc.text()

    assert doc.find("h1").text() == "Demande de modification d'enregistrement"
    assert f"Enregistrement n° {holder.registration.number}" in text
    assert "Pensez à modifier votre courriel ainsi que vos contacts si nécessaire." in text
    assert [name for name in LOCKED if controls(doc, name)] == []
    assert [name for name in MODIFIABLE if not controls(doc, name)] == []
    assert holder.registration.office.name in _section(doc, "section-1").text()
    assert "1 rue du Port" in _section(doc, "section-2").text()  # the registered address, shown
    assert "Éloïse Darrigrand" in _section(doc, "section-7").text()
    assert doc.find("label", **{"for": "request_comment"}).text() == COMMENT_LABEL
    cancel = [a for a in doc.find_all("a") if a.text() == "Annuler"]
    assert [a.attrs["href"] for a in cancel] == [holder.url]
    assert "Continuer" in [b.text() for b in doc.find_all("button")]
    assert "Abandonner ma demande" not in text


def test_modification_form_ignores_posted_locked_values(client, login, factory, holder):
    login(holder.operator)
    draft = request_modification(client, holder)
    other_office = factory.office("FR002300")

    response = client.post(f"/rex/demandes/{draft.id}/formulaire", data=modification_form(
        draft, exporter_email="douane@maroquinerie.example", office_id=str(other_office.id),
        exporter_address="1 avenue Ailleurs", consent="no", consent_signatory_name="Quelqu'un d'autre",
        action="save"))

    assert response.status_code == 302
    saved = reload(Application, draft.id)
    registered = holder.registration.application
    assert saved.exporter_email == "douane@maroquinerie.example"
    assert (saved.office_id, saved.exporter_address, saved.exporter_name) == (
        registered.office_id, registered.exporter_address, registered.exporter_name)
    assert (saved.publication_consent.consent, saved.publication_consent.signatory_name) == (
        True, "Éloïse Darrigrand")
    assert saved.request_comment == COMMENT


def test_invalid_email_is_refused_beside_the_field_and_typed_goods_are_kept(client, login, holder):
    login(holder.operator)
    draft = request_modification(client, holder)

    response = client.post(f"/rex/demandes/{draft.id}/formulaire",
                           data=modification_form(draft, goods=with_new_goods(draft), exporter_email="pas-un-courriel"))

    assert response.status_code == 422
    doc = parse(response.data)
    assert errors_beside(doc, "exporter_email") == ["Adresse électronique invalide."]
    assert (value_of(doc, "goods-1-heading"), value_of(doc, "request_comment")) == ("3923", COMMENT)
    assert not controls(doc, "office_id")  # still the modification form


def test_adding_a_goods_row_keeps_the_comment(client, login, holder):
    login(holder.operator)
    draft = request_modification(client, holder)

    response = client.post(f"/rex/demandes/{draft.id}/formulaire", data=modification_form(draft, action="add-goods"))

    assert response.status_code == 302
    doc = parse(client.get(response.location).data)
    assert value_of(doc, "request_comment") == COMMENT
    assert value_of(doc, "goods-1-heading") == ""  # the new, empty row


def test_cancelled_modification_request_is_kept_as_a_draft_and_resumed(client, login, holder):
    login(holder.operator)
    draft = request_modification(client, holder)
    client.post(f"/rex/demandes/{draft.id}/formulaire", data=modification_form(draft, action="add-goods"))

    doc = parse(client.get(holder.url).data)  # « Annuler »: back to the registration

    pending = [p for p in doc.find_all("p") if p.text().startswith("Demande de modification")]
    assert [p.text() for p in pending] == [f"Demande de modification {draft.reference} en cours : voir"]
    assert pending[0].find("a").attrs["href"] == f"/rex/demandes/{draft.id}/formulaire"
    assert request_modification(client, holder).id == draft.id  # asking again resumes it


# --- the recap and the submission -------------------------------------------------------------------

def test_summary_marks_only_changed_sections_with_former_and_new_values(client, login, holder):
    login(holder.operator)
    draft = request_modification(client, holder)
    former_email = draft.exporter_email

    doc = parse(_to_summary(client, draft, goods=with_new_goods(draft),
                            exporter_email="douane@maroquinerie.example").data)

    assert doc.find("h1").text() == "Demande de modification d'enregistrement"
    assert [s for s in ("recap-2", "recap-4", "recap-5", "recap-6") if _is_modified(doc, s)] == ["recap-2", "recap-5"]
    email = _section(doc, "recap-2").find("div", class_="before-after")
    assert email.find("div", class_="before").text() == f"Avant Courriel {former_email}"
    assert email.find("div", class_="after").text() == "Après Courriel douane@maroquinerie.example"
    goods = _section(doc, "recap-5")
    before, after = goods.find("div", class_="before").text(), goods.find("div", class_="after").text()
    assert "Sacs à main en cuir" in before and NEW_GOODS["description"] not in before
    assert "Sacs à main en cuir" in after and NEW_GOODS["description"] in after
    assert _section(doc, "commentaire").text() == f"Commentaire : {COMMENT}"
    [summary] = [f for f in doc.find_all("form") if controls(f, "version")]
    assert [b.text() for b in summary.find_all("button")] == ["Soumettre la demande de modification"]
    assert "Retour" in [a.text() for a in doc.find_all("a")]
    dialog = doc.find("dialog")
    assert dialog.find("p").text() == CONFIRMATION
    assert [b.text() for b in dialog.find_all("button")] == ["Non", "Oui"]


def test_continuer_without_comment_stays_on_the_form_with_the_error_beside_it(client, login, holder):
    login(holder.operator)
    draft = request_modification(client, holder)

    response = client.post(f"/rex/demandes/{draft.id}/formulaire",
                           data=modification_form(draft, goods=with_new_goods(draft), comment=""))

    assert response.status_code == 422
    doc = parse(response.data)
    assert doc.find("h1").text() == "Demande de modification d'enregistrement"
    assert errors_beside(doc, "request_comment") == [
        "Le commentaire est obligatoire : indiquez au service les éléments que vous souhaitez voir modifiés."]
    assert (value_of(doc, "goods-1-heading"), value_of(doc, "goods-1-description")) == (
        "3923", NEW_GOODS["description"])
    assert doc.find("form", id="application-form").attrs["action"] == f"/rex/demandes/{draft.id}/formulaire"
    assert reload(Application, draft.id).status == S.DRAFT
    assert reload(Registration, holder.registration.id).status == RegistrationStatus.GRANTED


def test_holder_requests_modification_and_registration_shows_modification_demandee(client, login, holder):
    login(holder.operator)
    draft = request_modification(client, holder)
    _to_summary(client, draft, goods=with_new_goods(draft))

    response = _submit(client, draft)

    assert response.status_code == 302 and response.location.endswith(holder.url)
    doc = parse(client.get(holder.url).data)
    text = doc.text()
    assert ("Votre demande de modification a été transmise aux autorités douanières sous la référence "
            f"{draft.reference}.") in text
    assert doc.find("span", class_="status-modification_requested").text() == "Modification demandée"
    assert f"Demande de modification {draft.reference} en cours : voir" in text
    assert "Demander des modifications de cet enregistrement" not in [b.text() for b in doc.find_all("button")]
    assert "Modification de l'enregistrement demandée" in _section(doc, "historique").text()
    assert reload(Application, draft.id).status == S.UNDER_REVIEW
    assert db.session.scalars(select(OutboxEmail.template).order_by(OutboxEmail.id)).all()[-1] == \
        "modification_requested"
    listed = parse(client.get("/rex/autorisations").data).find("tbody").text()
    assert "Modification demandée" in listed


def test_application_page_of_a_modification_request_reads_as_such(client, login, holder):
    modification = submitted_modification(holder)
    login(holder.operator)

    doc = parse(client.get(f"/rex/demandes/{modification.id}").data)

    assert doc.find("h1").text() == f"Demande de modification d'enregistrement {holder.registration.number}"
    links = {a.text(): a.attrs["href"] for a in doc.find_all("a")}
    assert links[f"Voir l'autorisation {holder.registration.number}"] == holder.url
    assert _section(doc, "commentaire").text() == f"Commentaire : {COMMENT}"
    assert _is_modified(doc, "recap-5") and not _is_modified(doc, "recap-4")
    assert "Dupliquer" not in doc.text()
    row = parse(client.get("/rex/demandes/en-cours").data).find("tbody").find("tr")
    assert [td.text() for td in row.find_all("td")][:3] == [
        modification.reference, holder.registration.office.name, "Demande de modification"]


def test_holder_completes_an_incomplete_modification_request_on_the_same_form(client, login, holder):
    modification = submitted_modification(holder)
    workflow.request_information(holder.officer, modification, "Précisez la matière des bouchons.")
    login(holder.operator)

    doc = parse(client.get(f"/rex/demandes/{modification.id}/formulaire").data)

    assert doc.find("h1").text() == "Demande de modification d'enregistrement"
    assert not controls(doc, "office_id") and value_of(doc, "request_comment") == COMMENT
    assert [a.attrs["href"] for a in doc.find_all("a") if a.text() == "Annuler"] == [
        f"/rex/demandes/{modification.id}"]
    assert registrations.pending_modification(holder.registration).id == modification.id
