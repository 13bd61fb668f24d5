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


def _regrant_file(factory, operator, company):
    return factory.submitted(operator, company)


def test_a_re_registration_is_a_new_period_under_the_same_number(factory, operator, company, officer, registration):
    from tests.hearing_helpers import revoke_after_hearing
    from app.workflow import registrations
    revoke_after_hearing(officer, registration, "no_longer_exports", "Plus d'exportations.")
    again = workflow.grant(officer, _regrant_file(factory, operator, company))
    assert again.number == registration.number
    assert (registration.period_no, again.period_no) == (1, 2)
    assert registrations.versions_of(again) == [again]
    assert [p.id for p in registrations.periods_of(again)] == [again.id, registration.id]


def test_a_grant_after_a_revocation_for_incorrect_statements_needs_the_remedy_note(factory, client, operator,
                                                                                   company, officer, registration):
    from tests.hearing_helpers import revoke_after_hearing
    revoke_after_hearing(officer, registration, "incorrect_statements", "Attestations erronées.")
    application = _regrant_file(factory, operator, company)
    with pytest.raises(workflow.WorkflowError) as missing:
        workflow.grant(officer, application)
    assert missing.value.field == "remedy_note"
    again = workflow.grant(officer, application, remedy_note="Procédure de contrôle interne des origines en place.")
    assert again.remedy_note.startswith("Procédure")
    event = db.session.scalar(select(HistoryEvent).where(HistoryEvent.kind == "granted",
                                                         HistoryEvent.registration_id == again.id))
    assert "Procédure de contrôle interne" in event.comment


def test_the_officer_sees_the_earlier_revocation_and_the_grant_refuses_without_the_note(factory, client, login,
                                                                                       operator, company, officer,
                                                                                       registration):
    from tests.hearing_helpers import revoke_after_hearing
    revoke_after_hearing(officer, registration, "data_not_up_to_date", "Adresse non mise à jour.")
    application = _regrant_file(factory, operator, company)
    application_id, version = application.id, application.version
    login(officer)
    page = client.get(f"/admin/dossier/{application_id}").get_data(as_text=True)
    assert 'id="revocation-anterieure"' in page and "non tenues à jour" in page
    assert "Mesures prises pour remédier à la cause de la révocation" in page
    response = client.post(f"/admin/dossier/{application_id}/octroyer", data={"version": version, "remedy_note": ""})
    assert response.status_code == 422
    assert "la note est obligatoire" in response.get_data(as_text=True)
    response = client.post(f"/admin/dossier/{application_id}/octroyer",
                           data={"version": version, "remedy_note": "Adresse mise à jour au RCS."})
    assert response.status_code == 302
