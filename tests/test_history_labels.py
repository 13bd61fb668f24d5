"""The history shows what changed with the labels of the form ("Marchandise 1 — Description", "Agent en charge")
and values as the form shows them, never the workflow's field keys, for operators and officers alike."""
from app import workflow
from app.change_labels import change_label, change_value
from app.workflow import eori, instruction
from tests.eori_helpers import eori_content, submitted_eori
from tests.operator.html import parse

KEYS = ("goods[1].description", "contacts[1].email", "assigned_officer", "exporter.phone", "office_id")


def _changes(page) -> list[str]:
    history = parse(page.data).find("section", id="historique")
    return [li.text() for li in history.find_all("li")]


def test_operator_and_officer_read_the_changes_of_a_completed_file_with_the_form_labels(factory, login):
    officer = factory.officer()
    operator = factory.operator()
    application = factory.incomplete(operator, officer)
    instruction.assign(officer, application, officer)
    [contact] = application.contacts
    instruction.correct_contact(officer, contact, {"email": "eloise.darrigrand@example.com"})
    content = workflow.content_of(application)
    content.goods = [{"heading": "4202", "description": "Sacs à main et portefeuilles en cuir"}]
    content.exporter["phone"] = "05 59 00 00 00"
    content.office_id = factory.office("FR002300").id  # the operator picks another office: it now instructs
    workflow.save_draft(operator, application, content)
    workflow.complete(operator, application, "Précisions apportées.")  # the changes are recorded when transmitted
    officer = factory.officer("FR002300")

    for user, path in ((operator, f"/rex/demandes/{application.id}"), (officer, f"/admin/dossier/{application.id}")):
        changes = _changes(login(user).get(path))
        assert "Marchandise 1 — Description : Sacs à main en cuir → Sacs à main et portefeuilles en cuir" in changes
        assert "Exportateur — Téléphone : 02 35 00 00 00 → 05 59 00 00 00" in changes
        assert "Service compétent : Bordeaux Mérignac → Le Havre Port" in changes
        assert "Contact 1 — Courriel : eloise@example.com → eloise.darrigrand@example.com" in changes
        assert any(c.startswith("Agent en charge : ∅ → Jeanne Durand") for c in changes), changes
        text = " ".join(changes)
        assert not any(key in text for key in KEYS), text

    grid = login(officer).get("/admin/historique/").get_data(as_text=True)
    assert "Marchandise 1 — Description" in grid and "goods[1]" not in grid


def test_the_changes_of_an_eori_application_read_with_the_eori_form_labels(factory, login):
    officer = factory.officer()
    applicant = factory.user()
    application = submitted_eori(applicant, officer.office)
    workflow.request_information(officer, application, "Précisez votre téléphone.")
    eori.save_draft(applicant, application, eori_content(phone="05 59 47 11 11", publication_consent=False),
                    application.office_id)
    workflow.complete(applicant, application, "Téléphone précisé.")

    changes = _changes(login(applicant).get(f"/rex/demandes/{application.id}"))
    assert "Téléphone : 05 59 47 00 00 → 05 59 47 11 11" in changes
    assert "Consentement à la publication : Oui → Non" in changes
    assert not any(li.startswith(("phone", "publication_consent")) for li in changes)


def test_english_pages_read_the_changes_in_english(app):
    from flask_babel import force_locale

    with app.test_request_context(), force_locale("en"):
        assert change_label("goods[2].heading") == "Goods 2 — Tariff heading"
        assert change_label("assigned_officer") == "Officer in charge"
        assert change_value("main_activity", "trade") == str(change_value("main_activity", "trade"))
        assert change_value("contacts[1].country", "DE") == "Germany"
        assert change_value("undertaking.accepted", True) == "Yes"


def test_an_unknown_key_is_shown_as_recorded():
    assert change_label("some_future_field") == "some_future_field"
    assert change_label("elsewhere[1].thing") == "elsewhere[1].thing"
