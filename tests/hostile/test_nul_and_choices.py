"""Characters no one types, and values no choice offers, are refused cleanly (found by the property tests)."""
import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import DiscussionMessage


def test_a_nul_character_in_a_login_is_a_400_page(client):
    response = client.post("/connexion", data={"username": "\x00", "password": "x"})
    assert response.status_code == 400
    assert "Traceback" not in response.get_data(as_text=True)


def test_a_nul_character_in_a_query_string_is_a_400_page(client):
    assert client.get("/registre?number=FR\x00123").status_code == 400


def test_a_nul_character_in_a_message_writes_nothing(app, factory, login):
    operator = factory.operator()
    application = factory.submitted(operator)
    response = login(operator).post(f"/rex/demandes/{application.id}/message", data={"body": "Bonjour\x00"})
    assert response.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(DiscussionMessage)) == 0


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
