"""In a real browser: the header search opens a file of another tab by its reference (operators and officers),
the form is usable 375 px wide and by keyboard alone, and picking a representative's client copies its data."""
from playwright.sync_api import Page, expect

from app.extensions import db
from tests.factories import PASSWORD

SCREENSHOT = "/tmp/issue18-form-375px.png"


def _log_in(page: Page, user):
    page.goto("/connexion")
    page.get_by_label("Identifiant").fill(user.username)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Me connecter").click()


def test_the_header_search_opens_a_rejected_file_from_the_pending_tab(page: Page, factory):
    officer = factory.officer()
    operator = factory.operator()
    company = operator.certifications[0].company
    rejected = factory.rejected(operator, officer, company)
    db.session.commit()
    _log_in(page, operator)
    page.goto("/rex/demandes/en-cours")
    expect(page.get_by_role("heading", name="Mes demandes en cours")).to_be_visible()

    box = page.get_by_role("searchbox", name="Rechercher une demande ou une autorisation")
    box.fill(rejected.reference.lower())
    box.press("Enter")

    expect(page).to_have_url(f"{page.url.split('/rex/')[0]}/rex/demandes/{rejected.id}")
    expect(page.get_by_role("heading", level=1)).to_contain_text(rejected.reference)
    expect(page.locator("nav.sidebar a.active")).to_have_text("Mes demandes rejetées")

    # Words find it too, on the results page, whatever the accents.
    box = page.get_by_role("searchbox", name="Rechercher une demande ou une autorisation")
    box.fill("rejetee")
    box.press("Enter")
    expect(page.locator(".search-results").get_by_role("link", name=rejected.reference)).to_be_visible()


def test_the_officer_header_search_opens_a_file_by_its_reference(page: Page, factory):
    officer = factory.officer()
    operator = factory.operator()
    filed = factory.submitted(operator, operator.certifications[0].company, officer.office.code)
    db.session.commit()
    _log_in(page, officer)
    page.goto("/admin/incompletes/")
    box = page.get_by_role("searchbox", name="Rechercher une demande ou une autorisation")
    box.fill(filed.reference)
    box.press("Enter")
    expect(page).to_have_url(f"{page.url.split('/admin/')[0]}/admin/dossier/{filed.id}")


def test_the_form_is_usable_375_px_wide_and_by_keyboard(browser, live_server, factory):
    operator = factory.operator()
    draft = factory.draft(operator, operator.certifications[0].company)
    db.session.commit()
    context = browser.new_context(base_url=live_server, locale="fr-FR", viewport={"width": 375, "height": 812},
                                  device_scale_factor=1, is_mobile=True, has_touch=True)
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        _log_in(page, operator)
        page.goto(f"/rex/demandes/{draft.id}/formulaire")
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        # Nothing wider than the screen but what scrolls inside its own box.
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, width
        menu = page.locator("nav.sidebar")
        assert menu.bounding_box()["width"] <= 375
        assert page.locator("main").bounding_box()["x"] < 20  # the page is not pushed right by a 240 px menu
        page.screenshot(path=SCREENSHOT, full_page=False)

        # Keyboard: the first Tab reaches the skip link, which leads to the content.
        page.keyboard.press("Tab")
        skip = page.get_by_role("link", name="Aller au contenu")
        expect(skip).to_be_focused()
        page.keyboard.press("Enter")
        expect(page.locator("main")).to_be_focused()
        page.get_by_label("Lieu d'engagement").fill("")
        page.keyboard.press("Enter")  # Enter submits with « Valider »: refused, the summary takes the focus
        expect(page.locator("#error-summary")).to_be_focused()
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
    finally:
        context.close()


def test_picking_a_client_copies_its_data_at_once(page: Page, factory):
    first, second = factory.company(), factory.company()
    second.phone, second.address = "05 59 00 00 02", "7 allée des Pins"
    db.session.commit()
    representative = factory.representative(clients=[first, second])
    draft = factory.draft(representative, first)
    db.session.commit()
    _log_in(page, representative)
    page.goto(f"/rex/demandes/{draft.id}/formulaire")
    expect(page.get_by_role("button", name="Reprendre les données de l'opérateur")).to_be_hidden()
    section = page.locator("#section-2")
    section.get_by_label("Raison sociale").select_option(str(second.id))
    expect(section.get_by_label("Téléphone")).to_have_value("05 59 00 00 02")
    address = section.get_by_label("Numéro et voie")
    expect(address).to_have_value("7 allée des Pins")
    expect(address).not_to_be_editable()
