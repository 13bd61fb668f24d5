"""Issue 17, item 1, in a browser by the French labels: in a four-eyes office an officer proposes the grant, cannot
approve it, a colleague finds it under "Décisions à valider" and approves it; the operator saw no change before."""
from playwright.sync_api import Page, expect
from sqlalchemy import select

from app.extensions import db
from app.models import Application, ApplicationStatus, Office
from tests.e2e.test_instruction import _log_in, _log_out


def test_a_grant_proposed_by_one_officer_takes_effect_when_a_colleague_approves(page: Page, factory):
    office = db.session.scalar(select(Office).where(Office.code == "FR000600"))
    office.four_eyes = True
    operator = factory.operator(factory.company())
    proposer, colleague = factory.officer("FR000600"), factory.officer("FR000600")
    application = factory.submitted(operator)
    application_id = application.id
    db.session.commit()
    page.on("dialog", lambda dialog: dialog.accept())
    try:
        _log_in(page, proposer.username)
        page.goto(f"/admin/dossier/{application_id}")
        expect(page.get_by_role("button", name="Octroyer le numéro REX")).to_have_count(0)
        page.get_by_role("button", name="Proposer l'octroi").click()
        expect(page.locator("#proposition")).to_contain_text("Octroi proposé par")
        expect(page.get_by_role("button", name="Valider la décision")).to_have_count(0)
        expect(page.locator("#proposition")).to_contain_text("Vous ne pouvez pas valider votre propre proposition")
        _log_out(page)

        _log_in(page, operator.username)
        page.goto(f"/rex/demandes/{application_id}")
        expect(page.get_by_text("En étude").first).to_be_visible()
        _log_out(page)

        _log_in(page, colleague.username)
        page.goto("/admin/decisions-a-valider/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Décisions à valider")
        page.get_by_role("link", name=f"Demande #{application_id}").click()
        page.get_by_role("button", name="Valider la décision").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Octroyée")
        page.screenshot(path="/tmp/issue17-four-eyes.png", full_page=True)
        db.session.expire_all()
        assert db.session.get(Application, application_id).status == ApplicationStatus.GRANTED
    finally:
        db.session.rollback()
        db.session.scalar(select(Office).where(Office.code == "FR000600")).four_eyes = False
        db.session.commit()
