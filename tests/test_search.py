"""Finding a file or a registration from every page: the operators' header and advanced search (/rex/recherche),
the officers' back-office search (/admin/recherche/), each within the scope of the queues and lists."""
from datetime import date

from app import workflow
from app.extensions import db
from app.models import Role
from app.queries.search import Criteria, fold, matches, officer_search, operator_search
from tests.operator.html import parse


def _found(response) -> list[str]:
    assert response.status_code == 200, response.status_code
    results = parse(response.data).find("section", class_="search-results")
    return [a.text() for a in results.find_all("a")] if results else []


def test_fold_and_matches_ignore_case_and_accents(factory):
    from sqlalchemy import select

    from app.models import Company

    assert fold("  Bénéjacq ÉLOÏSE Œuvre ") == "benejacq eloise oeuvre"
    company = factory.company(name="Maroquinerie de BÉNÉJACQ")
    for term in ("benejacq", "Bénéjacq", "MAROQUINERIE DE bene", "é"):
        assert db.session.scalar(select(Company.id).where(matches(Company.name, term))) == company.id, term
    for term in ("100%", "_", "x"):
        assert db.session.scalar(select(Company.id).where(matches(Company.name, term))) is None, term


def test_header_search_is_on_every_operator_page_and_opens_a_file_of_another_tab(factory, login):
    officer = factory.officer()
    operator = factory.operator()
    rejected = factory.rejected(operator, officer, operator.certifications[0].company)
    client = login(operator)
    for path in ("/rex/demandes/en-cours", "/rex/autorisations", "/rex/deposer", "/aide/"):
        page = client.get(path, follow_redirects=True)
        form = parse(page.data).find("form", class_="header-search")
        assert form is not None and form.attrs["action"] == "/rex/recherche", path
    # From « Mes demandes en cours », the rejected file's reference, typed in lower case, opens it.
    response = client.get("/rex/recherche", query_string={"q": rejected.reference.lower()})
    assert response.status_code == 302 and response.location.endswith(f"/rex/demandes/{rejected.id}")


def test_operator_search_by_words_eori_status_and_number_within_its_companies(factory, login):
    officer = factory.officer()
    company = factory.company(name="Espadrilles de Mauléon")
    operator = factory.operator(company)
    granted = factory.submitted(operator, company, officer.office.code)
    registration = workflow.grant(officer, granted)
    stranger = factory.operator(factory.company(name="Espadrilles Étrangères"))
    other = factory.submitted(stranger, stranger.certifications[0].company)
    client = login(operator)

    assert _found(client.get("/rex/recherche", query_string={"q": "mauleon"})) == [granted.reference,
                                                                                  registration.number]
    assert granted.reference in _found(client.get("/rex/recherche", query_string={"q": company.eori[:8]}))
    assert _found(client.get("/rex/recherche", query_string={"q": "octroy"})) == [granted.reference,
                                                                                 registration.number]
    # A registration number opens the registration; another company's reference opens nothing.
    response = client.get("/rex/recherche", query_string={"q": registration.number})
    assert response.status_code == 302 and response.location.endswith(f"/rex/autorisations/{registration.id}")
    assert _found(client.get("/rex/recherche", query_string={"q": other.reference})) == []
    assert _found(client.get("/rex/recherche", query_string={"q": "Espadrilles"})) == [granted.reference,
                                                                                      registration.number]


def test_advanced_search_filters_and_refuses_a_bad_date_beside_its_field(factory, login):
    officer = factory.officer()
    operator = factory.operator()
    company = operator.certifications[0].company
    draft = factory.draft(operator, company)
    submitted = factory.submitted(operator, company)
    client = login(operator)
    page = client.get("/rex/recherche", query_string={"statut": "draft"})
    assert _found(page) == [draft.reference]
    assert parse(page.data).find("nav", class_="sidebar") is not None
    assert _found(client.get("/rex/recherche", query_string={"type": "REX", "statut": "under_review"})) == [
        submitted.reference]
    today = date.today().isoformat()
    assert set(_found(client.get("/rex/recherche", query_string={"du": today, "au": today, "ouvrir": "0"}))) == {
        draft.reference, submitted.reference}
    assert _found(client.get("/rex/recherche", query_string={"au": "2000-01-01"})) == []
    assert _found(client.get("/rex/recherche", query_string={"bureau": str(officer.office_id),
                                                             "q": submitted.reference, "ouvrir": "0"})) == [
        submitted.reference]
    refused = client.get("/rex/recherche", query_string={"du": "31/02/2026", "q": "x"})
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert "Saisissez une date au format JJ/MM/AAAA." in html and 'value="x"' in html
    assert parse(refused.data).find("div", class_="error-summary") is not None
    assert client.get("/rex/recherche", query_string={"statut": "nimporte", "type": "x", "bureau": "abc"}
                      ).status_code == 200


def test_officer_search_covers_its_offices_files_and_registrations_only(factory, login):
    officer = factory.officer("FR000600")
    elsewhere = factory.officer("FR002300")
    company = factory.company(name="Maroquinerie Béarnaise")
    operator = factory.operator(company)
    granted = factory.submitted(operator, company, officer.office.code)
    registration = workflow.grant(officer, granted)
    pending = factory.submitted(factory.operator(factory.company(name="Maroquinerie du Nord")))
    draft = factory.draft(operator)
    client = login(officer)

    html = client.get("/admin/a_traiter/").get_data(as_text=True)
    assert 'action="/admin/recherche/"' in html
    response = client.get("/admin/recherche/", query_string={"q": granted.reference})
    assert response.status_code == 302 and response.location.endswith(f"/admin/dossier/{granted.id}")
    response = client.get("/admin/recherche/", query_string={"q": registration.number.lower()})
    assert response.status_code == 302 and response.location.endswith(f"/admin/autorisation/{registration.id}")
    found = _found(client.get("/admin/recherche/", query_string={"q": "maroquinerie bearn"}))
    assert found == [granted.reference, registration.number]
    found = _found(client.get("/admin/recherche/", query_string={"q": "maroquinerie"}))
    assert set(found) == {granted.reference, pending.reference, registration.number}
    assert draft.reference not in _found(client.get("/admin/recherche/", query_string={"q": draft.reference}))
    other = login(elsewhere)
    assert _found(other.get("/admin/recherche/", query_string={"q": "maroquinerie"})) == []
    assert other.get("/admin/recherche/", query_string={"q": granted.reference}).status_code == 200


def test_search_functions_follow_the_queue_scopes(factory):
    officer = factory.officer()
    operator = factory.operator()
    filed = factory.submitted(operator, operator.certifications[0].company)
    assert [h.reference for h in officer_search(officer, Criteria(text=filed.reference)).applications] == [
        filed.reference]
    assert [h.reference for h in operator_search(operator, Criteria(text=filed.reference[-4:])).applications] == [
        filed.reference]
    admin = factory.user(Role.ADMIN)
    assert officer_search(admin, Criteria(text=filed.reference)).applications == []
    assert operator_search(operator, Criteria()).applications == []


def test_search_pages_offer_each_status_once_and_read_in_english(factory, login):
    officer = factory.officer()
    page = parse(login(officer).get("/admin/recherche/").data)
    values = [o.attrs["value"] for o in page.find("select", id="search-statut").find_all("option")]
    assert len(values) == len(set(values)) and "granted" in values and "draft" not in values
    operator = factory.operator()
    client = login(operator)
    english = client.get("/rex/recherche?lang=en").get_data(as_text=True)
    assert "Advanced search" in english and "Search for an application or an authorisation" in english
