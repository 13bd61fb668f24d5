"""Issue 17, item 2, in a browser by the French labels: the officer extends the answer period of an incomplete
file, suspends its clock awaiting an outside answer and resumes it; the operator sees each state."""
from playwright.sync_api import Page, expect
from sqlalchemy import select

from app.extensions import db
from app.models import Application, HistoryEvent
from tests.e2e.test_instruction import _log_in, _log_out


def test_the_officer_extends_suspends_and_resumes_the_answer_period(page: Page, factory):
    operator = factory.operator(factory.company())
    officer = factory.officer("FR000600")
    application = factory.incomplete(operator, officer)
    application_id = application.id
    db.session.commit()

    _log_in(page, officer.username)
    page.goto(f"/admin/dossier/{application_id}")
    expect(page.locator("#delai")).to_contain_text("30 jours")
    page.get_by_text("Gérer le délai").click()
    page.get_by_label("Nombre de jours supplémentaires").fill("45")
    page.get_by_label("À la demande de l'opérateur").check()
    page.get_by_label("Motif de la prolongation").fill("Attente du certificat du fournisseur.")
    page.get_by_role("button", name="Prolonger le délai de réponse").click()
    expect(page.locator("#gestion-delai")).to_contain_text("Le délai peut encore être prolongé de 30 jours au plus.")
    expect(page.get_by_label("Motif de la prolongation")).to_have_value("Attente du certificat du fournisseur.")
    page.get_by_label("Nombre de jours supplémentaires").fill("10")
    page.get_by_role("button", name="Prolonger le délai de réponse").click()
    expect(page.locator("#delai")).to_contain_text("Délai prolongé de 10 jours")
    expect(page.locator("#delai")).to_contain_text("40 jours")

    page.get_by_text("Gérer le délai").click()
    page.get_by_label("Motif de la suspension (réponse extérieure attendue)").fill(
        "Vérification demandée à la DGCCRF.")
    page.get_by_role("button", name="Suspendre le délai").click()
    expect(page.locator("#delai")).to_contain_text("Délai suspendu")
    expect(page.locator("#delai")).to_contain_text("Temps restant à la reprise : 40 jours")
    _log_out(page)

    _log_in(page, operator.username)
    page.goto(f"/rex/demandes/{application_id}")
    expect(page.locator("#delai")).to_contain_text("Délai suspendu depuis le")
    _log_out(page)

    _log_in(page, officer.username)
    page.goto(f"/admin/dossier/{application_id}")
    page.get_by_text("Gérer le délai").click()
    page.get_by_role("button", name="Reprendre le délai").click()
    expect(page.locator("#delai")).to_contain_text("Temps restant : 40 jours")
    page.screenshot(path="/tmp/issue17-clock-officer.png", full_page=True)

    db.session.expire_all()
    kinds = list(db.session.scalars(select(HistoryEvent.kind).where(HistoryEvent.application_id == application_id)))
    assert kinds[-3:] == ["deadline_extended", "clock_suspended", "clock_resumed"]
    assert db.session.get(Application, application_id).deadline_extension_days == 10
