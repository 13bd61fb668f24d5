"""'Déposer pour le compte d'un opérateur': an officer files a paper form for a company."""
import pytest
from sqlalchemy import func, select

from app import workflow
from app.extensions import db
from app.models import Application, ApplicationStatus, HistoryEvent, OutboxEmail, Role
from app.workflow.errors import NotAllowed
from app.workflow.instruction import file_on_paper
from tests.operator.helpers import form_data


def _post(client, company, office, **overrides):
    overrides = {"action": "file", "comment": "Formulaire papier reçu le 20/11/2026", **overrides}
    data = form_data(company, office, **overrides)
    data["eori"] = company.eori
    return client.post(f"/admin/papier/?eori={company.eori}", data=data)


def test_officer_files_a_paper_form_straight_under_review_in_its_office(factory, login):
    officer = factory.officer("FR000600")
    company = factory.company()
    client = login(officer)

    response = _post(client, company, officer.office)

    assert response.status_code == 302
    application = db.session.scalar(select(Application).where(Application.company_id == company.id))
    assert application.status == ApplicationStatus.UNDER_REVIEW
    assert application.filed_on_paper and application.office_id == officer.office_id
    assert response.location.endswith(f"/admin/dossier/{application.id}")
    events = db.session.scalars(select(HistoryEvent.kind).where(HistoryEvent.application_id == application.id)).all()
    assert events == ["filed_on_paper"]
    assert db.session.scalar(select(OutboxEmail.template)) == "submitted"


def test_paper_filing_without_the_paper_form_reference_is_refused_beside_the_field(factory, login):
    officer = factory.officer("FR000600")
    company = factory.company()
    client = login(officer)

    response = _post(client, company, officer.office, comment="")

    assert response.status_code == 422
    assert "Indiquez la référence du formulaire papier reçu." in response.get_data(as_text=True)
    assert db.session.scalar(select(Application.id)) is None


def test_paper_filing_keeps_the_form_rules(factory, login):
    officer = factory.officer("FR000600")
    company = factory.company()
    client = login(officer)

    response = _post(client, company, officer.office, **{"goods-0-heading": "7701"})

    assert response.status_code == 422
    assert db.session.scalar(select(Application.id)) is None
    assert "Sacs à main en cuir" in response.get_data(as_text=True)  # what was typed stays


def test_paper_filing_for_another_office_is_refused(factory, login):
    officer = factory.officer("FR000600")
    company = factory.company()
    client = login(officer)

    response = _post(client, company, factory.office("FR000720"))

    assert response.status_code == 422
    assert db.session.scalar(select(Application.id)) is None


def test_unknown_eori_answers_with_a_message(factory, login):
    client = login(factory.officer("FR000600"))

    response = client.get("/admin/papier/?eori=FR999999999")

    assert response.status_code == 404
    assert "Aucun opérateur enregistré ne porte le numéro EORI FR999999999" in response.get_data(as_text=True)


def test_operators_cannot_file_on_paper(factory, login):
    operator = factory.operator()
    client = login(operator)

    assert client.get("/admin/papier/").status_code == 403


def test_a_company_of_another_office_is_neither_shown_nor_filed_for(factory, login):
    """The probe's case: FR000720's officer looks up a company that FR000600 granted its number."""
    company = factory.company(name="Maroquinerie Qwzyx", office_id=factory.office("FR000600").id)
    officer = factory.officer("FR000720")
    client = login(officer)

    shown = client.get(f"/admin/papier/?eori={company.eori}")
    posted = _post(client, company, officer.office)

    for response in (shown, posted):
        assert response.status_code == 404
        page = response.get_data(as_text=True)
        assert f"Aucun opérateur enregistré ne porte le numéro EORI {company.eori}" in page
        for detail in ("Maroquinerie Qwzyx", company.address, company.phone, company.email):
            assert detail not in page
    assert client.get(f"/admin/operateur/{company.id}").status_code == 404  # the same rule as its page
    assert db.session.scalar(select(Application.id)) is None


def test_the_office_that_granted_the_number_and_its_supervisor_get_the_form_filled_in(factory, login):
    office = factory.office("FR000600")
    company = factory.company(office_id=office.id)
    for user in (factory.officer("FR000600"), factory.user(Role.SUPERVISOR, supervised=[office])):
        response = login(user).get(f"/admin/papier/?eori={company.eori}")
        assert response.status_code == 200
        assert f'value="{company.email}"' in response.get_data(as_text=True)


def test_the_workflow_refuses_a_paper_filing_for_a_company_of_another_office(factory):
    company = factory.company(office_id=factory.office("FR000600").id)
    officer = factory.officer("FR000720")
    content = factory.content(workflow.create_draft(factory.operator(company), company), "FR000720")

    with pytest.raises(NotAllowed):
        file_on_paper(officer, company, content, "Formulaire papier reçu le 20/11/2026")
    assert db.session.scalar(select(func.count(Application.id)).where(Application.filed_on_paper)) == 0
