"""Life after revocation (issue 17, item 4): an EORI invalidated on cessation revokes the REX registration, and an
invalidated EORI can be reactivated."""
from datetime import date

import pytest
from sqlalchemy import select

from app import workflow
from app.extensions import db
from app.models import HistoryEvent, OutboxEmail, Registration, RegistrationStatus as R, RexTransmission
from app.workflow import eori, hearing


@pytest.fixture
def registration(granted):
    return db.session.scalar(select(Registration).where(Registration.application_id == granted.id))


def _templates():
    return list(db.session.scalars(select(OutboxEmail.template)))


def test_an_eori_invalidated_on_cessation_revokes_the_live_registration(client, officer, registration):
    company = registration.company
    company.office_id = registration.office_id
    db.session.commit()
    hearing.notify_revocation_intent(officer, registration, "conditions_not_met", "Contrôle.")  # ended by it
    eori.invalidate(officer, company, "ceased", date.today(), "Radiation du RCS constatée.")
    db.session.refresh(registration)
    assert registration.status == R.REVOKED
    assert registration.revocation_ground.value == "ceased_to_exist"
    assert registration.hearing_notified_at is None
    assert "revoke" in db.session.scalars(select(RexTransmission.operation)
                                          .where(RexTransmission.registration_id == registration.id)).all()
    assert {"eori_invalidated", "revoked"} <= set(_templates())
    assert client.get(f"/api/public/rex/{registration.number}").get_json()["status"] == "revoked"


def test_an_invalidation_at_the_holders_request_leaves_the_registration(officer, registration):
    company = registration.company
    company.office_id = registration.office_id
    db.session.commit()
    eori.invalidate(officer, company, "holder_request", date.today(), "Courrier.")
    db.session.refresh(registration)
    assert registration.status == R.GRANTED


def test_an_eori_invalidated_on_cessation_is_reactivated_when_the_firm_resumes(client, officer, other_officer,
                                                                              registration):
    company = registration.company
    company.office_id = registration.office_id
    db.session.commit()
    with pytest.raises(workflow.WrongStatus):
        eori.reactivate(officer, company, "Reprise.")
    eori.invalidate(officer, company, "ceased", date.today(), "Radiation du RCS.")
    assert client.get(f"/api/public/eori/{company.eori}").get_json()["status"] == "invalid"
    with pytest.raises(workflow.NotAllowed):
        eori.reactivate(other_officer, company, "Reprise.")
    with pytest.raises(workflow.WorkflowError) as empty:
        eori.reactivate(officer, company, " ")
    assert empty.value.field == "reactivation_comment"
    eori.reactivate(officer, company, "Reprise d'activité : inscription au RCS du 02/12.")
    assert company.eori_invalidated_on is None
    assert client.get(f"/api/public/eori/{company.eori}").get_json()["status"] == "valid"
    assert "eori_reactivated" in _templates()
    assert db.session.scalar(select(HistoryEvent.kind).order_by(HistoryEvent.id.desc()).limit(1)) == "eori_reactivated"
    db.session.refresh(registration)
    assert registration.status == R.REVOKED  # the holder applies again: a new registration period


def test_a_number_given_up_at_the_holders_request_is_not_reactivated(officer, registration):
    company = registration.company
    company.office_id = registration.office_id
    db.session.commit()
    eori.invalidate(officer, company, "holder_request", date.today(), "Courrier.")
    with pytest.raises(workflow.WrongStatus):
        eori.reactivate(officer, company, "Reprise.")
