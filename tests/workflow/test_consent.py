"""Consent to publication withdrawn or given after the grant (issue 17, item 5)."""
import pytest
from sqlalchemy import select

from app import workflow
from app.extensions import db
from app.models import HistoryEvent, OutboxEmail, Registration, RexTransmission
from app.workflow import consent


@pytest.fixture
def registration(granted):
    return db.session.scalar(select(Registration).where(Registration.application_id == granted.id))


def test_withdrawn_then_given_the_register_follows_at_once(client, login, operator, other_operator, registration):
    number, registration_id = registration.number, registration.id
    assert "name" in client.get(f"/api/public/rex/{number}").get_json()
    with pytest.raises(workflow.NotAllowed):
        consent.withdraw_consent(other_operator, registration)
    with pytest.raises(workflow.WrongStatus):
        consent.give_consent(operator, registration)

    login(operator)
    response = client.post(f"/rex/autorisations/{registration_id}/consentement", data={"consent": "0"})
    assert response.status_code == 302
    assert "name" not in client.get(f"/api/public/rex/{number}").get_json()
    page = client.get(f"/rex/autorisations/{registration_id}").get_data(as_text=True)
    assert "Consentir à la publication de mes données" in page

    client.post(f"/rex/autorisations/{registration_id}/consentement", data={"consent": "1"})
    assert "name" in client.get(f"/api/public/rex/{number}").get_json()
    kinds = list(db.session.scalars(select(HistoryEvent.kind).where(HistoryEvent.registration_id == registration_id)
                                    .order_by(HistoryEvent.id)))
    assert kinds[-2:] == ["consent_withdrawn", "consent_given"]
    operations = db.session.scalars(select(RexTransmission.operation)
                                    .where(RexTransmission.registration_id == registration_id)).all()
    assert operations.count("modify") == 2
    templates = db.session.scalars(select(OutboxEmail.template)).all()
    assert {"consent_withdrawn", "consent_given"} <= set(templates)
