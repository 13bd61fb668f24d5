"""Every refused transition raises, and leaves status, version, history, outbox and content unchanged."""
import pytest
from sqlalchemy import select

from app import workflow
from app.extensions import db
from app.models import Application, HistoryEvent, Registration, RegistrationStatus, Role
from app.models._time import utcnow
from app.workflow import Incomplete, NotAllowed, WorkflowError, WrongStatus
from app.workflow.events import status_label
from tests.workflow.helpers import assert_refused, count, fresh

# What each actor tries, with texts that are fine: only the status, the actor or the file is wrong.
TRANSITIONS = {
    "save_draft": lambda actor, a: workflow.save_draft(actor, a, workflow.content_of(a)),
    "submit": lambda actor, a: workflow.submit(actor, a),
    "comment": lambda actor, a: workflow.comment(actor, a, "Bonjour."),
    "request_information": lambda actor, a: workflow.request_information(actor, a, "Précisez vos marchandises."),
    "complete": lambda actor, a: workflow.complete(actor, a, "Voici les précisions."),
    "grant": lambda actor, a: workflow.grant(actor, a),
    "reject": lambda actor, a: workflow.reject(actor, a, "Motif."),
    "abandon_draft": lambda actor, a: workflow.abandon_draft(actor, a),
    "abandon": lambda actor, a: workflow.abandon(actor, a, "Nous renonçons."),
}
OFFICER_TRANSITIONS = {"request_information", "grant", "reject"}

WRONG_STATUSES = [
    ("save_draft", "under_review"), ("save_draft", "granted"), ("save_draft", "rejected"), ("save_draft", "abandoned"),
    ("submit", "under_review"), ("submit", "incomplete"), ("submit", "granted"), ("submit", "rejected"),
    ("submit", "abandoned"),
    ("comment", "draft"), ("comment", "abandoned"),
    ("request_information", "draft"), ("request_information", "incomplete"), ("request_information", "granted"),
    ("request_information", "rejected"), ("request_information", "abandoned"),
    ("complete", "draft"), ("complete", "under_review"), ("complete", "granted"), ("complete", "rejected"),
    ("complete", "abandoned"),
    ("grant", "draft"), ("grant", "incomplete"), ("grant", "granted"), ("grant", "rejected"), ("grant", "abandoned"),
    ("reject", "draft"), ("reject", "granted"), ("reject", "rejected"), ("reject", "abandoned"),
    ("abandon_draft", "under_review"), ("abandon_draft", "incomplete"), ("abandon_draft", "granted"),
    ("abandon_draft", "rejected"), ("abandon_draft", "abandoned"),
    ("abandon", "draft"), ("abandon", "granted"), ("abandon", "rejected"), ("abandon", "abandoned"),
]


@pytest.mark.parametrize("transition,status", WRONG_STATUSES, ids=[f"{t}-from-{s}" for t, s in WRONG_STATUSES])
def test_transition_is_refused_from_a_status_it_does_not_start_from(file_in, operator, officer, transition, status):
    application = file_in(status)
    actor = officer if transition in OFFICER_TRANSITIONS else operator

    error = assert_refused(lambda: TRANSITIONS[transition](actor, application), WrongStatus, application.id)
    assert status_label(fresh(application.id).status) in str(error)


def test_officer_message_is_refused_on_a_draft(officer, draft):
    assert_refused(lambda: workflow.comment(officer, draft, "Bonjour."), WrongStatus, draft.id)


# --- wrong actor ---------------------------------------------------------------------------------------

OPERATOR_OF_ANOTHER_COMPANY = [
    ("save_draft", "draft"), ("submit", "draft"), ("abandon_draft", "draft"), ("comment", "under_review"),
    ("complete", "incomplete"), ("abandon", "under_review"), ("abandon", "incomplete"),
]


@pytest.mark.parametrize("transition,status", OPERATOR_OF_ANOTHER_COMPANY,
                         ids=[f"{t}-{s}" for t, s in OPERATOR_OF_ANOTHER_COMPANY])
def test_operator_of_another_company_may_not_act_on_the_file(file_in, other_operator, transition, status):
    application = file_in(status)
    assert_refused(lambda: TRANSITIONS[transition](other_operator, application), NotAllowed, application.id)


@pytest.mark.parametrize("transition", ["request_information", "grant", "reject", "comment"])
def test_officer_of_another_office_may_not_act_on_the_file(under_review, other_officer, transition):
    assert_refused(lambda: TRANSITIONS[transition](other_officer, under_review), NotAllowed, under_review.id)


@pytest.mark.parametrize("transition", ["request_information", "grant", "reject"])
def test_operator_may_not_fire_an_officer_transition(under_review, operator, transition):
    assert_refused(lambda: TRANSITIONS[transition](operator, under_review), NotAllowed, under_review.id)


@pytest.mark.parametrize("transition,status", [
    ("save_draft", "draft"), ("submit", "draft"), ("abandon_draft", "draft"), ("complete", "incomplete"),
    ("abandon", "under_review")])
def test_officer_may_not_fire_an_operator_transition(file_in, officer, transition, status):
    application = file_in(status)
    assert_refused(lambda: TRANSITIONS[transition](officer, application), NotAllowed, application.id)


@pytest.mark.parametrize("transition,status", [
    ("save_draft", "draft"), ("submit", "draft"), ("comment", "under_review"), ("request_information", "under_review"),
    ("complete", "incomplete"), ("grant", "under_review"), ("reject", "under_review"), ("abandon", "under_review")])
def test_administrator_may_not_act_on_a_file(file_in, admin, transition, status):
    application = file_in(status)
    assert_refused(lambda: TRANSITIONS[transition](admin, application), NotAllowed, application.id)


def test_supervisor_of_other_offices_may_not_grant(factory, under_review):
    supervisor = factory.user(Role.SUPERVISOR, supervised=[factory.office("FR002300")])
    assert_refused(lambda: workflow.grant(supervisor, under_review), NotAllowed, under_review.id)


def test_saving_a_draft_for_a_company_the_operator_is_not_certified_for_is_refused(
        factory, operator, draft):
    stranger = factory.company()
    content = factory.content(draft, office_code="FR002300")
    content.company_id = stranger.id
    office_before = fresh(draft.id).office_id

    assert_refused(lambda: workflow.save_draft(operator, draft, content), NotAllowed, draft.id, field="company_id")
    saved = fresh(draft.id)
    assert (saved.office_id, saved.exporter_eori) == (office_before, operator.certifications[0].company.eori)


# --- creating a draft -------------------------------------------------------------------------------------

@pytest.mark.parametrize("role", [Role.OFFICER, Role.SUPERVISOR, Role.ADMIN])
def test_only_operators_and_representatives_may_create_a_draft(factory, role):
    staff = factory.user(role, office=factory.office())
    with pytest.raises(NotAllowed):
        workflow.create_draft(staff)
    assert (count(Application), count(HistoryEvent)) == (0, 0)


def test_account_certified_for_no_company_may_not_create_a_draft(factory):
    lonely = factory.user(Role.OPERATOR)
    with pytest.raises(NotAllowed):
        workflow.create_draft(lonely)
    assert (count(Application), count(HistoryEvent)) == (0, 0)


def test_draft_for_a_company_the_operator_is_not_certified_for_is_refused(factory, operator):
    with pytest.raises(NotAllowed):
        workflow.create_draft(operator, factory.company())
    assert (count(Application), count(HistoryEvent)) == (0, 0)


# --- mandatory texts ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("message", ["", "   \n\t", None])
def test_information_request_without_a_message_is_refused(officer, under_review, message):
    assert_refused(lambda: workflow.request_information(officer, under_review, message), WorkflowError,
                   under_review.id, field="message")


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_rejection_without_a_reason_is_refused(officer, under_review, reason):
    assert_refused(lambda: workflow.reject(officer, under_review, reason), WorkflowError,
                   under_review.id, field="reason")


@pytest.mark.parametrize("complement", ["", "  \n ", None])
def test_complement_without_text_is_refused(operator, incomplete, complement):
    assert_refused(lambda: workflow.complete(operator, incomplete, complement), WorkflowError,
                   incomplete.id, field="complement")


def test_empty_message_in_the_discussion_is_refused(operator, under_review):
    assert_refused(lambda: workflow.comment(operator, under_review, "   "), WorkflowError, under_review.id,
                   field="body")


# --- content that does not pass the rules ------------------------------------------------------------------

def test_submit_of_an_incomplete_form_is_refused_with_the_fields_to_fix(factory, operator):
    application = workflow.create_draft(operator)
    content = factory.content(application, goods=[], relations=[])
    workflow.save_draft(operator, application, content)

    error = assert_refused(lambda: workflow.submit(operator, application), Incomplete, application.id)
    assert {"goods", "relations"} <= set(error.errors)


def test_complement_is_refused_while_the_form_breaks_a_rule(operator, incomplete):
    content = workflow.content_of(incomplete)
    content.contacts = []
    workflow.save_draft(operator, incomplete, content)

    error = assert_refused(lambda: workflow.complete(operator, incomplete, "Voici."), Incomplete, incomplete.id)
    assert "contacts" in error.errors


def test_grant_is_refused_when_the_company_already_holds_a_registration(officer, company, under_review):
    db.session.add(Registration(number=f"FRREX{company.eori}", company_id=company.id,
                                application_id=under_review.id, office_id=officer.office_id,
                                registered_on=utcnow().date(), valid_from=utcnow().date(),
                                status=RegistrationStatus.GRANTED))
    db.session.commit()

    error = assert_refused(lambda: workflow.grant(officer, under_review), WorkflowError, under_review.id)
    assert f"FRREX{company.eori}" in str(error)
    assert db.session.scalar(select(Registration.id).where(Registration.company_id == company.id)) is not None
