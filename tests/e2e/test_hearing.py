"""Issue 17, item 3, in a browser by the French labels: the officer notifies the intention to revoke, the holder
reads "Révocation envisagée" and presents their observations, the officer revokes with the answer quoted."""
from playwright.sync_api import Page, expect
from sqlalchemy import select

from app import workflow
from app.extensions import db
from app.models import OutboxEmail, Registration
from tests.e2e.test_instruction import _log_in, _log_out

GROUNDS = "Le contrôle du 12/11 a montré que les sacs sont fabriqués hors de l'Union."
ANSWER = "Les tiges sont fabriquées à Hasparren, nous joignons les factures."


def test_the_holder_is_heard_before_the_officer_revokes(page: Page, factory):
    company = factory.company()
    operator = factory.operator(company)
    officer = factory.officer("FR000600")
    registration = workflow.grant(officer, factory.submitted(operator, company))
    registration_id, number = registration.id, registration.number
    db.session.commit()
    page.on("dialog", lambda dialog: dialog.accept())

    _log_in(page, officer.username)
    page.goto(f"/admin/autorisation/{registration_id}")
    expect(page.get_by_role("button", name="Révoquer l'enregistrement")).to_have_count(0)
    page.get_by_label("Motif de la révocation envisagée").select_option(label=(
        "L'exportateur ne remplit plus les conditions pour exporter sous le régime préférentiel"))
    page.get_by_label("Motifs exposés au titulaire").fill(GROUNDS)
    page.get_by_role("button", name="Notifier l'intention de révoquer").click()
    expect(page.locator("#revocation-envisagee")).to_contain_text("Révocation envisagée")
    _log_out(page)

    _log_in(page, operator.username)
    page.goto(f"/rex/autorisations/{registration_id}")
    banner = page.locator("#revocation-envisagee")
    expect(banner).to_contain_text("Révocation envisagée")
    expect(banner).to_contain_text(GROUNDS)
    page.get_by_label("Vos observations").fill(ANSWER)
    page.get_by_role("button", name="Présenter mes observations").click()
    expect(page.locator("#revocation-envisagee")).to_contain_text("Vous avez présenté vos observations")
    page.screenshot(path="/tmp/issue17-hearing-holder.png", full_page=True)
    _log_out(page)

    _log_in(page, officer.username)
    page.goto(f"/admin/autorisation/{registration_id}")
    expect(page.locator("#revocation-envisagee")).to_contain_text(ANSWER)
    page.get_by_label("Commentaire").first.fill("L'assemblage seul ne confère pas l'origine préférentielle.")
    page.get_by_role("button", name="Révoquer l'enregistrement").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Révoquée")

    db.session.expire_all()
    email = db.session.scalars(select(OutboxEmail).where(OutboxEmail.template == "revoked")).one()
    assert number in email.subject and ANSWER in email.body
    assert db.session.get(Registration, registration_id).revocation_ground.value == "conditions_not_met"
