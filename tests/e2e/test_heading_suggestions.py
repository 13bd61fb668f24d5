"""The goods section suggests tariff headings in French as the operator types, in a real browser."""
import re

from playwright.sync_api import Page, expect

from app.extensions import db
from tests.factories import PASSWORD


def test_typing_valise_offers_heading_4202_in_french_and_the_chapter_follows(page: Page, factory):
    operator = factory.operator()
    draft = factory.draft(operator, goods=[{"heading": "6403", "description": "Chaussures"}])
    db.session.commit()

    page.goto("/connexion")
    page.get_by_label("Identifiant").fill(operator.username)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Me connecter").click()
    page.goto(f"/rex/demandes/{draft.id}/formulaire")

    heading = page.locator("#goods").get_by_label("Position tarifaire 1")
    heading.fill("")
    heading.press_sequentially("valise", delay=30)
    option = page.locator("#heading-options option")
    expect(option).to_have_count(1)
    expect(option).to_have_attribute("value", re.compile(r"^4202 - Malles, valises et mallettes"))

    heading.fill(option.get_attribute("value"))
    page.locator("#goods").get_by_label("Description 1").fill("Valises en cuir")
    page.get_by_role("button", name="Reprendre ma saisie plus tard").click()

    page.goto(f"/rex/demandes/{draft.id}/formulaire")
    row = page.locator("#goods tbody tr").first
    expect(row.locator("td.chapter")).to_have_text(re.compile(r"^42 - Ouvrages en cuir"))
    expect(page.locator("#goods").get_by_label("Position tarifaire 1")).to_have_value(re.compile(r"^4202"))

    heading = page.locator("#goods").get_by_label("Position tarifaire 1")
    heading.fill("")
    heading.press_sequentially("3900", delay=30)
    expect(page.locator("#heading-options option").first).to_have_attribute(
        "value", "3900 - Matières plastiques et ouvrages en ces matières")
