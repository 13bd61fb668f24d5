"""Who may open which operator URL: another company's operator gets 404, staff get 403, strangers log in."""
from io import BytesIO
from urllib.parse import parse_qs, urlsplit

from app.models import Role
from tests.operator.helpers import PDF, snapshot

FILE_ARGUMENTS = {"application_id", "document_id", "registration_id"}


def _operator_rules(app, with_file_arguments=True):
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("operator."):
            continue
        if with_file_arguments and not (rule.arguments & FILE_ARGUMENTS):
            continue
        yield rule


def _methods(rule):
    return sorted(rule.methods & {"GET", "POST"})


def _hostile_post_data():
    """Everything any operator form accepts, so that a POST would change the file if it got through."""
    return {"action": "validate", "body": "Message d'un intrus", "comment": "Abandon par un intrus",
            "complement": "Complément d'un intrus", "name": "Pièce d'un intrus", "relations": "CA",
            "file": (BytesIO(PDF), "intrus.pdf")}


def _file_urls(app, files):
    """Every operator URL that names one of A's files, with A's real ids filled in."""
    urls = []
    any_document = next(iter(files["documents"].values()))
    with app.test_request_context():
        from flask import url_for

        for rule in _operator_rules(app):
            for application in files["applications"] if "application_id" in rule.arguments else [None]:
                values = {}
                if application is not None:
                    values["application_id"] = application.id
                if "document_id" in rule.arguments:
                    values["document_id"] = files["documents"].get(application.id, any_document)
                if "registration_id" in rule.arguments:
                    values["registration_id"] = files["registration"]
                for method in _methods(rule):
                    urls.append((method, url_for(rule.endpoint, **values), rule.endpoint))
    return urls


def test_another_company_operator_gets_404_on_every_url_of_the_file(app, client, factory, login, operator_files):
    intruder = factory.operator()  # certified for its own company only
    ids = [a.id for a in operator_files["applications"]]
    before = snapshot(*ids)
    urls = _file_urls(app, operator_files)
    endpoints = {endpoint for _, _, endpoint in urls}
    assert {"operator.edit", "operator.summary", "operator.confirmation", "operator.show", "operator.post_message",
            "operator.duplicate", "operator.abandon", "operator.start_complement", "operator.documents",
            "operator.download", "operator.delete_document", "operator.registration"} <= endpoints
    login(intruder)

    answers = {}
    for method, url, _ in urls:
        if method == "GET":
            response = client.get(url)
        else:
            response = client.post(url, data=_hostile_post_data(), content_type="multipart/form-data")
        answers[(method, url)] = response.status_code

    assert {key: code for key, code in answers.items() if code != 404} == {}
    assert snapshot(*ids) == before


def test_another_company_operator_cannot_reach_a_document_through_its_own_file(app, client, factory, login,
                                                                             operator_files):
    intruder = factory.operator()
    own = factory.draft(intruder, intruder.certified_companies[0])
    ids = [a.id for a in operator_files["applications"]]
    before = snapshot(own.id, *ids)
    login(intruder)
    for document_id in operator_files["documents"].values():
        assert client.get(f"/rex/demandes/{own.id}/documents/{document_id}").status_code == 404
        assert client.post(f"/rex/demandes/{own.id}/documents/{document_id}/supprimer").status_code == 404
    assert snapshot(own.id, *ids) == before


def test_another_company_operator_does_not_see_the_files_in_its_lists(client, factory, login, operator_files):
    login(factory.operator())
    pages = [client.get(url).get_data(as_text=True) for url in (
        "/rex/demandes/en-cours", "/rex/demandes/brouillons", "/rex/demandes/rejetees", "/rex/autorisations")]
    for application in operator_files["applications"]:
        assert all(application.reference not in page for page in pages)
    assert all(operator_files["company"].eori not in page for page in pages)


def test_officers_supervisors_and_admins_get_403_on_operator_pages(app, client, factory, login, operator_files):
    officer = operator_files["officer"]  # the office of the files: it may instruct them, not file them
    supervisor = factory.user(Role.SUPERVISOR, supervised=[officer.office])
    admin = factory.user(Role.ADMIN)
    ids = [a.id for a in operator_files["applications"]]
    before = snapshot(*ids)
    urls = _file_urls(app, operator_files) + [
        (method, rule.rule.replace("<any('en-cours', 'brouillons', 'rejetees'):tab>", "en-cours"), rule.endpoint)
        for rule in _operator_rules(app, with_file_arguments=False)
        if not rule.arguments - {"tab"} and rule.endpoint != "operator.headings" for method in _methods(rule)]

    for staff in (officer, supervisor, admin):
        login(staff)
        answers = {}
        for method, url, _ in urls:
            response = client.get(url) if method == "GET" else client.post(url, data=_hostile_post_data(),
                                                                            content_type="multipart/form-data")
            answers[(method, url)] = response.status_code
        assert {key: code for key, code in answers.items() if code != 403} == {}, staff.role
    assert snapshot(*ids) == before


def test_forbidden_page_is_a_french_page(client, factory, login):
    login(factory.officer())
    response = client.get("/rex/demandes/en-cours")
    assert response.status_code == 403
    assert "Accès refusé" in response.get_data(as_text=True)


def test_anonymous_users_are_redirected_to_connexion(app, client, operator_files):
    urls = _file_urls(app, operator_files) + [
        (method, rule.rule.replace("<any('en-cours', 'brouillons', 'rejetees'):tab>", "brouillons"), rule.endpoint)
        for rule in _operator_rules(app, with_file_arguments=False) if not rule.arguments - {"tab"}
        for method in _methods(rule)]
    ids = [a.id for a in operator_files["applications"]]
    before = snapshot(*ids)
    for method, url, _ in urls:
        response = client.get(url) if method == "GET" else client.post(url, data={"body": "x"})
        assert response.status_code == 302, (method, url)
        location = urlsplit(response.location)
        assert location.path == "/connexion", (method, url)
        assert parse_qs(location.query)["next"] == [urlsplit(url).path], (method, url)
    assert snapshot(*ids) == before


def test_representative_sees_its_clients_files_and_not_others(client, factory, login):
    client_company, other_client, stranger_company = factory.company(), factory.company(), factory.company()
    representative = factory.representative(clients=[client_company, other_client])
    client_file = factory.submitted(factory.operator(client_company), client_company)
    stranger_file = factory.submitted(factory.operator(stranger_company), stranger_company)
    login(representative)

    listed = client.get("/rex/demandes/en-cours").get_data(as_text=True)
    assert client_file.reference in listed
    assert stranger_file.reference not in listed
    page = client.get(f"/rex/demandes/{client_file.id}")
    assert page.status_code == 200
    assert client_file.reference in page.get_data(as_text=True)
    assert client.get(f"/rex/demandes/{stranger_file.id}").status_code == 404
    assert client.post(f"/rex/demandes/{stranger_file.id}/message", data={"body": "Bonjour"}).status_code == 404
