"""Every allowed transition: its status, history event, outbox rows, messages and dates."""
import re
from datetime import timedelta

from sqlalchemy import select, update

from app import workflow
from app.extensions import db
from app.models import Application, ApplicationStatus as S, Registration, RegistrationStatus, Role
from app.models._time import utcnow
from tests.workflow.helpers import (
    GUIDE_INCOMPLETE_SENTENCE, SECTION2_EMAIL, aware, events, fresh, last_event, messages, outbox,
)


def _backdate(application_id, **values):
    db.session.execute(update(Application).where(Application.id == application_id).values(**values))
    db.session.commit()


# --- draft -----------------------------------------------------------------------------------------

def test_creating_a_draft_gives_it_a_reference_from_the_first_save(operator, company):
    application = workflow.create_draft(operator)

    saved = fresh(application.id)
    assert saved.status == S.DRAFT
    assert re.fullmatch(rf"FR-REX-{utcnow():%Y}-\d{{7}}", saved.reference)
    assert saved.reference.endswith(f"{saved.id:07d}")
    assert saved.company_id == company.id
    assert saved.exporter_eori == company.eori
    [event] = events(application.id)
    assert (event.kind, event.actor_id, event.office_id) == ("draft_created", operator.id, None)
    assert outbox() == []


def test_saving_a_draft_records_the_content_without_a_modification_event(operator, draft):
    saved = fresh(draft.id)
    assert saved.status == S.DRAFT
    assert saved.exporter_email == SECTION2_EMAIL
    assert [g.heading for g in saved.goods_lines] == ["4202"]
    assert [r.code for r in saved.relations] == ["JP", "GB"]
    assert [e.kind for e in events(draft.id)] == ["draft_created"]


def test_submitting_a_draft_puts_it_under_review(operator, draft):
    before = utcnow()
    workflow.submit(operator, draft)

    saved = fresh(draft.id)
    assert saved.status == S.UNDER_REVIEW
    assert before <= aware(saved.submitted_at) <= utcnow()
    assert aware(saved.received_complete_at) == aware(saved.submitted_at)
    event = last_event(draft.id)
    assert (event.kind, event.actor_id, event.office_id, event.comment) == ("submitted", operator.id, None, None)


def test_submitting_sends_the_confirmation_to_the_section_2_email(operator, draft):
    workflow.submit(operator, draft)

    [email] = outbox()
    assert email.template == "submitted"
    assert email.recipient == SECTION2_EMAIL
    assert draft.reference in email.subject
    assert draft.reference in email.body
    assert "Bordeaux Mérignac (FR000600)" in email.body


# --- comment ---------------------------------------------------------------------------------------

def test_officer_message_is_posted_recorded_and_emailed(officer, under_review):
    emails_before = len(outbox())
    workflow.comment(officer, under_review, "  Votre dossier est en cours d'étude.  ")

    [message] = messages(under_review.id)
    assert (message.author_id, message.body, message.title_kind) == (officer.id, "Votre dossier est en cours d'étude.", None)
    event = last_event(under_review.id)
    assert (event.kind, event.actor_id, event.office_id, event.comment) == (
        "comment", officer.id, officer.office_id, "Votre dossier est en cours d'étude.")
    new = outbox()[emails_before:]
    assert [(e.template, e.recipient) for e in new] == [("new_message", SECTION2_EMAIL)]
    assert under_review.reference in new[0].subject
    assert "Votre dossier est en cours d'étude." in new[0].body
    assert fresh(under_review.id).status == S.UNDER_REVIEW


def test_operator_message_is_posted_without_emailing_the_operator(operator, under_review):
    emails_before = len(outbox())
    workflow.comment(operator, under_review, "Quel est le délai de traitement ?")

    [message] = messages(under_review.id)
    assert (message.author_id, message.body) == (operator.id, "Quel est le délai de traitement ?")
    event = last_event(under_review.id)
    assert (event.kind, event.actor_id, event.office_id) == ("comment", operator.id, None)
    assert len(outbox()) == emails_before


def test_discussion_stays_open_on_a_granted_file(operator, granted):
    workflow.comment(operator, granted, "Merci pour l'octroi.")

    assert messages(granted.id)[-1].body == "Merci pour l'octroi."
    assert fresh(granted.id).status == S.GRANTED


# --- request_information / complete ------------------------------------------------------------------

def test_requesting_information_makes_the_file_incomplete(officer, under_review):
    workflow.request_information(officer, under_review, "Merci de confirmer vos positions tarifaires.")

    saved = fresh(under_review.id)
    assert saved.status == S.INCOMPLETE
    event = last_event(under_review.id)
    assert (event.kind, event.actor_id, event.office_id, event.comment) == (
        "information_requested", officer.id, officer.office_id, "Merci de confirmer vos positions tarifaires.")


def test_information_request_gives_thirty_days_to_answer(officer, under_review):
    before = utcnow()
    workflow.request_information(officer, under_review, "Merci de confirmer vos positions tarifaires.")
    after = utcnow()

    deadline = aware(fresh(under_review.id).answer_deadline)
    assert before + timedelta(days=30) <= deadline <= after + timedelta(days=30)


def test_information_request_is_posted_in_the_discussion(officer, under_review):
    workflow.request_information(officer, under_review, "Merci de confirmer vos positions tarifaires.")

    [message] = messages(under_review.id)
    assert (message.author_id, message.title_kind, message.body) == (
        officer.id, "information_requested", "Merci de confirmer vos positions tarifaires.")


def test_information_request_emails_the_guide_text_to_the_section_2_email(officer, under_review):
    workflow.request_information(officer, under_review, "Merci de confirmer vos positions tarifaires.")

    email = outbox()[-1]
    assert email.template == "incomplete"
    assert email.recipient == SECTION2_EMAIL
    assert email.subject == "SOPRANO-REX Demande incomplète"  # the guide's subject, word for word
    assert under_review.reference in email.body
    assert GUIDE_INCOMPLETE_SENTENCE in email.body
    assert "Merci de confirmer vos positions tarifaires." in email.body


def test_editing_an_incomplete_file_records_each_changed_field(operator, incomplete):
    content = workflow.content_of(incomplete)
    content.goods = [{"heading": "4202", "description": "Sacs à main et portefeuilles en cuir"}]
    content.relations = ["JP", "GB", "CA"]
    workflow.save_draft(operator, incomplete, content)
    assert last_event(incomplete.id).kind == "information_requested"  # nothing recorded until transmitted
    workflow.complete(operator, incomplete, "Précisions apportées.")

    [event] = [e for e in events(incomplete.id) if e.kind == "content_modified"]
    assert (event.kind, event.actor_id, event.office_id) == ("content_modified", operator.id, None)
    assert event.changes == [
        {"field": "goods[1].description", "old": "Sacs à main en cuir", "new": "Sacs à main et portefeuilles en cuir"},
        {"field": "relations", "old": "JP GB", "new": "JP GB CA"},
    ]
    assert fresh(incomplete.id).status == S.UNDER_REVIEW


def test_saving_an_incomplete_file_unchanged_records_no_event(operator, incomplete):
    kinds_before = [e.kind for e in events(incomplete.id)]
    workflow.save_draft(operator, incomplete, workflow.content_of(incomplete))

    assert [e.kind for e in events(incomplete.id)] == kinds_before


def test_incomplete_file_goes_back_under_review_when_completed(operator, incomplete):
    workflow.complete(operator, incomplete, "Mes codes nomenclature ont été modifiés.")

    saved = fresh(incomplete.id)
    assert saved.status == S.UNDER_REVIEW
    assert saved.answer_deadline is None
    event = last_event(incomplete.id)
    assert (event.kind, event.actor_id, event.office_id, event.comment) == (
        "completed", operator.id, None, "Mes codes nomenclature ont été modifiés.")


def test_completing_updates_the_date_the_complete_file_was_received(operator, incomplete):
    long_ago = utcnow() - timedelta(days=12)
    _backdate(incomplete.id, received_complete_at=long_ago)
    before = utcnow()
    workflow.complete(operator, incomplete, "Mes codes nomenclature ont été modifiés.")

    assert before <= aware(fresh(incomplete.id).received_complete_at) <= utcnow()


def test_complement_is_posted_in_the_discussion_and_confirmed_by_email(operator, incomplete):
    emails_before = len(outbox())
    workflow.complete(operator, incomplete, "Mes codes nomenclature ont été modifiés.")

    message = messages(incomplete.id)[-1]
    assert (message.author_id, message.title_kind, message.body) == (
        operator.id, "completed", "Mes codes nomenclature ont été modifiés.")
    new = outbox()[emails_before:]
    assert [(e.template, e.recipient) for e in new] == [("completed", SECTION2_EMAIL)]
    assert incomplete.reference in new[0].subject
    assert incomplete.reference in new[0].body


def test_information_may_be_requested_again_after_a_complement(officer, operator, incomplete):
    workflow.complete(operator, incomplete, "Voici les précisions.")
    workflow.request_information(officer, incomplete, "Une dernière précision, svp.")

    assert fresh(incomplete.id).status == S.INCOMPLETE
    assert [m.title_kind for m in messages(incomplete.id)] == [
        "information_requested", "completed", "information_requested"]


# --- grant -------------------------------------------------------------------------------------------

def test_granting_creates_the_registration_frrex_plus_eori(officer, company, under_review):
    registration = workflow.grant(officer, under_review)

    saved = fresh(under_review.id)
    assert saved.status == S.GRANTED
    assert saved.decided_at is not None
    stored = db.session.scalar(select(Registration).where(Registration.application_id == under_review.id))
    assert stored.id == registration.id
    assert stored.number == f"FRREX{company.eori}"
    assert stored.status == RegistrationStatus.GRANTED
    assert (stored.company_id, stored.office_id) == (company.id, officer.office_id)


def test_registration_is_registered_today_and_valid_from_receipt_of_the_complete_file(officer, under_review):
    received = utcnow() - timedelta(days=20)
    _backdate(under_review.id, received_complete_at=received)
    workflow.grant(officer, under_review)

    db.session.expire_all()
    registration = db.session.scalar(select(Registration).where(Registration.application_id == under_review.id))
    assert registration.registered_on == utcnow().date()
    assert registration.valid_from == received.date()


def test_grant_is_recorded_with_the_officer_and_office(officer, under_review):
    registration = workflow.grant(officer, under_review)

    event = last_event(under_review.id)
    assert (event.kind, event.actor_id, event.office_id, event.registration_id) == (
        "granted", officer.id, officer.office_id, registration.id)


def test_grant_is_emailed_with_the_number_and_dates(officer, company, under_review):
    workflow.grant(officer, under_review)

    email = outbox()[-1]
    assert email.template == "granted"
    assert email.recipient == SECTION2_EMAIL
    assert f"FRREX{company.eori}" in email.subject
    assert under_review.reference in email.body
    assert f"{utcnow():%d/%m/%Y}" in email.body


def test_supervisor_grants_a_file_of_an_office_it_supervises(factory, company, under_review):
    supervisor = factory.user(Role.SUPERVISOR, supervised=[factory.office("FR000600")])
    registration = workflow.grant(supervisor, under_review)

    assert fresh(under_review.id).status == S.GRANTED
    assert registration.number == f"FRREX{company.eori}"
    event = last_event(under_review.id)
    assert (event.kind, event.actor_id) == ("granted", supervisor.id)


# --- reject ------------------------------------------------------------------------------------------

def test_officer_rejects_a_file_under_review_with_a_reason(officer, under_review):
    workflow.reject(officer, under_review, "Relation préférentielle inexistante.")

    saved = fresh(under_review.id)
    assert saved.status == S.REJECTED
    assert saved.decided_at is not None
    event = last_event(under_review.id)
    assert (event.kind, event.actor_id, event.office_id, event.comment) == (
        "rejected", officer.id, officer.office_id, "Relation préférentielle inexistante.")


def test_officer_rejects_an_incomplete_file_and_its_deadline_ends(officer, incomplete):
    workflow.reject(officer, incomplete, "Pièces non fournies.")

    saved = fresh(incomplete.id)
    assert saved.status == S.REJECTED
    assert saved.answer_deadline is None


def test_rejection_is_emailed_with_its_reason(officer, under_review):
    workflow.reject(officer, under_review, "Relation préférentielle inexistante.")

    email = outbox()[-1]
    assert (email.template, email.recipient) == ("rejected", SECTION2_EMAIL)
    assert under_review.reference in email.subject
    assert under_review.reference in email.body
    assert "Relation préférentielle inexistante." in email.body


# --- abandon -----------------------------------------------------------------------------------------

def test_abandoning_a_draft(operator, draft):
    workflow.abandon_draft(operator, draft)

    assert fresh(draft.id).status == S.ABANDONED
    event = last_event(draft.id)
    assert (event.kind, event.actor_id, event.office_id) == ("draft_abandoned", operator.id, None)
    assert outbox() == []


def test_abandoning_a_file_under_review_with_a_comment(operator, under_review):
    emails_before = len(outbox())
    workflow.abandon(operator, under_review, "  Nous renonçons à exporter.  ")

    assert fresh(under_review.id).status == S.ABANDONED
    event = last_event(under_review.id)
    assert (event.kind, event.actor_id, event.office_id, event.comment) == (
        "abandoned", operator.id, None, "Nous renonçons à exporter.")
    assert len(outbox()) == emails_before


def test_abandoning_an_incomplete_file_ends_its_deadline(operator, incomplete):
    workflow.abandon(operator, incomplete)

    saved = fresh(incomplete.id)
    assert saved.status == S.ABANDONED
    assert saved.answer_deadline is None
    assert last_event(incomplete.id).comment is None


# --- every transition bumps the version ---------------------------------------------------------------

def test_each_transition_increments_the_file_version(officer, operator, draft):
    versions = [fresh(draft.id).version]
    workflow.submit(operator, draft)
    versions.append(fresh(draft.id).version)
    workflow.request_information(officer, draft, "Précisez.")
    versions.append(fresh(draft.id).version)
    workflow.complete(operator, draft, "Précisé.")
    versions.append(fresh(draft.id).version)
    workflow.grant(officer, draft)
    versions.append(fresh(draft.id).version)

    assert versions == sorted(set(versions))
