"""The officers' date filters in Chromium: a French picker (labels, days, months, Monday first, dd/mm/yyyy
dates) whose range the queue reads; English on ?lang=en."""
import re

from playwright.sync_api import Page, expect

from app.extensions import db
from tests.e2e.test_csp import _log_in

FRENCH_MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
                 "novembre", "décembre"]


def _open_date_filter(page: Page, name: str):
    page.wait_for_load_state("load")  # the dropdown opens only once Flask-Admin's scripts have run
    page.locator("a.nav-link.dropdown-toggle", has_text=name[0]).first.click()
    page.locator("a.filter", has_text=name[1]).click()
    page.locator("table.filters input.filter-val").first.click()
    return page.locator(".daterangepicker").first


def test_the_date_picker_of_a_filter_speaks_french_and_filters(page: Page, factory):
    officer = factory.officer()
    reference = factory.submitted(factory.operator(), office_code=officer.office.code).reference
    db.session.commit()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    _log_in(page, officer.username)
    expect(page).to_have_url(re.compile(r"/admin/mon-travail/"))  # the officers' home, then their queue
    page.locator("#files-du-service").get_by_role("link", name="À traiter").click()
    expect(page).to_have_url(re.compile(r"/admin/a_traiter/"))
    picker = _open_date_filter(page, ("Ajouter un filtre", "Déposée le"))
    expect(picker).to_be_visible()
    expect(picker.locator("button.applyBtn")).to_have_text("Appliquer")
    expect(picker.locator("button.cancelBtn")).to_have_text("Annuler")
    expect(picker.locator(".daterangepicker_start_input label")).to_have_text("Du")
    expect(picker.locator(".daterangepicker_end_input label")).to_have_text("Au")
    days = picker.locator(".calendar.first thead tr").nth(1).locator("th").all_inner_texts()
    assert days == ["Lu", "Ma", "Me", "Je", "Ve", "Sa", "Di"], days
    months = picker.locator("select.monthselect option").all_inner_texts()
    assert months and set(months) <= set(FRENCH_MONTHS), months

    picker.locator("button.applyBtn").click()
    value = page.locator("table.filters input.filter-val").first.input_value()
    assert re.fullmatch(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2} au \d{2}/\d{2}/\d{4} \d{2}:\d{2}", value), value
    page.locator("#filter_form button[type=submit]").click()
    expect(page.locator("table.filters")).to_be_visible()
    assert "+au+" in page.url or "%20au%20" in page.url, page.url
    assert errors == [], errors

    # A range that includes today shows the file just filed.
    page.goto("/admin/a_traiter/?flt0_dpose_le_between=01/01/2000 00:00 au 31/12/2099 23:59")
    expect(page.get_by_role("link", name=reference)).to_be_visible()

    page.goto("/admin/a_traiter/?lang=en")
    picker = _open_date_filter(page, ("Add Filter", "Filed on"))
    expect(picker.locator("button.applyBtn")).to_have_text("Apply")
