"""An officer asks for more information, the operator completes the file, the officer grants it and the
operator finds the registration: two people taking turns in one browser, logging in and out."""
import re

from playwright.sync_api import Page, expect
from sqlalchemy import select

from app.extensions import db
from app.models import (
    Application, ApplicationStatus, HistoryEvent, OutboxEmail, Registration, RegistrationStatus,
)
from tests.factories import PASSWORD

NEXT_STEP = "Valider et passer à l'étape suivante"
QUESTION = "Merci de préciser la composition des sacs (cuir de vachette ou synthétique)."
COMPLEMENT = "Les sacs sont en cuir de vachette ; la description de la ligne 1 est précisée."
NEW_DESCRIPTION = "Sacs à main en cuir de vachette"


def _log_in(page: Page, username: str):
    page.goto("/connexion")
    page.get_by_label("Identifiant").fill(username)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Me connecter").click()


def _log_out(page: Page):
    page.get_by_role("button", name="Me déconnecter").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Se connecter")
    expect(page.get_by_role("alert")).to_have_text("Vous êtes déconnecté.")


def test_officer_requests_information_operator_completes_officer_grants_and_operator_sees_the_registration(
        page: Page, factory, artifacts_dir):
    # tests.factories gives addresses at example.test, a special-use domain the form's email check refuses
    # (« Adresse électronique invalide. »): the operator could not re-save the file. Use deliverable-looking ones.
    company = factory.company()
    company.email = "export@maroquinerie.example"
    db.session.commit()
    operator = factory.operator(company)
    contact = {"full_name": "Éloïse Darrigrand", "address": "12 rue de l'Église", "postcode": "64800",
               "city": "Bénéjacq", "country": "FR", "phone": "05 59 12 34 56",
               "email": "eloise@maroquinerie.example", "fax": ""}
    application = factory.submitted(operator, contacts=[contact])
    officer = factory.officer("FR000600")
    reference, eori, application_id = application.reference, application.exporter_eori, application.id
    number = f"FRREX{eori}"
    db.session.commit()  # nothing left open: the server thread works on its own connections

    # static/js/form.js asks window.confirm() before every irreversible action: say yes, and keep the question.
    confirmations = []

    def accept(dialog):
        confirmations.append(dialog.message)
        dialog.accept()
    page.on("dialog", accept)

    def thread():
        return page.locator("section", has=page.get_by_role("heading", name="Fil de discussion"))

    # === officer: queue « À traiter », then ask for more information ==============================
    _log_in(page, officer.username)
    expect(page).to_have_url(re.compile(r"/admin/mon-travail/"))  # the officers' home, then their queue
    page.locator("#files-du-service").get_by_role("link", name="À traiter").click()
    expect(page).to_have_url(re.compile(r"/admin/a_traiter/"))
    page.get_by_role("link", name=reference, exact=True).click()
    expect(page).to_have_url(re.compile(rf"/admin/dossier/{application_id}$"))
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_contain_text(f"Demande {reference}")
    expect(heading).to_contain_text("En étude")

    page.get_by_label("Informations attendues du demandeur").fill(QUESTION)
    page.get_by_role("button", name="Demander des informations complémentaires").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Incomplète")
    expect(page.get_by_text("Les informations complémentaires ont été demandées")).to_be_visible()
    expect(page.get_by_text("Temps restant")).to_be_visible()
    expect(thread()).to_contain_text(QUESTION)
    assert len(confirmations) == 1 and "Incomplète" in confirmations[0]
    _log_out(page)

    # === operator: « Mes demandes en cours », « Compléter la demande » ============================
    _log_in(page, operator.username)
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes demandes en cours")
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=reference, exact=True))
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Incomplète")
    expect(row.get_by_role("cell").last).to_have_text(re.compile(r"^(29|30) jours$"))  # « Temps restant »

    row.get_by_role("link", name=reference, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Demande {reference}")
    expect(page.get_by_text(re.compile(r"Temps restant \d+ jours"))).to_be_visible()
    expect(thread()).to_contain_text(QUESTION)
    page.get_by_role("link", name="Compléter la demande").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Compléter la demande {reference}")
    page.get_by_role("button", name="Oui", exact=True).click()

    description = page.locator("#goods").get_by_label("Description 1")
    expect(description).to_have_value("Sacs à main en cuir")
    description.fill(NEW_DESCRIPTION)
    page.get_by_role("button", name=NEXT_STEP).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Récapitulatif du complément à la demande")
    page.get_by_label("Compléments apportés à la demande").fill(COMPLEMENT)
    page.get_by_role("button", name="Transmettre le complément").click()
    expect(page.get_by_role("alert")).to_have_text(
        "Les informations complémentaires saisies ont été transmises au service.")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Demande {reference}")
    expect(page.locator("main .badge").first).to_have_text("En étude")
    expect(page.get_by_role("link", name="Compléter la demande")).to_have_count(0)
    assert len(confirmations) == 2 and "complément" in confirmations[1]
    _log_out(page)

    # === officer: the file is back in « À traiter », with the complement; grant ===================
    _log_in(page, officer.username)
    page.locator("#files-du-service").get_by_role("link", name="À traiter").click()  # from Mon travail
    page.get_by_role("link", name=reference, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("En étude")
    expect(thread()).to_contain_text(COMPLEMENT)
    expect(page.locator(".instruction-sections")).to_contain_text(NEW_DESCRIPTION)
    page.get_by_role("button", name="Octroyer").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Octroyée")
    expect(page.get_by_text("Numéro REX octroyé")).to_contain_text(number)
    expect(page.get_by_role("button", name="Octroyer")).to_have_count(0)
    assert len(confirmations) == 3 and "Octroyer le numéro REX" in confirmations[2]
    page.screenshot(path=artifacts_dir / "e2e-instruction-granted.png", full_page=True)
    _log_out(page)

    # === operator: « Mes autorisations », then the registration ==================================
    _log_in(page, operator.username)
    page.get_by_role("navigation", name="Menu SOPRANO/REX").get_by_role("link", name="Mes autorisations").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes autorisations")
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=number, exact=True))
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Octroyée")
    page.screenshot(path=artifacts_dir / "e2e-instruction-registrations.png", full_page=True)
    row.get_by_role("link", name=number, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Autorisation {number}")
    expect(page.get_by_text("Octroyée", exact=True)).to_be_visible()

    # === what the database says =================================================================
    db.session.expire_all()
    application = db.session.get(Application, application_id)
    assert application.status == ApplicationStatus.GRANTED
    assert application.answer_deadline is None
    assert [g.description for g in application.goods_lines] == [NEW_DESCRIPTION]
    registration = db.session.scalar(select(Registration).where(Registration.application_id == application_id))
    assert registration.number == number
    assert registration.status == RegistrationStatus.GRANTED
    kinds = db.session.scalars(select(HistoryEvent.kind).where(HistoryEvent.application_id == application_id)
                               .order_by(HistoryEvent.id)).all()
    assert [k for k in kinds if k != "draft_created"] == [
        "submitted", "information_requested", "content_modified", "completed", "granted"]
    templates = db.session.scalars(select(OutboxEmail.template).order_by(OutboxEmail.id)).all()
    assert templates == ["submitted", "incomplete", "completed", "granted"]
