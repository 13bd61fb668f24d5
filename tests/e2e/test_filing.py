"""An operator files a REX application in a real browser, from the login page to « En étude »."""
import re

from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from app.extensions import db
from app.models import Application, ApplicationStatus, HistoryEvent, OutboxEmail
from tests.factories import PASSWORD

REFERENCE = re.compile(r"FR-REX-\d{4}-\d{7}")
NEXT_STEP = "Valider et passer à l'étape suivante"


def test_operator_files_a_rex_application_from_login_to_under_review(page: Page, factory, artifacts_dir):
    operator = factory.operator()
    office = factory.office("FR000600")
    username, office_label = operator.username, f"{office.name} ({office.code})"
    db.session.commit()  # nothing left open: the server thread works on its own connections

    # --- log in ----------------------------------------------------------------------------------
    page.goto("/connexion")
    page.get_by_label("Identifiant").fill(username)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Me connecter").click()
    sidebar = page.get_by_role("navigation", name="Menu SOPRANO/REX")

    # --- create the draft ------------------------------------------------------------------------
    sidebar.get_by_role("link", name="Déposer une demande").click()
    page.get_by_role("button", name="Délivrance du numéro d'exportateur enregistré").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Demande du numéro d'exportateur enregistré")
    subtitle = page.get_by_text(re.compile(r"Demande n° FR-REX-\d{4}-\d{7}"))
    expect(subtitle).to_be_visible()
    reference = REFERENCE.search(subtitle.inner_text()).group(0)

    # --- fill the form, leaving « Lieu » of the consent box empty --------------------------------
    section_1 = page.locator("#section-1")
    section_2 = page.locator("#section-2")
    contacts = page.locator("#contacts")
    goods = page.locator("#goods")
    section_6 = page.locator("#section-6")
    section_7 = page.locator("#section-7")

    section_1.get_by_label("Service compétent").select_option(label=office_label)
    section_2.get_by_label("Téléphone").fill("02 35 11 22 33")
    section_2.get_by_label("Courriel").fill("export@maroquinerie.example")
    section_2.get_by_role("radio", name="Production").check()

    contacts.get_by_label("Nom et Prénom 1").fill("Éloïse Darrigrand")
    contacts.get_by_label("Numéro et voie 1").fill("12 rue de l'Église")
    contacts.get_by_label("Code postal 1").fill("64800")
    contacts.get_by_label("Ville 1").fill("Bénéjacq")
    contacts.get_by_label("Pays 1").select_option(label="France")
    contacts.get_by_label("Téléphone 1").fill("05 59 12 34 56")
    contacts.get_by_label("Courriel 1").fill("eloise@maroquinerie.example")

    goods.get_by_label("Position tarifaire 1").fill("4202")
    goods.get_by_label("Description 1").fill("Sacs à main en cuir")

    # Relations from the list; "UK", as people write it, is read as GB.
    section_6.get_by_label("JP – APE UE-Japon").check()
    section_6.get_by_label("Autres codes").fill("UK")

    section_7.get_by_label("Je m'engage à souscrire").check()
    section_7.get_by_label("Nom et prénom de la personne qui s'engage").fill("Éloïse Darrigrand")
    section_7.get_by_label("Fonction au sein de l'établissement demandeur de la personne qui s'engage").fill("Gérante")
    section_7.get_by_label("Lieu d'engagement").fill("Bénéjacq")
    section_7.get_by_role("radio", name="Oui", exact=True).check()
    section_7.get_by_label("Nom et prénom du signataire habilité").fill("Éloïse Darrigrand")
    section_7.get_by_label("Fonction au sein de l'établissement demandeur du signataire habilité").fill("Gérante")
    place = section_7.get_by_label("Lieu", exact=True)
    expect(place).to_have_value("")

    page.get_by_role("button", name=NEXT_STEP).click()

    # --- refused: the error is beside the empty field, and nothing typed is lost -----------------
    expect(page.get_by_role("alert")).to_contain_text("Votre demande ne peut pas être validée")
    place = page.locator("#section-7").get_by_label("Lieu", exact=True)
    expect(place).to_have_attribute("aria-invalid", "true")
    expect(place).to_have_accessible_description("Ce champ est obligatoire.")
    expect(place.locator("xpath=..")).to_contain_text("Ce champ est obligatoire.")
    expect(page.locator("#application-form").get_by_text("Ce champ est obligatoire.")).to_have_count(1)  # no other
    # The summary at the top lists that one error and leads to the field; it has the focus, for the keyboard.
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_have_text(["Lieu : Ce champ est obligatoire."])
    expect(summary.get_by_role("link")).to_have_attribute("href", "#consent_place")

    expect(section_1.get_by_label("Service compétent").locator("option:checked")).to_have_text(office_label)
    expect(section_2.get_by_label("Téléphone")).to_have_value("02 35 11 22 33")
    expect(section_2.get_by_label("Courriel")).to_have_value("export@maroquinerie.example")
    expect(section_2.get_by_role("radio", name="Production")).to_be_checked()
    expect(contacts.get_by_label("Nom et Prénom 1")).to_have_value("Éloïse Darrigrand")
    expect(contacts.get_by_label("Numéro et voie 1")).to_have_value("12 rue de l'Église")
    expect(contacts.get_by_label("Code postal 1")).to_have_value("64800")
    expect(contacts.get_by_label("Ville 1")).to_have_value("Bénéjacq")
    expect(contacts.get_by_label("Pays 1")).to_have_value("FR")
    expect(contacts.get_by_label("Téléphone 1")).to_have_value("05 59 12 34 56")
    expect(contacts.get_by_label("Courriel 1")).to_have_value("eloise@maroquinerie.example")
    expect(goods.get_by_label("Position tarifaire 1")).to_have_value("4202")
    expect(goods.get_by_label("Description 1")).to_have_value("Sacs à main en cuir")
    expect(section_6.get_by_label("JP – APE UE-Japon")).to_be_checked()
    expect(section_6.get_by_label("Autres codes")).to_have_value("UK")
    expect(section_7.get_by_label("Je m'engage à souscrire")).to_be_checked()
    expect(section_7.get_by_label("Lieu d'engagement")).to_have_value("Bénéjacq")
    expect(section_7.get_by_role("radio", name="Oui", exact=True)).to_be_checked()
    expect(section_7.get_by_label("Nom et prénom du signataire habilité")).to_have_value("Éloïse Darrigrand")

    place.fill("Pau")
    page.get_by_role("button", name=NEXT_STEP).click()

    # --- summary ---------------------------------------------------------------------------------
    expect(page.get_by_text("Ce dossier a changé depuis que vous l'avez ouvert")).to_have_count(0)
    expect(page.get_by_role("list", name="Étapes").locator("[aria-current=step]")).to_have_text("Récapitulatif")
    expect(page.get_by_text(f"Demande n° {reference}")).to_be_visible()

    def summary_section(title):
        return page.locator("section", has=page.get_by_role("heading", name=title))

    def value_of(section, term, nth=0):
        return section.locator("dt", has_text=re.compile(f"^{re.escape(term)}$")).nth(nth).locator("+ dd")

    expect(value_of(summary_section("1. Désignation du service compétent"), "Service compétent")).to_have_text(
        office_label)
    exporter = summary_section("2. Informations sur l'exportateur")
    expect(value_of(exporter, "Téléphone")).to_have_text("02 35 11 22 33")
    expect(value_of(exporter, "Courriel")).to_have_text("export@maroquinerie.example")
    expect(value_of(exporter, "Activité principale")).to_have_text("Production")
    expect(summary_section("4. Contacts").get_by_role("row").nth(1).get_by_role("cell")).to_have_text([
        "Éloïse Darrigrand", "12 rue de l'Église", "64800", "Bénéjacq", "France", "05 59 12 34 56",
        "eloise@maroquinerie.example", ""])
    goods_row = summary_section("5. Marchandises admissibles").get_by_role("row").nth(1)
    expect(goods_row.get_by_role("cell").first).to_contain_text("4202")
    expect(goods_row.get_by_role("cell").last).to_have_text("Sacs à main en cuir")
    expect(summary_section("6. Relation(s) préférentielle(s)").locator(".tag")).to_have_text(["JP", "GB"])
    undertakings = summary_section("7. Mentions et engagements")
    for term, shown in (("Je m'engage à souscrire", "Oui"),
                        ("Nom et prénom de la personne qui s'engage", "Éloïse Darrigrand"),
                        ("Lieu d'engagement", "Bénéjacq"),
                        ("Consentement à la publication des données", "Oui"),
                        ("Nom et prénom du signataire habilité", "Éloïse Darrigrand"),
                        ("Lieu", "Pau")):
        expect(value_of(undertakings, term)).to_have_text(shown)
    expect(value_of(undertakings, "Fonction", 0)).to_have_text("Gérante")
    expect(value_of(undertakings, "Fonction", 1)).to_have_text("Gérante")
    page.screenshot(path=artifacts_dir / "e2e-filing-summary.png", full_page=True)
    page.get_by_role("button", name="Soumettre ma demande").click()

    # --- confirmation, then « Mes demandes en cours » ---------------------------------------------
    confirmation = page.get_by_role("status")
    expect(confirmation).to_contain_text("Votre demande a été transmise à l'administration, sous la référence FR-REX-")
    expect(confirmation).to_contain_text(reference)
    page.screenshot(path=artifacts_dir / "e2e-filing-confirmation.png", full_page=True)

    sidebar.get_by_role("link", name="Mes demandes en cours").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes demandes en cours")
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=reference, exact=True))
    expect(row).to_have_count(1)
    expect(row).to_contain_text("En étude")

    # --- what the database says ------------------------------------------------------------------
    db.session.expire_all()
    application = db.session.scalar(select(Application).where(Application.reference == reference))
    assert application.status == ApplicationStatus.UNDER_REVIEW
    assert application.created_by_id == operator.id
    assert db.session.scalar(select(func.count()).select_from(HistoryEvent).where(
        HistoryEvent.application_id == application.id, HistoryEvent.kind == "submitted")) == 1
    assert db.session.scalars(select(OutboxEmail.template)).all() == ["submitted"]
