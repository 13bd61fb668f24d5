"""No cache keeps what an account reads: pages, certificate PDFs, exports and documents say no-store; only the
static files may be cached (issue 16, item 8)."""
import pytest
from flask import url_for

from app import workflow
from app.workflow.documents import add_document
from tests.operator.helpers import PDF


@pytest.fixture
def files(factory):
    officer = factory.officer("FR000600")
    operator = factory.operator()
    application = factory.draft(operator)
    document = add_document(operator, application, "Extrait Kbis", "kbis.pdf", PDF)
    workflow.submit(operator, application)
    registration = workflow.grant(officer, factory.submitted(factory.operator(), office_code="FR000600"))
    holder = registration.company
    return {"officer": officer, "operator": operator, "application": application, "document": document,
            "registration": registration, "holder": factory.operator(holder)}


def _assert_no_store(response, status=200):
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    assert response.headers["Cache-Control"] == "no-store"


def test_operator_pages_documents_and_certificates_are_not_stored(files, login):
    client = login(files["operator"])
    application, document = files["application"], files["document"]

    for path in ("/rex/demandes/en-cours", "/rex/habilitations", f"/rex/demandes/{application.id}",
                 f"/rex/demandes/{application.id}/documents/{document.id}"):
        _assert_no_store(client.get(path))
    holder = login(files["holder"])
    _assert_no_store(holder.get(f"/rex/autorisations/{files['registration'].id}/certificat.pdf"))


def test_back_office_pages_exports_documents_and_certificates_are_not_stored(files, login):
    client = login(files["officer"])
    application, document, registration = files["application"], files["document"], files["registration"]

    for path in ("/admin/a_traiter/", "/admin/tous/export/csv/", f"/admin/dossier/{application.id}",
                 f"/admin/dossier/{application.id}/documents/{document.id}", "/admin/contacts/export/csv/",
                 f"/admin/autorisations/{registration.id}/certificat.pdf"):
        response = client.get(path)
        _assert_no_store(response)


def test_redirects_errors_and_anonymous_pages_are_not_stored_either(files, client, login):
    _assert_no_store(client.get("/connexion"))
    _assert_no_store(client.get("/rex/demandes/en-cours"), 302)
    _assert_no_store(login(files["operator"]).get("/rex/demandes/99999"), 404)


def test_static_files_may_be_cached(app, client):
    with app.test_request_context():
        paths = [url_for("static", filename="css/app.css"),
                 url_for("admin.static", filename="bootstrap/bootstrap4/css/bootstrap.min.css")]

    for path in paths:
        response = client.get(path)
        assert response.status_code == 200
        assert "no-store" not in response.headers.get("Cache-Control", "")
