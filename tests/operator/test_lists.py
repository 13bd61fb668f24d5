"""The operator's home lists: every decided file has a tab, the menu highlights the tab of the file shown,
kinds read as the guide names them, and long lists come a page of 50 at a time."""
import pytest

from app import workflow
from app.models import Role
from app.operator import queries
from app.workflow import eori
from tests.operator.eori_helpers import EORI_SIRET, eori_submitted
from tests.operator.html import parse
from tests.operator.registration_helpers import holder, submitted_modification  # noqa: F401  (fixture)


def _rows(response) -> list[list[str]]:
    assert response.status_code == 200, response.status_code
    return [[td.text() for td in tr.find_all("td")] for tr in parse(response.data).find("tbody").find_all("tr")]


def _active_menu_entry(response) -> str | None:
    active = parse(response.data).find("nav", class_="sidebar").find("a", class_="active")
    return active.text() if active else None


def test_a_granted_eori_application_is_listed_under_my_authorisations(factory, login):
    applicant = factory.user(Role.OPERATOR)
    officer = factory.officer("FR000600")
    application = eori_submitted(applicant, officer.office)
    company = workflow.grant(officer, application)
    client = login(applicant)

    [row] = _rows(client.get("/rex/autorisations"))
    assert row[:4] == [EORI_SIRET, "Bordeaux Mérignac", "EORI", company.eori_granted_on.strftime("%d/%m/%Y")]
    assert row[5] == "Octroyée"
    link = parse(client.get("/rex/autorisations").data).find("tbody").find("a")
    assert link.attrs["href"] == f"/rex/demandes/{application.id}"
    page = client.get(link.attrs["href"])
    assert _active_menu_entry(page) == "Mes autorisations"
    for tab in ("en-cours", "brouillons", "rejetees"):
        assert application.reference not in client.get(f"/rex/demandes/{tab}").get_data(as_text=True)

    eori.invalidate(officer, company, "ceased", None, "Cessation d'activité constatée.")
    [row] = _rows(client.get("/rex/autorisations"))
    assert row[5] == "Invalidée"
    assert _rows(client.get("/rex/autorisations?statut=invalidated"))[0][0] == EORI_SIRET
    assert _rows(client.get("/rex/autorisations?statut=granted")) == [["La liste est vide"]]


def test_my_authorisations_lists_rex_registrations_and_eori_numbers_together(factory, login, holder):  # noqa: F811
    application = eori_submitted(holder.operator, holder.officer.office)
    workflow.grant(holder.officer, application)
    client = login(holder.operator)

    rows = _rows(client.get("/rex/autorisations"))
    assert sorted((r[0], r[2]) for r in rows) == sorted([(holder.registration.number, "REX"), (EORI_SIRET, "EORI")])
    assert [r[0] for r in _rows(client.get(f"/rex/autorisations?q={EORI_SIRET[:8]}"))] == [EORI_SIRET]
    assert [r[0] for r in _rows(client.get("/rex/autorisations?statut=revoked"))] == ["La liste est vide"]
    assert "2 autorisations (en vigueur ou non)" in client.get("/rex/autorisations").get_data(as_text=True)


def test_the_page_of_a_file_highlights_the_tab_that_lists_it(factory, login):
    officer = factory.officer()
    companies = [factory.company() for _ in range(4)]
    operator = factory.user(companies=companies)
    files = {
        "Mes brouillons": factory.draft(operator, companies[0]),
        "Mes demandes en cours": factory.submitted(operator, companies[1], officer.office.code),
        "Mes demandes rejetées": factory.rejected(operator, officer, companies[2]),
        "Mes autorisations": factory.granted(operator, officer, companies[3]),
    }
    client = login(operator)
    for entry, application in files.items():
        assert _active_menu_entry(client.get(f"/rex/demandes/{application.id}")) == entry, entry
    assert queries.tab_of(files["Mes demandes rejetées"]) == "rejetees"


def test_kinds_read_as_the_guide_names_them(factory, login, holder):  # noqa: F811
    modification = submitted_modification(holder)
    client = login(holder.operator)

    [row] = _rows(client.get("/rex/demandes/en-cours"))
    assert row[2] == "Demande de modification"
    assert "REX_MODIFICATION" not in client.get("/rex/demandes/en-cours").get_data(as_text=True)

    page = login(holder.officer).get("/admin/tous/").get_data(as_text=True)
    assert modification.reference in page
    assert "Demande de modification" in page and "REX_MODIFICATION" not in page
    export = login(holder.officer).get("/admin/tous/export/csv/").get_data(as_text=True)
    header, *lines = export.splitlines()
    assert "Type" in header
    assert any("Demande de modification" in line for line in lines)


def test_a_long_list_comes_fifty_rows_a_page_and_keeps_its_filters(factory, login):
    assert queries.PAGE_SIZE == 50
    operator = factory.operator()
    drafts = [factory.draft(operator) for _ in range(51)]
    client = login(operator)

    first = client.get("/rex/demandes/brouillons")
    assert len(_rows(first)) == 50
    doc = parse(first.data)
    assert doc.find("p", class_="count").text() == "51 demandes"
    pager = doc.find("nav", class_="pager")
    assert "Page 1 sur 2" in pager.text()
    assert pager.find("a", rel="next").attrs["href"] == "/rex/demandes/brouillons?page=2"

    second = client.get("/rex/demandes/brouillons?page=2")
    assert [r[0] for r in _rows(second)] == [drafts[0].reference]  # the oldest, last
    assert "Page 2 sur 2" in parse(second.data).find("nav", class_="pager").text()

    filtered = parse(client.get("/rex/demandes/brouillons?statut=draft&q=FR-REX").data)
    next_link = filtered.find("nav", class_="pager").find("a", rel="next").attrs["href"]
    assert next_link.startswith("/rex/demandes/brouillons?") and all(
        part in next_link for part in ("statut=draft", "q=FR-REX", "page=2"))
    assert [r[0] for r in _rows(client.get(next_link))] == [drafts[0].reference]


@pytest.mark.parametrize("page", ["0", "-3", "99999999999", "9" * 40, "abc"])
def test_a_page_out_of_range_shows_the_nearest_page(factory, login, page):
    operator = factory.operator()
    factory.draft(operator)
    response = login(operator).get(f"/rex/demandes/brouillons?page={page}")
    assert len(_rows(response)) == 1
    assert parse(response.data).find("nav", class_="pager") is None  # a single page needs no pager


def test_my_authorisations_come_a_page_at_a_time(factory, login, monkeypatch):
    monkeypatch.setattr(queries, "PAGE_SIZE", 2)
    officer = factory.officer()
    companies = [factory.company() for _ in range(3)]
    operator = factory.user(companies=companies)
    registrations = [workflow.grant(officer, factory.submitted(operator, c, officer.office.code)) for c in companies]
    client = login(operator)

    first = client.get("/rex/autorisations?titulaire=&statut=granted")
    assert len(_rows(first)) == 2
    pager = parse(first.data).find("nav", class_="pager")
    assert "Page 1 sur 2" in pager.text()
    second = client.get(pager.find("a", rel="next").attrs["href"])
    assert "statut=granted" in second.request.url
    numbers = {r[0] for r in _rows(first)} | {r[0] for r in _rows(second)}
    assert numbers == {r.number for r in registrations}
