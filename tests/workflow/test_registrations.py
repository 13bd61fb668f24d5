"""After the grant (seed guide 7.2, 7.3): modification requests, new versions, revocation, deregistration."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from app import workflow
from app.extensions import db
from app.models import (
    ApplicationKind, ApplicationStatus, DiscussionMessage, HistoryEvent, OutboxEmail, Registration,
    RegistrationStatus, RexTransmission,
)
from app.models._time import utcnow
from app.workflow import registrations
from app.workflow.content import content_of
from jobs.deadlines import sweep_deadlines
from tests.hearing_helpers import heard, revoke_after_hearing

R = RegistrationStatus


@pytest.fixture
def registration(granted):
    return db.session.scalar(select(Registration).where(Registration.application_id == granted.id))


def _events(registration_id: int) -> list[str]:
    return list(db.session.scalars(select(HistoryEvent.kind).where(HistoryEvent.registration_id == registration_id)
                                   .order_by(HistoryEvent.id)))


def _emails(template: str) -> list[OutboxEmail]:
    return list(db.session.scalars(select(OutboxEmail).where(OutboxEmail.template == template)))


def _transmissions(registration_id: int) -> list[str]:
    return list(db.session.scalars(select(RexTransmission.operation)
                                   .where(RexTransmission.registration_id == registration_id)
                                   .order_by(RexTransmission.id)))


def _modify(operator, registration, comment="Ajout d'une marchandise", **changes):
    """A modification request with one more goods line, saved with its comment."""
    draft = registrations.request_modification(operator, registration)
    content = content_of(draft)
    content.goods = [*content.goods, {"heading": "3923", "description": "Bouchon plastique"}]
    for name, value in changes.items():
        setattr(content, name, value)
    workflow.save_draft(operator, draft, content, request_comment=comment)
    return draft


def _submitted_modification(operator, registration, **kwargs):
    draft = _modify(operator, registration, **kwargs)
    workflow.submit(operator, draft)
    return draft


# --- modification requests ------------------------------------------------------------------------

def test_modification_request_starts_as_a_draft_holding_the_registered_content(operator, registration):
    draft = registrations.request_modification(operator, registration)
    assert draft.kind == ApplicationKind.REX_MODIFICATION
    assert draft.status == ApplicationStatus.DRAFT
    assert draft.registration_id == registration.id
    assert content_of(draft).goods == content_of(registration.application).goods
    assert draft.reference.startswith("FR-REXMOD-")


def test_a_second_request_resumes_the_unfinished_draft(operator, registration):
    first = registrations.request_modification(operator, registration)
    assert registrations.request_modification(operator, registration).id == first.id


def test_only_email_contacts_goods_and_relations_can_be_modified(factory, operator, registration):
    draft = registrations.request_modification(operator, registration)
    content = content_of(draft)
    content.exporter = dict(content.exporter, email="nouveau@example.com", address="1 rue Changée")
    content.main_activity = "trade" if content.main_activity == "production" else "production"
    content.office_id = factory.office("FR002300").id
    workflow.save_draft(operator, draft, content, request_comment="Nouveau courriel")
    assert draft.exporter_email == "nouveau@example.com"
    assert draft.exporter_address == registration.application.exporter_address
    assert draft.main_activity == registration.application.main_activity
    assert draft.office_id == registration.application.office_id


def test_modification_request_needs_a_comment(operator, registration):
    draft = _modify(operator, registration, comment="  ")
    with pytest.raises(workflow.WorkflowError) as refused:
        workflow.submit(operator, draft)
    assert refused.value.field == "request_comment"
    db.session.refresh(registration)
    assert registration.status == R.GRANTED


def test_submitted_modification_puts_the_registration_in_modification_demandee(operator, registration):
    submitted_emails = len(_emails("submitted"))
    draft = _submitted_modification(operator, registration)
    db.session.refresh(registration)
    assert draft.status == ApplicationStatus.UNDER_REVIEW
    assert registration.status == R.MODIFICATION_REQUESTED
    assert "modification_requested" in _events(registration.id)
    [email] = _emails("modification_requested")
    assert registration.number in email.subject
    assert "Ajout d'une marchandise" in email.body
    assert len(_emails("submitted")) == submitted_emails  # the modification has its own email


def test_modified_sections_lists_only_what_changed(operator, registration):
    draft = _modify(operator, registration)
    changed = registrations.modified_sections(draft)
    assert set(changed) == {"5"}
    before, after = changed["5"]
    assert len(after) == len(before) + 1


def test_validation_makes_a_new_version_and_the_old_one_version_anterieure(operator, officer, registration):
    draft = _submitted_modification(operator, registration)
    version = workflow.grant(officer, draft)
    db.session.refresh(registration)
    assert registration.status == R.SUPERSEDED
    assert version.status == R.GRANTED
    assert version.number == registration.number
    assert version.version_no == registration.version_no + 1
    assert version.valid_from == registration.valid_from
    assert version.application_id == draft.id
    assert [g.heading for g in version.application.goods_lines][-1] == "3923"
    assert _events(version.id) == ["new_version"]
    assert "modification_validated" in _events(registration.id)
    assert len(_emails("modification_validated")) == 1
    assert _transmissions(version.id) == ["modify"]
    assert [v.id for v in registrations.versions_of(version)] == [version.id, registration.id]


def test_refusal_leaves_the_registration_granted_unchanged(operator, officer, registration):
    draft = _submitted_modification(operator, registration)
    workflow.reject(officer, draft, "Position tarifaire erronée.")
    db.session.refresh(registration)
    assert registration.status == R.GRANTED
    assert "modification_refused" in _events(registration.id)
    [email] = _emails("modification_refused")
    assert "Position tarifaire erronée." in email.body
    assert not any(e.template == "rejected" for e in db.session.scalars(select(OutboxEmail)))


def test_request_for_information_on_a_modification_follows_the_30_day_rule(operator, officer, registration):
    draft = _submitted_modification(operator, registration)
    workflow.request_information(officer, draft, "Précisez la marchandise ajoutée.")
    assert draft.status == ApplicationStatus.INCOMPLETE
    assert draft.answer_deadline is not None
    db.session.refresh(registration)
    assert registration.status == R.MODIFICATION_REQUESTED


def test_expired_modification_request_is_rejected_and_the_registration_granted_again(
        operator, officer, registration):
    draft = _submitted_modification(operator, registration)
    workflow.request_information(officer, draft, "Précisez la marchandise ajoutée.")
    result = sweep_deadlines(now=utcnow() + timedelta(days=31))
    assert result["rejected"] == 1
    db.session.expire_all()
    assert db.session.get(type(draft), draft.id).status == ApplicationStatus.REJECTED
    registration = db.session.get(Registration, registration.id)
    assert registration.status == R.GRANTED
    assert "modification_rejected_automatically" in _events(registration.id)


def test_abandoned_modification_request_gives_back_the_granted_status(operator, registration):
    draft = _submitted_modification(operator, registration)
    workflow.abandon(operator, draft, "Finalement inutile")
    db.session.refresh(registration)
    assert registration.status == R.GRANTED
    assert "modification_abandoned" in _events(registration.id)


def test_no_modification_of_a_revoked_registration(operator, officer, registration):
    revoke_after_hearing(officer, registration, "conditions_not_met", "Contrôle a posteriori")
    with pytest.raises(workflow.WrongStatus):
        registrations.request_modification(operator, registration)


def test_another_company_cannot_request_a_modification(other_operator, registration):
    with pytest.raises(workflow.NotAllowed):
        registrations.request_modification(other_operator, registration)


def test_modification_request_cannot_be_duplicated(operator, registration):
    draft = _submitted_modification(operator, registration)
    assert not workflow.may_duplicate(operator, draft)


# --- revocation -----------------------------------------------------------------------------------

def test_revocation_records_ground_date_history_email_and_transmission(officer, registration):
    revoke_after_hearing(officer, registration, "incorrect_statements", "Attestations erronées en 2026")
    assert registration.status == R.REVOKED
    assert registration.revoked_on == utcnow().date()
    assert registration.revocation_ground.value == "incorrect_statements"
    event = db.session.scalar(select(HistoryEvent).where(HistoryEvent.registration_id == registration.id,
                                                         HistoryEvent.kind == "revoked"))
    assert "Attestations erronées en 2026" in event.comment
    assert event.actor_id == officer.id
    [email] = _emails("revoked")
    assert "Attestations erronées en 2026" in email.body
    assert _transmissions(registration.id) == ["register", "revoke"]


def test_revocation_needs_a_comment_and_the_ground_the_holder_was_heard_on(officer, registration):
    heard(officer, registration, "ceased_to_exist")
    with pytest.raises(workflow.WorkflowError) as other_ground:
        registrations.revoke(officer, registration, "conditions_not_met", "Motif")
    assert other_ground.value.field == "ground"
    with pytest.raises(workflow.WorkflowError) as no_comment:
        registrations.revoke(officer, registration, "ceased_to_exist", " ")
    assert no_comment.value.field == "comment"
    db.session.refresh(registration)
    assert registration.status == R.GRANTED


def test_officer_of_another_office_cannot_revoke(officer, other_officer, registration):
    heard(officer, registration, "ceased_to_exist")
    with pytest.raises(workflow.NotAllowed):
        registrations.revoke(other_officer, registration, "ceased_to_exist", "Radiée du RCS")


def test_revocation_closes_a_pending_modification_request(operator, officer, registration):
    draft = _submitted_modification(operator, registration)
    revoke_after_hearing(officer, registration, "ceased_to_exist", "Radiée du RCS")
    db.session.refresh(draft)
    assert draft.status == ApplicationStatus.REJECTED
    assert registration.status == R.REVOKED


def test_holder_can_still_write_in_the_thread_of_a_revoked_registration(operator, officer, registration):
    revoke_after_hearing(officer, registration, "conditions_not_met", "Contrôle a posteriori")
    registrations.comment(operator, registration, "Nous contestons cette révocation.")
    assert registration.status == R.REVOKED
    message = db.session.scalar(select(DiscussionMessage).where(DiscussionMessage.registration_id == registration.id)
                                .order_by(DiscussionMessage.id.desc()).limit(1))
    assert message.body == "Nous contestons cette révocation."
    assert "comment" in _events(registration.id)


def test_holder_may_duplicate_the_application_of_a_revoked_registration(operator, officer, registration):
    revoke_after_hearing(officer, registration, "conditions_not_met", "Contrôle a posteriori")
    copy = workflow.duplicate(operator, registration.application)
    assert copy.status == ApplicationStatus.DRAFT


def test_cancelling_a_revocation_grants_it_again_with_an_email(officer, registration):
    revoke_after_hearing(officer, registration, "conditions_not_met", "Contrôle a posteriori")
    registrations.cancel_revocation(officer, registration, "Erreur de saisie")
    assert registration.status == R.GRANTED
    assert registration.revoked_on is None and registration.revocation_ground is None
    assert _events(registration.id)[-1] == "revocation_cancelled"
    [email] = _emails("revocation_cancelled")
    assert "Erreur de saisie" in email.body
    assert _transmissions(registration.id) == ["register", "revoke", "modify"]


def test_only_a_revoked_registration_can_have_its_revocation_cancelled(officer, registration):
    with pytest.raises(workflow.WrongStatus):
        registrations.cancel_revocation(officer, registration)


# --- deregistration at the holder's request --------------------------------------------------------

def test_holder_asks_for_deregistration_and_an_officer_confirms(operator, officer, registration):
    registrations.request_deregistration(operator, registration, "Nous cessons d'exporter vers le Japon.")
    assert registration.deregistration_requested_at is not None
    assert registration.status == R.GRANTED
    assert _events(registration.id)[-1] == "deregistration_requested"
    registrations.confirm_deregistration(officer, registration, "Radiation confirmée")
    assert registration.status == R.REVOKED
    assert registration.revocation_ground.value == "holder_request"


def test_deregistration_request_needs_a_reason(operator, registration):
    with pytest.raises(workflow.WorkflowError) as refused:
        registrations.request_deregistration(operator, registration, "")
    assert refused.value.field == "reason"


def test_deregistration_cannot_be_confirmed_without_the_holders_request(officer, registration):
    with pytest.raises(workflow.WrongStatus):
        registrations.confirm_deregistration(officer, registration, "Radiation")


def test_continuer_without_a_comment_reports_it_beside_the_comment(operator, registration):
    draft = _modify(operator, registration, comment="")
    assert "request_comment" in workflow.validation_errors(draft)


def test_revoked_version_born_of_a_modification_can_be_duplicated_into_a_new_application(
        operator, officer, registration):
    version = workflow.grant(officer, _submitted_modification(operator, registration))
    revoke_after_hearing(officer, version, "conditions_not_met", "Contrôle a posteriori")
    assert workflow.may_duplicate(operator, version.application)
    copy = workflow.duplicate(operator, version.application)
    assert copy.kind == ApplicationKind.REX
    assert [g.heading for g in copy.goods_lines][-1] == "3923"
