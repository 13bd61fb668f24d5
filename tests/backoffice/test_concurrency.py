"""Two officers decide on the same file at the same instant, each in their own session.

Both read the file at the same version; a threading.Barrier releases them together. To make the two
transactions overlap every time, the status check that follows the row lock is slowed down (HOLD):
whoever locks first keeps the lock that long. On PostgreSQL the other one waits on the row lock, then
sees the winner's version (StaleFile). SQLite takes no row lock and serialises writers, so there the
loser is stopped later (at its flush or by the version check), but the outcome must be the same: one
decision, one registration, one "granted" event, one email.
"""
import threading
import time

import pytest

from app import workflow
from app.extensions import db
from app.models import Application, HistoryEvent, OutboxEmail, Registration, User
from app.models import ApplicationStatus as S
from app.workflow import StaleFile, WorkflowError
from tests.backoffice.helpers import STALE, count, fresh, text_of
from tests.conftest import PASSWORD

ROUNDS = 2  # one race per file
HOLD = 0.4  # seconds the first to lock the file keeps its lock


@pytest.fixture(autouse=True)
def slow_status_check(monkeypatch):
    """grant() checks the status right after taking the row lock: hold the lock there for HOLD seconds."""
    from app.workflow import kernel

    original = kernel.status_refusal

    def slow(transition, application):
        time.sleep(HOLD)
        return original(transition, application)

    monkeypatch.setattr(kernel, "status_refusal", slow)


def race(app, *calls, timeout=30):
    """Run each call(index) in its own thread, app context and session, released together by a barrier.

    A call returns a `go` function after its reads; `go()` is what races. Returns each go()'s result or
    the exception it raised, with how long it took.
    """
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        with app.app_context():
            try:
                go = call()
                barrier.wait(timeout=timeout)
                started = time.monotonic()
                try:
                    outcome = go()
                except Exception as exc:  # reported to the test, which asserts on it
                    outcome = exc
                results[index] = (outcome, time.monotonic() - started)
            except Exception as exc:
                results[index] = (exc, 0.0)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i, c), name=f"race-{i}") for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    assert not any(t.is_alive() for t in threads), "a racing thread is stuck"
    return results


def _files(world, factory):
    return [world.file_a.id] + [factory.submitted(factory.operator()).id for _ in range(ROUNDS - 1)]


@pytest.mark.concurrency
def test_two_officers_granting_the_same_version_at_once_leave_one_registration(app, world, factory):
    officers = (world.officer_a.id, world.colleague_a.id)
    files = _files(world, factory)
    db.session.close()  # the test's own session holds nothing while the threads race

    for application_id in files:
        version = fresh(application_id).version
        db.session.close()

        def grant_as(officer_id):
            def prepare():
                officer = db.session.get(User, officer_id)
                application = db.session.get(Application, application_id)
                assert application.version == version
                return lambda: workflow.grant(officer, application, version).number
            return prepare

        results = race(app, grant_as(officers[0]), grant_as(officers[1]))

        numbers = [r for r, _ in results if isinstance(r, str)]
        refusals = [(r, took) for r, took in results if isinstance(r, Exception)]
        assert len(numbers) == 1 and len(refusals) == 1, results
        refused, took = refusals[0]
        if db.engine.dialect.name == "postgresql":
            # The loser waited while the winner held the file (the two overlapped), and was stopped by the
            # version check after the row lock: without the lock it would pass that check and fail at
            # its flush with SQLAlchemy's StaleDataError instead.
            assert took >= HOLD * 0.5, took
            assert isinstance(refused, StaleFile), repr(refused)
        else:
            # No row lock on SQLite: the loser passes the version check and is stopped by the version
            # column at a flush inside grant(), which the workflow reports as StaleFile too.
            assert isinstance(refused, WorkflowError), repr(refused)
        assert fresh(application_id).status == S.GRANTED
        assert count(Registration, application_id=application_id) == 1
        assert count(HistoryEvent, application_id=application_id, kind="granted") == 1
        db.session.close()
    assert count(OutboxEmail, template="granted") == ROUNDS


@pytest.mark.concurrency
def test_two_officers_posting_grant_at_once_get_one_success_and_one_stale_page(app, world, factory):
    files = _files(world, factory)
    clients = []
    for officer in (world.officer_a, world.colleague_a):
        client = app.test_client()
        response = client.post("/connexion", data={"username": officer.username, "password": PASSWORD})
        assert response.status_code == 302
        clients.append(client)
    db.session.close()

    for application_id in files:
        version = fresh(application_id).version
        db.session.close()

        def post_as(client):
            def prepare():
                return lambda: client.post(f"/admin/dossier/{application_id}/octroyer",
                                           data={"version": str(version)})
            return prepare

        results = race(app, post_as(clients[0]), post_as(clients[1]))

        responses = [r for r, _ in results]
        assert not any(isinstance(r, Exception) for r in responses), responses
        codes = sorted(r.status_code for r in responses)
        assert codes in ([302, 409], [302, 422]), codes
        loser = text_of(next(r for r in responses if r.status_code != 302))
        if db.engine.dialect.name == "postgresql":
            assert codes == [302, 409]
            assert STALE in loser
        else:
            # SQLite: stopped at the flush (409, the stale page), or, when the winner committed first, by
            # grant's own check that the operator already holds a registration (422).
            assert STALE in loser if codes[1] == 409 else "détient déjà l'enregistrement" in loser
        assert fresh(application_id).status == S.GRANTED
        assert count(Registration, application_id=application_id) == 1
        assert count(HistoryEvent, application_id=application_id, kind="granted") == 1
        db.session.close()
    assert count(OutboxEmail, template="granted") == ROUNDS


@pytest.mark.concurrency
def test_two_approvals_of_one_proposal_at_once_give_one_decision(app, world, factory):
    """Four eyes (issue 17): a colleague and a supervisor approve the same proposal at the same instant."""
    from app.models import DecisionProposal, Office
    from app.workflow import four_eyes

    office_id = world.office_a.id
    world.office_a.four_eyes = True
    db.session.commit()
    try:
        four_eyes.propose_grant(world.officer_a, world.file_a)
        application_id, version = world.file_a.id, fresh(world.file_a.id).version
        approvers = (world.colleague_a.id, world.supervisor_a.id)
        db.session.close()

        def approve_as(user_id):
            def prepare():
                user = db.session.get(User, user_id)
                application = db.session.get(Application, application_id)
                return lambda: four_eyes.approve_decision(user, application, version)
            return prepare

        results = race(app, approve_as(approvers[0]), approve_as(approvers[1]))

        outcomes = [r for r, _ in results]
        assert sum(isinstance(r, Registration) for r in outcomes) == 1, outcomes
        assert sum(isinstance(r, WorkflowError) for r in outcomes) == 1, outcomes
        assert fresh(application_id).status == S.GRANTED
        assert count(Registration, application_id=application_id) == 1
        assert count(HistoryEvent, application_id=application_id, kind="granted") == 1
        assert count(HistoryEvent, application_id=application_id, kind="decision_approved") == 1
        assert count(DecisionProposal, application_id=application_id, status="approved") == 1
        assert count(OutboxEmail, template="granted") == 1
    finally:
        db.session.rollback()
        db.session.get(Office, office_id).four_eyes = False
        db.session.commit()
