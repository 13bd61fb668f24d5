"""Property-based tests of the operator forms with hostile input: never a 5xx; a refusal shows each error
beside a field, keeps what was typed in the other fields, and writes nothing."""
import pytest
from hypothesis import given
from sqlalchemy import func, select

from app import workflow
from app.extensions import db
from app.models import Application, CertificationRequest, EoriRequest
from app.workflow import eori
from tests.hostile.strategies import (
    FEW, SETTINGS, assert_errors_beside_fields, assert_kept, hostile, mutated, page,
)
from tests.operator.eori_helpers import eori_form_data
from tests.operator.helpers import form_data, snapshot

# Text boxes whose shown value is what was posted (radios/boxes/selects echo only a valid choice).
FREE_TEXT_REX = {k for k in form_data(type("C", (), {"id": 1}), type("O", (), {"id": 1}))
                 if k not in ("office_id", "company_id", "main_activity", "undertaking_accepted", "consent",
                              "action", "exporter_country", "contacts-0-country")}


def _content(application_id):
    db.session.expire_all()
    content = workflow.content_of(db.session.get(Application, application_id))
    return repr({k: v for k, v in vars(content).items() if not k.startswith("_")})


def _eori_rows():
    return db.session.scalar(select(func.count()).select_from(EoriRequest))


PREFILLED_FROM_COMPANY = {f"exporter_{name}" for name in ("address", "postcode", "city", "country", "phone", "email",
                                                          "fax")}



# --- the REX filing form ---------------------------------------------------------------------------

@pytest.fixture
def rex(factory, login):
    company = factory.company()
    operator = factory.operator(company)
    application = factory.draft(operator, company)
    return {"client": login(operator), "company": company, "office": factory.office(), "application": application,
            "url": f"/rex/demandes/{application.id}/formulaire"}


@SETTINGS
@given(data=__import__("hypothesis").strategies.data())
def test_rex_form_saved_with_hostile_fields_never_fails_and_a_refusal_writes_nothing(rex, data):
    base = form_data(rex["company"], rex["office"], action="save")
    typed, touched = data.draw(mutated(base))
    app_id = rex["application"].id
    before, content_before = snapshot(app_id), _content(app_id)
    # An earlier example may have saved the draft without its company: choosing one again fills the
    # exporter's details from it (the guide's prefill), so those are not expected to be what was typed.
    company_before = db.session.get(Application, app_id).company_id
    prefilled = set() if typed.get("company_id") in (None, str(company_before)) else PREFILLED_FROM_COMPANY

    response = rex["client"].post(rex["url"], data=typed)

    assert response.status_code < 500, response.get_data(as_text=True)[:2000]
    if response.status_code >= 400:
        assert response.status_code in (409, 422)
        doc = page(response)
        assert_errors_beside_fields(doc)
        assert_kept(doc, typed, touched | prefilled, FREE_TEXT_REX)
        assert snapshot(app_id) == before
        assert _content(app_id) == content_before
    else:
        assert response.status_code == 302
        # whatever was saved can be shown again
        assert rex["client"].get(rex["url"]).status_code == 200
        assert rex["client"].get(f"/rex/demandes/{app_id}").status_code == 200


@SETTINGS
@given(data=__import__("hypothesis").strategies.data())
def test_rex_form_validated_with_hostile_fields_shows_errors_beside_fields(rex, data):
    typed, touched = data.draw(mutated(form_data(rex["company"], rex["office"], action="validate")))

    response = rex["client"].post(rex["url"], data=typed)

    assert response.status_code < 500, response.get_data(as_text=True)[:2000]
    if response.status_code >= 400:
        assert_errors_beside_fields(page(response))
    else:
        assert response.status_code == 302


# --- the EORI form ---------------------------------------------------------------------------------

FREE_TEXT_EORI = {"name", "first_name", "siren", "siret", "vat_number", "ape_code", "address", "postcode",
                  "city", "phone", "email", "contact_name", "contact_phone", "contact_email"}


@pytest.fixture
def eori_filing(factory, login):
    from app.models import Role
    applicant = factory.user(Role.OPERATOR)
    application = eori.create_draft(applicant)
    return {"client": login(applicant), "office": factory.office(), "application": application,
            "url": f"/rex/eori/{application.id}/formulaire"}


@FEW
@given(data=__import__("hypothesis").strategies.data())
def test_eori_form_validated_with_hostile_fields_never_fails(eori_filing, data):
    typed, touched = data.draw(mutated(eori_form_data(eori_filing["office"], action="validate")))

    response = eori_filing["client"].post(eori_filing["url"], data=typed)

    assert response.status_code < 500, response.get_data(as_text=True)[:2000]
    if response.status_code >= 400:
        doc = page(response)
        assert_errors_beside_fields(doc)
        assert_kept(doc, typed, touched, FREE_TEXT_EORI)


# --- the thread message ----------------------------------------------------------------------------

@pytest.fixture
def submitted(factory, login):
    company = factory.company()
    operator = factory.operator(company)
    application = factory.submitted(operator, company)
    return {"client": login(operator), "application": application}


@SETTINGS
@given(body=hostile)
def test_thread_message_with_hostile_text_is_posted_or_refused_beside_the_box(submitted, body):
    app_id = submitted["application"].id
    before = snapshot(app_id)

    response = submitted["client"].post(f"/rex/demandes/{app_id}/message", data={"body": body})

    assert response.status_code < 500, response.get_data(as_text=True)[:2000]
    after = snapshot(app_id)
    if response.status_code >= 400:
        assert response.status_code == 422
        doc = page(response)
        assert_errors_beside_fields(doc)
        assert after == before
    else:
        assert after[app_id]["messages"] == before[app_id]["messages"] + 1
        assert submitted["client"].get(f"/rex/demandes/{app_id}").status_code == 200


# --- Mes habilitations -----------------------------------------------------------------------------

@pytest.fixture
def certifying(factory, login):
    operator = factory.user(companies=[factory.company()])
    other = factory.company()
    return {"client": login(operator), "other": other, "office": factory.office()}


def _certification_requests():
    return db.session.scalar(select(func.count()).select_from(CertificationRequest))


@SETTINGS
@given(data=__import__("hypothesis").strategies.data())
def test_certification_request_with_hostile_fields_is_refused_beside_a_field_without_a_row(certifying, data):
    base = {"identifier": certifying["other"].eori, "office_id": str(certifying["office"].id),
            "comment": "Nous agissons pour ce client."}
    typed, touched = data.draw(mutated(base, max_fields=3))
    before = _certification_requests()

    response = certifying["client"].post("/rex/habilitations", data=typed)

    assert response.status_code < 500, response.get_data(as_text=True)[:2000]
    if response.status_code >= 400:
        assert response.status_code == 422
        doc = page(response)
        assert_errors_beside_fields(doc)
        assert_kept(doc, typed, touched, {"comment"})
        assert _certification_requests() == before
    else:
        assert _certification_requests() in (before, before + 1)  # a repeated request is not a new row
        assert certifying["client"].get("/rex/habilitations").status_code == 200
