"""A NUL character in what an officer types (a paste of binary junk) is refused beside the field, with the
text kept and nothing written, as on the operator's pages; the workflow checks it, so every page that calls
it answers the same."""
import pytest
from sqlalchemy import select

from app import workflow
from app.extensions import db
from app.models import (
    Application, CertificationRequest, CertificationStatus, Office, Registration, RegistrationStatus, Role,
)
from app.workflow import certifications
from tests.backoffice.helpers import OFFICE_A, contact_form, error_beside, goods_form, state
from tests.backoffice.test_instruction_actions import act
from tests.operator.helpers import form_data

NUL_REFUSED = "Ce champ contient un caractère non autorisé (caractère nul) : retirez-le."
TYPED = "Pièce\x00 manquante : extrait Kbis"


def kept(response) -> bool:
    """The page shows again what the officer typed, around the NUL."""
    body = response.get_data(as_text=True)
    return "Pièce" in body and "manquante : extrait Kbis" in body


def assert_refused_beside(response, field: str):
    assert response.status_code == 422
    assert error_beside(response, field) == NUL_REFUSED
    assert kept(response)


@pytest.mark.parametrize("path, field", [
    ("demander-informations", "message"), ("rejeter", "reason"), ("message", "body"),
])
def test_a_nul_in_an_instruction_text_is_refused_beside_it_and_keeps_the_text(world, as_user, path, field):
    client = as_user(world.officer_a)
    before = state(world.file_a.id)

    response = act(client, world.file_a.id, path, **{field: TYPED})

    assert_refused_beside(response, field)
    assert state(world.file_a.id) == before


def test_a_nul_in_the_reassignment_comment_is_refused_beside_it_and_the_file_stays(world, as_user):
    client = as_user(world.officer_a)
    before = state(world.file_a.id)

    response = act(client, world.file_a.id, "reaffecter", office_id=str(world.office_b.id), comment=TYPED)

    assert_refused_beside(response, "comment")
    assert state(world.file_a.id) == before


@pytest.mark.parametrize("changes", [{"full_name": TYPED}, {"city": "Pau", "comment": TYPED}])
def test_a_nul_in_a_contact_correction_is_refused_beside_the_field(world, as_user, changes):
    client = as_user(world.officer_a)
    field = next(iter(changes.keys() - {"city"}))
    before = state(world.file_a.id)

    response = act(client, world.file_a.id, f"contacts/{world.contact_id}", **contact_form(world.file_a.id, **changes))

    assert_refused_beside(response, field)
    assert state(world.file_a.id) == before


def test_a_nul_in_a_goods_correction_is_refused_beside_the_description(world, as_user):
    client = as_user(world.officer_a)
    before = state(world.file_a.id)

    response = act(client, world.file_a.id, f"marchandises/{world.line_id}",
                   **goods_form(world.file_a.id, description=TYPED))

    assert_refused_beside(response, "description")
    assert state(world.file_a.id) == before


@pytest.fixture
def registration_id(world):
    workflow.grant(world.officer_a, world.file_a)
    return db.session.scalar(select(Registration.id).where(Registration.application_id == world.file_a.id))


@pytest.mark.parametrize("path, data, field", [
    ("notifier-revocation", {"hearing_ground": "ceased_to_exist", "hearing_grounds": TYPED}, "hearing_grounds"),
    ("message", {"body": TYPED}, "body"),
])
def test_a_nul_on_the_registration_page_is_refused_beside_the_field(world, as_user, registration_id, path, data,
                                                                    field):
    client = as_user(world.officer_a)
    before = state(world.file_a.id)

    response = client.post(f"/admin/autorisation/{registration_id}/{path}", data=data)

    assert_refused_beside(response, field)
    assert state(world.file_a.id) == before
    db.session.expire_all()
    assert db.session.get(Registration, registration_id).status == RegistrationStatus.GRANTED


def test_a_nul_in_a_certification_refusal_is_refused_beside_the_reason(factory, login):
    company = factory.company(office_id=factory.office(OFFICE_A).id)
    request_id = certifications.request_certification(factory.user(Role.OPERATOR), company.eori).id
    client = login(factory.officer(OFFICE_A))

    response = client.post(f"/admin/habilitations-a-traiter/{request_id}/refuser", data={"reason": TYPED})

    assert_refused_beside(response, "reason")
    db.session.expire_all()
    assert db.session.get(CertificationRequest, request_id).status == CertificationStatus.PENDING


def test_a_nul_in_a_batch_reassignment_comment_is_refused_beside_it(world, as_user):
    client = as_user(world.supervisor_a)
    before = state(world.file_a.id)

    response = client.post("/admin/lot/?queue=tous", data={
        "action": "reassign", "office_id": str(world.office_b.id), "comment": TYPED, "ids": str(world.file_a.id)})

    assert_refused_beside(response, "comment")
    assert state(world.file_a.id) == before


def test_a_nul_in_the_paper_filing_eori_search_is_refused_beside_the_number(world, as_user):
    response = as_user(world.officer_a).get("/admin/papier/", query_string={"eori": "FR\x0073282932000074"})

    assert response.status_code == 422
    assert error_beside(response, "eori") == NUL_REFUSED


def test_a_nul_in_the_paper_form_reference_is_refused_beside_it_and_nothing_is_filed(factory, login):
    officer = factory.officer(OFFICE_A)
    company = factory.company()
    data = {**form_data(company, officer.office, action="file", comment=TYPED), "eori": company.eori}

    response = login(officer).post(f"/admin/papier/?eori={company.eori}", data=data)

    assert_refused_beside(response, "comment")
    assert db.session.scalar(select(Application.id).where(Application.company_id == company.id)) is None


def test_a_nul_posted_to_an_administration_screen_is_the_400_page_and_writes_nothing(world, as_user):
    response = as_user(world.admin).post("/admin/services/new/", data={"code": "FR009999", "name": "Pau\x00"})

    assert response.status_code == 400
    assert "Traceback" not in response.get_data(as_text=True)
    assert db.session.scalar(select(Office.id).where(Office.code == "FR009999")) is None
