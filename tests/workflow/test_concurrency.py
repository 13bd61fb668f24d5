"""A file read at one version and acted on after someone else changed it: StaleFile, nothing changes."""
import pytest

from app import workflow
from app.models import ApplicationStatus as S
from app.workflow import StaleFile
from tests.workflow.helpers import assert_refused, fresh

STALE_CALLS = {
    "save_draft": ("draft", "operator", lambda actor, a, v: workflow.save_draft(actor, a, workflow.content_of(a), v)),
    "submit": ("draft", "operator", lambda actor, a, v: workflow.submit(actor, a, v)),
    "request_information": ("under_review", "officer",
                            lambda actor, a, v: workflow.request_information(actor, a, "Précisez.", v)),
    "complete": ("incomplete", "operator", lambda actor, a, v: workflow.complete(actor, a, "Voici.", v)),
    "grant": ("under_review", "officer", lambda actor, a, v: workflow.grant(actor, a, v)),
    "reject": ("under_review", "officer", lambda actor, a, v: workflow.reject(actor, a, "Motif.", v)),
    "abandon": ("under_review", "operator", lambda actor, a, v: workflow.abandon(actor, a, None, v)),
}


@pytest.mark.parametrize("transition", list(STALE_CALLS))
def test_transition_on_a_stale_version_is_refused(request, file_in, transition):
    status, role, call = STALE_CALLS[transition]
    application = file_in(status)
    actor = request.getfixturevalue(role)
    stale = fresh(application.id).version - 1

    assert_refused(lambda: call(actor, application, stale), StaleFile, application.id)


@pytest.mark.parametrize("transition", list(STALE_CALLS))
def test_transition_on_the_current_version_goes_through(request, file_in, transition):
    status, role, call = STALE_CALLS[transition]
    application = file_in(status)
    actor = request.getfixturevalue(role)
    current = fresh(application.id).version

    call(actor, application, current)
    assert fresh(application.id).version > current


def test_officer_granting_a_file_the_operator_abandoned_meanwhile_is_refused(operator, officer, under_review):
    seen_by_officer = fresh(under_review.id).version
    workflow.abandon(operator, under_review, "Nous renonçons.")

    assert_refused(lambda: workflow.grant(officer, under_review, seen_by_officer), StaleFile, under_review.id)
    assert fresh(under_review.id).status == S.ABANDONED


def test_second_of_two_officers_deciding_on_the_same_version_is_refused(factory, officer, under_review):
    colleague = factory.officer("FR000600")
    seen = fresh(under_review.id).version
    workflow.request_information(officer, under_review, "Précisez vos marchandises.", seen)

    assert_refused(lambda: workflow.reject(colleague, under_review, "Motif.", seen), StaleFile, under_review.id)
    assert fresh(under_review.id).status == S.INCOMPLETE


def test_two_submissions_for_one_company_at_the_same_instant_leave_one_pending(factory, monkeypatch):
    """Both passed the rules before either committed: the database's one-pending-file index decides."""
    from app.workflow import rules
    from app.models import Application
    from app.extensions import db

    operator = factory.operator()
    first = factory.submitted(operator)
    second = factory.draft(operator)
    monkeypatch.setattr(rules, "conflicting_file", lambda company_id, application_id: None)

    with pytest.raises(workflow.WorkflowError) as refused:
        workflow.submit(operator, second)

    assert refused.value.field == "company_id"
    db.session.expire_all()
    assert db.session.get(Application, second.id).status == S.DRAFT
    assert db.session.get(Application, first.id).status == S.UNDER_REVIEW
