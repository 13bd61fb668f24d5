"""Guide 7.2 in a browser: the holder asks to modify its registration (one more goods line), the office
validates it, and the holder finds the new version and the former one under « Version antérieure »."""
import re

from playwright.sync_api import Page, expect
from sqlalchemy import select

from app import workflow
from app.extensions import db
from app.models import Application, ApplicationKind, Registration, RegistrationStatus
from tests.factories import PASSWORD

COMMENT_LABEL = ("Veuillez saisir tout commentaire que vous souhaiteriez transmettre à la Douane dans le cadre de "
                 "cette demande de modification de votre enregistrement")
CONFIRMATION = ("Les modifications que vous avez demandées vont être transmises aux autorités douanières pour "
                "qu'elles puissent les valider. Voulez-vous continuer ?")
COMMENT = "Ajout d'une marchandise : bouchons en plastique."


def _log_in(page: Page, username: str):
    page.goto("/connexion")
    page.get_by_label("Identifiant").fill(username)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Me connecter").click()


def _log_out(page: Page):
    page.get_by_role("button", name="Me déconnecter").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Se connecter")


def _my_registrations(page: Page):
    page.get_by_role("navigation", name="Menu SOPRANO/REX").get_by_role("link", name="Mes autorisations").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes autorisations")


def test_holder_requests_a_modification_the_office_validates_it_and_the_holder_sees_the_new_version(
        page: Page, factory, artifacts_dir):
    officer = factory.officer("FR000600")
    company = factory.company(name="Maroquinerie de Bénéjacq SAS")
    operator = factory.operator(company)
    registration = workflow.grant(officer, factory.submitted(operator, company, officer.office.code))
    number, first_id = registration.number, registration.id
    db.session.commit()  # nothing left open: the server thread works on its own connections

    # The back-office asks window.confirm() before its actions: say yes, and keep the question.
    confirmations = []

    def accept(dialog):
        confirmations.append(dialog.message)
        dialog.accept()
    page.on("dialog", accept)

    # === holder: « Mes autorisations », the registration, « Demander des modifications » ==============
    _log_in(page, operator.username)
    _my_registrations(page)
    page.get_by_role("row").filter(has=page.get_by_role("link", name=number)).get_by_role("link", name=number).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Autorisation {number}")
    page.get_by_role("button", name="Demander des modifications de cet enregistrement").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Demande de modification d'enregistrement")
    expect(page.get_by_text(f"Enregistrement n° {number}")).to_be_visible()
    expect(page.get_by_text("Pensez à modifier votre courriel ainsi que vos contacts si nécessaire.")).to_be_visible()
    expect(page.get_by_label("Service compétent")).to_have_count(0)  # section 1 is shown, not editable
    goods = page.locator("#goods")
    goods.get_by_role("button", name="Ajouter une ligne +").click()
    goods.get_by_label("Position tarifaire 2").fill("3923")
    goods.get_by_label("Description 2").fill("Bouchon plastique")
    page.get_by_label(COMMENT_LABEL).fill(COMMENT)
    page.screenshot(path=artifacts_dir / "e2e-modification-form.png", full_page=True)
    page.get_by_role("button", name="Continuer").click()

    # === the recap: section 5 « Modifiée », then « Soumettre » and « Oui » ============================
    expect(page).to_have_url(re.compile(r"/recapitulatif$"))
    expect(page.locator("#recap-5 .badge.modified")).to_have_text("Modifiée")
    expect(page.locator("#recap-5 .after")).to_contain_text("Bouchon plastique")
    expect(page.locator("#recap-5 .before")).not_to_contain_text("Bouchon plastique")
    expect(page.locator("#recap-4 .badge.modified")).to_have_count(0)
    expect(page.locator("#commentaire")).to_contain_text(COMMENT)
    page.screenshot(path=artifacts_dir / "e2e-modification-summary.png", full_page=True)
    page.get_by_role("button", name="Soumettre la demande de modification").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text(CONFIRMATION)
    page.screenshot(path=artifacts_dir / "e2e-modification-dialog.png")
    dialog.get_by_role("button", name="Oui").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(f"Autorisation {number}")
    expect(page.get_by_role("alert")).to_contain_text("Votre demande de modification a été transmise")
    expect(page.locator("main .badge").first).to_have_text("Modification demandée")
    page.screenshot(path=artifacts_dir / "e2e-modification-requested.png", full_page=True)
    assert confirmations == []  # the holder's question is the page's own <dialog>, not window.confirm()
    _log_out(page)

    modification_id = db.session.scalar(select(Application.id).where(
        Application.kind == ApplicationKind.REX_MODIFICATION, Application.registration_id == first_id))

    # === officer: the modification request's instruction page, « Valider la modification » ============
    _log_in(page, officer.username)
    page.goto(f"/admin/dossier/{modification_id}")
    expect(page.locator("#modifications")).to_contain_text("Bouchon plastique")
    page.get_by_role("button", name="Valider la modification").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Octroyée")
    assert len(confirmations) == 1 and "Version antérieure" in confirmations[0]
    _log_out(page)

    # === holder: the new version, the former one under « Version antérieure » =========================
    _log_in(page, operator.username)
    _my_registrations(page)
    rows = page.get_by_role("row").filter(has=page.get_by_role("link", name=number))
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("Octroyée")
    expect(rows.nth(1)).to_contain_text("Version antérieure")
    page.screenshot(path=artifacts_dir / "e2e-modification-registrations.png", full_page=True)
    rows.nth(0).get_by_role("link", name=number).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Autorisation {number}")
    page.locator("details.versions summary").click()
    expect(page.locator("details.versions li")).to_have_count(2)
    expect(page.locator("details.versions li").nth(1)).to_contain_text("Version antérieure")
    expect(page.locator("#historique")).to_contain_text("Nouvelle version de l'autorisation après modification")
    expect(page.locator("#recap-5")).to_contain_text("Bouchon plastique")
    page.screenshot(path=artifacts_dir / "e2e-modification-new-version.png", full_page=True)
    page.locator("details.versions li").nth(1).get_by_role("link").click()
    expect(page.get_by_text("Cette version de l'autorisation est une version antérieure")).to_be_visible()
    expect(page.get_by_role("button", name="Demander des modifications de cet enregistrement")).to_have_count(0)
    expect(page.get_by_role("button", name="Envoyer")).to_have_count(0)
    expect(page.locator("#recap-5")).not_to_contain_text("Bouchon plastique")
    page.screenshot(path=artifacts_dir / "e2e-modification-former-version.png", full_page=True)

    # === what the database says =====================================================================
    db.session.expire_all()
    versions = db.session.scalars(select(Registration).where(Registration.number == number)
                                  .order_by(Registration.version_no)).all()
    assert [(v.version_no, v.status) for v in versions] == [
        (1, RegistrationStatus.SUPERSEDED), (2, RegistrationStatus.GRANTED)]
    assert [g.description for g in versions[1].application.goods_lines][-1] == "Bouchon plastique"
