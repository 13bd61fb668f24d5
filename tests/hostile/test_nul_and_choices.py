"""Characters no one types, and values no choice offers, are refused cleanly (found by the property tests)."""
import io

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import DiscussionMessage, Document
from tests.operator.helpers import form_data, snapshot
from tests.operator.html import errors_beside, parse, value_of


NUL_REFUSED = "caractère non autorisé (caractère nul)"


def test_a_nul_character_in_a_login_is_refused_beside_the_identifier(client):
    response = client.post("/connexion", data={"username": "jean\x00", "password": "x"})
    assert response.status_code == 422
    assert any(NUL_REFUSED in e for e in errors_beside(parse(response.data), "username"))
    assert "Traceback" not in response.get_data(as_text=True)


def test_a_nul_character_in_the_public_register_is_refused_beside_the_number(client):
    response = client.get("/registre?number=FR\x00123")
    assert response.status_code == 400
    assert errors_beside(parse(response.data), "number")


def test_a_nul_character_in_a_query_string_no_form_reads_is_the_400_page(factory, login):
    client = login(factory.operator())
    response = client.get("/rex/positions-tarifaires?q=42\x00")
    assert response.status_code == 400
    assert "Traceback" not in response.get_data(as_text=True)


def test_a_nul_character_in_a_url_is_the_400_page(client):
    response = client.get("/activer/abc%00def")
    assert response.status_code == 400
    assert "Traceback" not in response.get_data(as_text=True)


def test_a_nul_character_in_a_public_api_number_is_an_unknown_number_in_json(client):
    response = client.get("/api/public/rex/FRREX%00FR732829320")
    assert response.status_code == 404
    assert response.get_json()["status"] == "unknown"


def test_a_nul_character_in_a_message_is_refused_beside_the_box_and_keeps_the_text(app, factory, login):
    operator = factory.operator()
    application = factory.submitted(operator)
    response = login(operator).post(f"/rex/demandes/{application.id}/message", data={"body": "Bonjour\x00 madame"})
    assert response.status_code == 422
    doc = parse(response.data)
    assert any(NUL_REFUSED in e for e in errors_beside(doc, "body"))
    assert "Bonjour" in value_of(doc, "body") and "madame" in value_of(doc, "body")
    assert db.session.scalar(select(func.count()).select_from(DiscussionMessage)) == 0


def test_a_nul_character_in_a_filing_form_field_is_refused_beside_it_and_nothing_is_saved(factory, login):
    company = factory.company()
    operator = factory.operator(company)
    application = factory.draft(operator, company)
    data = form_data(company, factory.office(), action="save")
    data["exporter_city"], data["contacts-0-full_name"] = "Pau\x00", "Jeanne\x00 Durand"
    before = snapshot(application.id)

    response = login(operator).post(f"/rex/demandes/{application.id}/formulaire", data=data)

    assert response.status_code == 422
    doc = parse(response.data)
    for name in ("exporter_city", "contacts-0-full_name"):
        assert any(NUL_REFUSED in e for e in errors_beside(doc, name)), name
    assert value_of(doc, "undertaking_place") == data["undertaking_place"]  # the rest of what was typed
    assert snapshot(application.id) == before


def test_a_nul_character_in_a_tariff_heading_is_refused_beside_it_and_the_form_shows_again(factory, login):
    """The refused form draws each line's chapter from what was typed: "0\x0002" names none (PostgreSQL would even
    refuse to look it up)."""
    company = factory.company()
    operator = factory.operator(company)
    application = factory.draft(operator, company)
    data = form_data(company, factory.office(), action="save")
    data["goods-0-heading"] = "0\x0002"
    before = snapshot(application.id)

    response = login(operator).post(f"/rex/demandes/{application.id}/formulaire", data=data)

    assert response.status_code == 422
    assert errors_beside(parse(response.data), "goods-0-heading")
    assert snapshot(application.id) == before


def test_a_nul_character_in_a_document_name_is_refused_beside_the_name(factory, login):
    operator = factory.operator()
    application = factory.draft(operator)
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    response = login(operator).post(f"/rex/demandes/{application.id}/documents",
                                    data={"name": "Kbis\x00", "file": (io.BytesIO(pdf), "kbis.pdf")},
                                    content_type="multipart/form-data")
    assert response.status_code == 422
    assert any(NUL_REFUSED in e for e in errors_beside(parse(response.data), "name"))
    assert db.session.scalar(select(func.count()).select_from(Document)) == 0


@pytest.mark.parametrize("field", ["basis", "person_type"])
def test_an_eori_choice_outside_the_list_is_refused_beside_its_field(factory, field):
    from flask_babel import force_locale

    from app import workflow
    from app.models import Role
    from app.workflow import eori
    from tests.workflow.test_eori import valid_content

    applicant = factory.user(Role.OPERATOR)
    with force_locale("fr"):
        application = eori.create_draft(applicant)
        with pytest.raises(workflow.WorkflowError) as refused:
            eori.save_draft(applicant, application, valid_content(**{field: "\x1d"}), factory.office().id)
    assert refused.value.field == field


def test_a_line_break_in_a_name_never_reaches_an_email_subject(app):
    from types import SimpleNamespace

    from app.notifications import render_email

    company = SimpleNamespace(name="Société\rBcc: x@example.com", eori="FR732829320")
    request = SimpleNamespace(office=SimpleNamespace(name="Le Havre"), on_behalf=False)
    subject, _ = render_email("certification_approved", company=company, request=request, base_url="")
    assert "\r" not in subject and "\n" not in subject
