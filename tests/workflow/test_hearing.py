"""The right to be heard before a revocation (issue 17, item 3): app/workflow/hearing.py and its jobs."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from app import workflow
from app.extensions import db
from app.models import HistoryEvent, OutboxEmail, Registration, RegistrationStatus as R
from app.models._time import utcnow
from app.workflow import hearing, kernel, registrations
from jobs.hearing import end_hearing_periods, send_hearing_reminders

GROUNDS = "Le contrôle a montré que les sacs sont fabriqués hors de l'Union."


@pytest.fixture
def registration(granted):
    return db.session.scalar(select(Registration).where(Registration.application_id == granted.id))


def _events(registration_id):
    return list(db.session.scalars(select(HistoryEvent.kind).where(HistoryEvent.registration_id == registration_id)
                                   .order_by(HistoryEvent.id)))


def _emails(template):
    return list(db.session.scalars(select(OutboxEmail).where(OutboxEmail.template == template)))


def test_revocation_on_an_office_ground_waits_for_the_holder_to_be_heard(officer, registration):
    with pytest.raises(workflow.WrongStatus) as refused:
        registrations.revoke(officer, registration, "conditions_not_met", "Contrôle")
    assert "Notifiez d'abord l'intention de révoquer" in str(refused.value.message)
    assert not kernel.may(officer, registration, "revoke")

    hearing.notify_revocation_intent(officer, registration, "conditions_not_met", GROUNDS)
    db.session.refresh(registration)
    assert registration.status == R.GRANTED  # still valid while the holder is heard
    assert registration.hearing_deadline.date() == (utcnow() + timedelta(days=15)).date()
    assert _events(registration.id)[-1:] == ["revocation_intended"]
    (email,) = _emails("revocation_intended")
    assert GROUNDS in email.body and registration.number in email.subject
    with pytest.raises(workflow.WrongStatus) as too_early:
        registrations.revoke(officer, registration, None, "Contrôle")
    assert "présenter ses observations jusqu'au" in str(too_early.value.message)


def test_the_holder_answers_once_and_the_revocation_quotes_the_answer(operator, officer, registration):
    hearing.notify_revocation_intent(officer, registration, "incorrect_statements", GROUNDS)
    hearing.present_observations(operator, registration, "Les factures sont jointes.")
    with pytest.raises(workflow.WrongStatus):
        hearing.present_observations(operator, registration, "Encore une fois.")
    registrations.revoke(officer, registration, None, "Les factures ne prouvent pas l'origine.")
    db.session.refresh(registration)
    assert registration.status == R.REVOKED
    assert registration.revocation_ground.value == "incorrect_statements"
    assert registration.hearing_notified_at is None
    (email,) = _emails("revoked")
    assert "« Les factures sont jointes. »" in email.body
    assert _events(registration.id)[-2:] == ["observations_presented", "revoked"]
    assert len(_emails("observations_received")) == 1


def test_only_the_holder_presents_observations_and_only_the_office_notifies(operator, other_operator, officer,
                                                                          other_officer, registration):
    with pytest.raises(workflow.NotAllowed):
        hearing.notify_revocation_intent(other_officer, registration, "conditions_not_met", GROUNDS)
    with pytest.raises(workflow.NotAllowed):
        hearing.notify_revocation_intent(operator, registration, "conditions_not_met", GROUNDS)
    hearing.notify_revocation_intent(officer, registration, "conditions_not_met", GROUNDS)
    with pytest.raises(workflow.NotAllowed):
        hearing.present_observations(other_operator, registration, "Pas moi.")
    with pytest.raises(workflow.WrongStatus):
        hearing.notify_revocation_intent(officer, registration, "conditions_not_met", GROUNDS)


def test_the_holders_own_request_is_not_a_ground_to_notify(officer, registration):
    with pytest.raises(workflow.WorkflowError) as refused:
        hearing.notify_revocation_intent(officer, registration, "holder_request", GROUNDS)
    assert refused.value.field == "hearing_ground"


def test_the_end_of_the_period_lets_the_officer_decide_and_is_recorded_once(officer, registration):
    hearing.notify_revocation_intent(officer, registration, "conditions_not_met", GROUNDS)
    later = utcnow() + timedelta(days=16)
    assert end_hearing_periods(later) == {"ended": 1}
    assert end_hearing_periods(later) == {"ended": 0}
    db.session.refresh(registration)
    assert _events(registration.id)[-2:] == ["revocation_intended", "hearing_period_ended"]
    assert kernel.may(officer, registration, "revoke")
    registrations.revoke(officer, registration, None, "Aucune observation.")
    (email,) = _emails("revoked")
    assert "n'a pas présenté d'observations" in email.body


def test_a_reminder_goes_once_to_a_holder_who_has_not_answered(operator, officer, registration):
    hearing.notify_revocation_intent(officer, registration, "conditions_not_met", GROUNDS)
    assert send_hearing_reminders(utcnow() + timedelta(days=5)) == {"reminders": 0}
    assert send_hearing_reminders(utcnow() + timedelta(days=13)) == {"reminders": 1}
    assert send_hearing_reminders(utcnow() + timedelta(days=13)) == {"reminders": 0}
    (email,) = _emails("hearing_reminder")
    assert registration.number in email.subject


def test_the_officer_abandons_the_procedure(operator, officer, registration):
    hearing.notify_revocation_intent(officer, registration, "conditions_not_met", GROUNDS)
    with pytest.raises(workflow.WorkflowError) as empty:
        hearing.abandon_revocation(officer, registration, " ")
    assert empty.value.field == "abandon_comment"
    hearing.abandon_revocation(officer, registration, "Observations convaincantes.")
    db.session.refresh(registration)
    assert registration.status == R.GRANTED and registration.hearing_notified_at is None
    assert len(_emails("revocation_abandoned")) == 1
    assert not kernel.may(officer, registration, "revoke")


def test_a_revocation_at_the_holders_request_stays_immediate(operator, officer, registration):
    registrations.request_deregistration(operator, registration, "Nous n'exportons plus.")
    registrations.confirm_deregistration(officer, registration, "Radiation confirmée.")
    db.session.refresh(registration)
    assert registration.status == R.REVOKED
    assert registration.revocation_ground.value == "holder_request"


def test_a_refused_permission_keeps_its_reason_in_templates(officer, registration):
    can = kernel.allowed(officer, registration)
    assert not can.revoke
    assert "Notifiez d'abord" in str(can.revoke.reason)
    assert can.revoke.label is not None
    assert str(can.no_such_action.reason) == "Action inconnue."
    with pytest.raises(AttributeError):
        can.__html__
