"""A newcomer signs up, asks for an EORI number, the office grants it, and the newcomer files a REX application
for the company just created: one browser, three sessions."""
import re
from urllib.parse import urlsplit

from playwright.sync_api import Page, expect
from sqlalchemy import select

from app.extensions import db
from app.models import Application, ApplicationKind, ApplicationStatus, Company, OutboxEmail
from tests.factories import PASSWORD

USERNAME = "eloisedarrigrand"
USER_PASSWORD = "Conserve-2026!"
EMAIL = "eloise@conserverie-ciboure.fr"
SIRET = "73282932000074"
EORI = f"FR{SIRET}"
NEXT_STEP = "Valider et passer à l'étape suivante"


def _log_in(page: Page, username: str, password: str):
    page.goto("/connexion")
    page.get_by_label("Identifiant").fill(username)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Me connecter").click()


def _log_out(page: Page):
    page.get_by_role("button", name="Me déconnecter").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Se connecter")


def _activation_path() -> str:
    db.session.expire_all()
    body = db.session.scalar(select(OutboxEmail.body).where(OutboxEmail.template == "activation"))
    [link] = re.findall(r"https?://\S+/activer/\S+", body)
    return urlsplit(link).path


def test_a_newcomer_obtains_an_eori_then_files_a_rex_application(page: Page, factory, artifacts_dir):
    officer = factory.officer("FR000600")
    office = officer.office
    officer_name, office_label = officer.username, f"{office.name} ({office.code})"
    db.session.commit()  # nothing left open: the server thread works on its own connections
    page.on("dialog", lambda dialog: dialog.accept())  # « Abandonner », « Octroyer »... ask window.confirm()
    sidebar = page.get_by_role("navigation", name="Menu SOPRANO/REX")

    # === sign up, activate through the emailed link, log in =====================================
    page.goto("/connexion")
    page.get_by_role("link", name="S'inscrire").click()
    page.get_by_label("Identifiant").fill(USERNAME)
    page.get_by_label("Mot de passe", exact=True).fill(USER_PASSWORD)
    page.get_by_label("Confirmer le mot de passe").fill(USER_PASSWORD)
    page.get_by_label("Courrier électronique", exact=True).fill(EMAIL)
    page.get_by_label("Confirmer le courrier électronique").fill(EMAIL)
    page.get_by_label("Nom", exact=True).fill("Darrigrand")
    page.get_by_label("Prénom").fill("Éloïse")
    page.get_by_label("J'accepte les conditions générales d'utilisation").check()
    page.get_by_role("button", name="Créer mon compte").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Votre compte a été créé")

    page.goto(_activation_path())
    expect(page.get_by_text("Votre compte est activé : vous pouvez vous connecter.")).to_be_visible()
    _log_in(page, USERNAME, USER_PASSWORD)

    # === « Déposer une demande »: only the EORI choice ============================================
    sidebar.get_by_role("link", name="Déposer une demande").click()
    expect(page.get_by_text("Votre compte n'est habilité pour aucun opérateur")).to_be_visible()
    expect(page.get_by_role("button", name="Délivrance du numéro d'exportateur enregistré")).to_have_count(0)
    page.screenshot(path=artifacts_dir / "e2e-eori-choice.png", full_page=True)
    page.get_by_role("button", name="Demande de numéro EORI").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Demande de numéro EORI")
    reference = re.search(r"FR-EORI-\d{4}-\d{7}",
                          page.get_by_text(re.compile(r"Demande n° FR-EORI-")).inner_text()).group(0)

    # === the form: a wrong SIRET first, refused beside it =========================================
    page.get_by_label("Service compétent").select_option(label=office_label)
    expect(page.get_by_role("radio", name=re.compile("^EORI-SIRET"))).to_be_checked()
    page.get_by_role("radio", name="Personne morale").check()
    page.get_by_label("Raison sociale, nom du groupement ou nom de naissance").fill("Conserverie de Ciboure")
    page.get_by_label("Statut juridique").fill("5710")
    page.get_by_label("Date de création").fill("2015-03-02")
    page.get_by_role("textbox", name="Numéro SIREN").fill("732829320")
    page.get_by_role("textbox", name="Numéro SIRET").fill("73282932000079")
    page.get_by_label("Numéro de TVA intracommunautaire").fill("FR44732829320")
    page.get_by_label("Code APE").fill("46.90Z")
    address = page.locator("#eori-address")
    address.get_by_label("Numéro et voie").fill("4 quai Maurice Ravel")
    address.get_by_label("Code postal").fill("64500")
    address.get_by_label("Ville").fill("Ciboure")
    expect(address.get_by_label("Pays")).to_have_value("FR")
    address.get_by_label("Téléphone").fill("05 59 47 00 00")
    address.get_by_label("Courriel").fill(EMAIL)
    page.get_by_label("Nom et prénom de la personne à contacter").fill("Éloïse Darrigrand")
    page.locator("#eori-consent").get_by_role("radio", name="Oui").check()
    page.get_by_label("Je déclare ne pas détenir de numéro EORI").check()
    page.get_by_label("Je m'engage à communiquer à l'administration des douanes").check()
    page.get_by_role("button", name=NEXT_STEP).click()

    siret = page.get_by_role("textbox", name="Numéro SIRET")
    expect(siret).to_have_attribute("aria-invalid", "true")
    expect(siret.locator("xpath=..")).to_contain_text("Numéro SIRET invalide")
    expect(siret).to_have_value("73282932000079")
    expect(page.get_by_label("Code APE")).to_have_value("46.90Z")
    expect(page.get_by_label("Je déclare ne pas détenir de numéro EORI")).to_be_checked()
    page.screenshot(path=artifacts_dir / "e2e-eori-form-error.png", full_page=True)
    siret.fill(SIRET)
    siret.press("Enter")  # Enter validates: the hidden first button, never « Abandonner ma demande »

    # === recap, submission ========================================================================
    expect(page.get_by_role("list", name="Étapes").locator("[aria-current=step]")).to_have_text("Récapitulatif")
    identity = page.locator("#recap-eori-identity")
    expect(identity).to_contain_text(SIRET)
    expect(identity).to_contain_text("46.90Z")
    expect(identity).to_contain_text("02/03/2015")
    page.screenshot(path=artifacts_dir / "e2e-eori-summary.png", full_page=True)
    page.get_by_role("button", name="Soumettre ma demande").click()
    confirmation = page.get_by_role("status")
    expect(confirmation).to_contain_text(
        f"Votre demande a été transmise à l'administration, sous la référence {reference}")
    expect(page.get_by_text("il ne s'agit pas de votre numéro EORI")).to_be_visible()
    page.screenshot(path=artifacts_dir / "e2e-eori-confirmation.png", full_page=True)
    sidebar.get_by_role("link", name="Mes demandes en cours").click()
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=reference, exact=True))
    expect(row).to_contain_text("EORI")
    expect(row).to_contain_text("En étude")
    _log_out(page)

    # === the officer grants it from the instruction page ==========================================
    db.session.expire_all()
    application_id = db.session.scalar(select(Application.id).where(Application.reference == reference))
    _log_in(page, officer_name, PASSWORD)
    page.locator("#files-du-service").get_by_role("link", name="À traiter").click()  # from Mon travail
    page.get_by_role("link", name=reference, exact=True).click()
    expect(page).to_have_url(re.compile(rf"/admin/dossier/{application_id}$"))
    # The grant's label is the back-office's own (« Octroyer », « Attribuer le numéro EORI »): use its form.
    page.locator(f"form[action$='/dossier/{application_id}/octroyer']").get_by_role("button").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Octroyée")
    page.screenshot(path=artifacts_dir / "e2e-eori-officer-granted.png", full_page=True)
    _log_out(page)

    # === the newcomer sees the number, then files a REX application for the new company ===========
    _log_in(page, USERNAME, USER_PASSWORD)
    page.goto(f"/rex/demandes/{application_id}")
    expect(page.get_by_text(f"Numéro EORI attribué : {EORI}")).to_be_visible()
    page.screenshot(path=artifacts_dir / "e2e-eori-granted.png", full_page=True)
    page.get_by_role("link", name="Déposer une demande de numéro REX").click()
    expect(page.get_by_text("Votre compte n'est habilité pour aucun opérateur")).to_have_count(0)
    page.get_by_role("button", name="Délivrance du numéro d'exportateur enregistré").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Demande du numéro d'exportateur enregistré")
    section_2 = page.locator("#section-2")
    expect(section_2.get_by_label("Raison sociale").locator("option:checked")).to_have_text(
        f"Conserverie de Ciboure ({EORI})")
    expect(section_2).to_contain_text(EORI)
    page.locator("#section-1").get_by_label("Service compétent").select_option(label=office_label)
    section_2.get_by_role("radio", name="Production").check()
    page.screenshot(path=artifacts_dir / "e2e-eori-rex-form.png", full_page=True)
    page.get_by_role("button", name="Reprendre ma saisie plus tard").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes brouillons")
    rex_row = page.get_by_role("row").filter(has_text=re.compile(r"FR-REX-\d{4}-\d{7}"))
    expect(rex_row).to_have_count(1)
    expect(rex_row).to_contain_text("REX")

    # === what the database says ===================================================================
    db.session.expire_all()
    company = db.session.scalar(select(Company).where(Company.eori == EORI))
    assert company.name == "Conserverie de Ciboure" and company.siret == SIRET
    assert db.session.get(Application, application_id).status == ApplicationStatus.GRANTED
    draft = db.session.scalar(select(Application).where(Application.kind == ApplicationKind.REX))
    assert (draft.status, draft.company_id, draft.exporter_eori) == (ApplicationStatus.DRAFT, company.id, EORI)
    recipients = db.session.execute(select(OutboxEmail.template, OutboxEmail.recipient)
                                    .order_by(OutboxEmail.id)).all()
    assert [tuple(r) for r in recipients] == [("activation", EMAIL), ("submitted", EMAIL), ("eori_granted", EMAIL)]
