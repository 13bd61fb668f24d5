"""The deadline sweep and the reminders (jobs/deadlines.py): once each, even with two workers at once."""
import threading
from datetime import timedelta

import pytest
from sqlalchemy import update

from app import workflow
from app.workflow import kernel
from app.extensions import db
from app.models import Application, ApplicationStatus as S
from jobs.deadlines import send_deadline_reminders, sweep_deadlines
from tests.workflow.conftest import (  # noqa: F401  (the workflow's actors and files)
    _french, company, draft, incomplete, officer, operator, under_review,
)
from tests.workflow.helpers import SECTION2_EMAIL, aware, events, fresh, outbox


def deadline_of(application):
    return aware(fresh(application.id).answer_deadline)


def kinds(application_id):
    return [e.kind for e in events(application_id)]


def in_thread(app, target, *args, **kwargs):
    """Run target in its own app context (its own session and connection); errors are re-raised by join."""
    outcome = {}

    def run():
        with app.app_context():
            try:
                outcome["result"] = target(*args, **kwargs)
            except BaseException as exc:  # noqa: BLE001
                outcome["error"] = exc
            finally:
                db.session.remove()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


def join(thread, outcome):
    thread.join(60)
    assert not thread.is_alive()
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("result")


def test_a_file_past_its_deadline_is_rejected_automatically(officer, incomplete):
    now = deadline_of(incomplete) + timedelta(seconds=1)

    assert sweep_deadlines(now=now) == {"due": 1, "rejected": 1, "skipped": 0}

    saved = fresh(incomplete.id)
    assert (saved.status, saved.answer_deadline, aware(saved.decided_at)) == (S.REJECTED, None, now)
    event = events(incomplete.id)[-1]
    assert (event.kind, event.actor_id, event.office_id) == ("rejected_automatically", None, officer.office_id)
    email = outbox()[-1]
    assert (email.template, email.recipient) == ("rejected_automatically", SECTION2_EMAIL)
    assert incomplete.reference in email.subject


def test_the_sweep_bumps_the_version_so_an_open_form_becomes_stale(operator, incomplete):
    seen = fresh(incomplete.id).version
    sweep_deadlines(now=deadline_of(incomplete) + timedelta(seconds=1))
    assert fresh(incomplete.id).version == seen + 1
    with pytest.raises(workflow.WorkflowError):
        workflow.complete(operator, incomplete, "Trop tard.", seen)


def test_a_file_at_its_deadline_is_rejected_and_one_before_it_is_untouched(incomplete):
    deadline = deadline_of(incomplete)
    version = fresh(incomplete.id).version

    assert sweep_deadlines(now=deadline - timedelta(seconds=1))["rejected"] == 0
    assert sweep_deadlines()["rejected"] == 0
    saved = fresh(incomplete.id)
    assert (saved.status, saved.version) == (S.INCOMPLETE, version)

    assert sweep_deadlines(now=deadline)["rejected"] == 1


def test_running_the_sweep_twice_changes_nothing_the_second_time(incomplete):
    now = deadline_of(incomplete) + timedelta(days=2)
    sweep_deadlines(now=now)
    emails, version = len(outbox()), fresh(incomplete.id).version

    assert sweep_deadlines(now=now) == {"due": 0, "rejected": 0, "skipped": 0}
    assert kinds(incomplete.id).count("rejected_automatically") == 1
    assert (len(outbox()), fresh(incomplete.id).version) == (emails, version)


def test_only_incomplete_files_are_swept(operator, under_review):
    assert sweep_deadlines(now=fresh(under_review.id).submitted_at + timedelta(days=400))["due"] == 0
    assert fresh(under_review.id).status == S.UNDER_REVIEW


def test_a_file_completed_before_the_deadline_is_never_rejected(operator, incomplete):
    deadline = deadline_of(incomplete)
    workflow.complete(operator, incomplete, "Voici les précisions.")

    assert sweep_deadlines(now=deadline + timedelta(days=1))["due"] == 0
    assert fresh(incomplete.id).status == S.UNDER_REVIEW
    assert "rejected_automatically" not in kinds(incomplete.id)


def test_a_job_reached_through_the_dotted_paths_of_the_schedule():
    from importlib import import_module

    from jobs.schedule import PERIODIC

    mine = {name: (path, interval) for name, path, interval in PERIODIC if path.startswith("jobs.deadlines.")}
    assert mine == {"sweep_deadlines": ("jobs.deadlines.sweep_deadlines", 300),
                    "send_deadline_reminders": ("jobs.deadlines.send_deadline_reminders", 900)}
    for path, _ in mine.values():
        module, _, attr = path.rpartition(".")
        assert callable(getattr(import_module(module), attr))


# --- concurrency (PostgreSQL: SQLite has no row locks) --------------------------------------------



@pytest.mark.postgresql_only
def test_completion_holding_the_lock_at_the_last_second_wins_over_the_sweep(app, monkeypatch, operator,
                                                                             incomplete):
    """The operator's complete() has locked the row just before the deadline and is still working when the
    sweep runs past the deadline: the sweep skips the locked row, the file ends under review."""
    deadline = deadline_of(incomplete)
    locked, release = threading.Event(), threading.Event()
    original_lock = kernel.lock_row

    def slow_lock(application, expected_version=None, subject=None):
        result = original_lock(application, expected_version, subject)
        if threading.current_thread() is not threading.main_thread():
            locked.set()
            release.wait(10)  # inside complete()'s transaction, holding the row lock
        return result

    monkeypatch.setattr(kernel, "lock_row", slow_lock)
    application_id, operator_id, user_class = incomplete.id, operator.id, type(operator)
    db.session.remove()

    def complete():
        application = db.session.get(Application, application_id)
        user = db.session.get(user_class, operator_id)
        workflow.complete(user, application, "Réponse envoyée à la dernière seconde.")

    thread, outcome = in_thread(app, complete)
    assert locked.wait(10)
    swept = sweep_deadlines(now=deadline + timedelta(seconds=1))
    release.set()
    join(thread, outcome)

    assert swept == {"due": 1, "rejected": 0, "skipped": 1}
    assert fresh(application_id).status == S.UNDER_REVIEW
    assert "rejected_automatically" not in kinds(application_id)
    assert sweep_deadlines(now=deadline + timedelta(minutes=5))["due"] == 0


@pytest.mark.postgresql_only
def test_two_sweeps_at_once_reject_each_expired_file_exactly_once(app, factory, officer):
    files = []
    for _ in range(6):
        files.append(factory.incomplete(factory.operator(), officer).id)
    now = max(deadline_of(db.session.get(Application, i)) for i in files) + timedelta(seconds=1)
    db.session.remove()

    barrier = threading.Barrier(2)

    def sweep():
        barrier.wait(10)
        return sweep_deadlines(now=now, batch_size=2)

    runs = [in_thread(app, sweep) for _ in range(2)]
    results = [join(*run) for run in runs]

    assert sum(r["rejected"] for r in results) == len(files)
    for i in files:
        assert fresh(i).status == S.REJECTED
        assert kinds(i).count("rejected_automatically") == 1
    assert [e.template for e in outbox()].count("rejected_automatically") == len(files)


# --- reminders -----------------------------------------------------------------------------------

def reminders():
    return [e for e in outbox() if e.template == "deadline_reminder"]


def test_reminders_seven_days_and_one_day_before_are_each_sent_once(incomplete):
    deadline = deadline_of(incomplete)

    assert send_deadline_reminders(now=deadline - timedelta(days=8)) == {"reminder_7": 0, "reminder_1": 0}
    assert send_deadline_reminders(now=deadline - timedelta(days=6, hours=12)) == {"reminder_7": 1, "reminder_1": 0}
    assert send_deadline_reminders(now=deadline - timedelta(days=5)) == {"reminder_7": 0, "reminder_1": 0}
    assert send_deadline_reminders(now=deadline - timedelta(hours=20)) == {"reminder_7": 0, "reminder_1": 1}
    assert send_deadline_reminders(now=deadline - timedelta(hours=2)) == {"reminder_7": 0, "reminder_1": 0}

    seven, one = reminders()
    assert seven.recipient == SECTION2_EMAIL and incomplete.reference in seven.subject
    assert "plus que 7 jours" in seven.subject and "Il vous reste 7 jours" in seven.body
    assert "plus que 1 jour " in one.subject
    assert "automatiquement rejetée" in one.body
    assert "Date limite de réponse :" in one.body
    # A reminder is not a state change: no history event, no new version.
    assert "rejected_automatically" not in kinds(incomplete.id)


def test_reminders_are_sent_again_for_a_new_answer_period(officer, operator, incomplete):
    deadline = deadline_of(incomplete)
    send_deadline_reminders(now=deadline - timedelta(hours=12))
    assert fresh(incomplete.id).reminder_1_sent_at is not None

    workflow.complete(operator, incomplete, "Voici.")
    workflow.request_information(officer, incomplete, "Encore une précision.")
    saved = fresh(incomplete.id)
    assert (saved.reminder_7_sent_at, saved.reminder_1_sent_at) == (None, None)

    assert send_deadline_reminders(now=aware(saved.answer_deadline) - timedelta(hours=12))["reminder_1"] == 1
    assert len(reminders()) == 2


def test_a_reminder_is_not_sent_once_the_file_is_completed(operator, incomplete):
    deadline = deadline_of(incomplete)
    workflow.complete(operator, incomplete, "Voici.")
    assert send_deadline_reminders(now=deadline - timedelta(hours=12)) == {"reminder_7": 0, "reminder_1": 0}


@pytest.mark.postgresql_only
def test_two_reminder_runs_at_once_send_each_reminder_once(app, incomplete):
    deadline = deadline_of(incomplete)
    db.session.remove()
    barrier = threading.Barrier(2)

    def run(now):
        barrier.wait(10)
        return send_deadline_reminders(now=now)

    for now, key in ((deadline - timedelta(days=6), "reminder_7"), (deadline - timedelta(hours=6), "reminder_1")):
        runs = [in_thread(app, run, now) for _ in range(2)]
        assert sum(join(*r)[key] for r in runs) == 1
        barrier.reset()
    assert len(reminders()) == 2


# --- a real RQ worker --------------------------------------------------------------------------------

def test_an_rq_worker_runs_the_sweep(incomplete, redis_url):
    from redis import Redis
    from rq import Queue, SimpleWorker

    connection = Redis.from_url(redis_url)
    # The worker runs in this process and this app context: with_app_context uses it.
    db.session.execute(update(Application).where(Application.id == incomplete.id)
                       .values(answer_deadline=fresh(incomplete.id).answer_deadline - timedelta(days=31)))
    db.session.commit()
    queue = Queue("deadlines", connection=connection)
    job = queue.enqueue(sweep_deadlines)
    assert job.func_name == "jobs.deadlines.sweep_deadlines"
    SimpleWorker([queue], connection=connection).work(burst=True)

    job.refresh()
    assert job.is_finished, job.latest_result().exc_string if job.latest_result() else job.get_status()
    assert job.return_value()["rejected"] == 1
    assert fresh(incomplete.id).status == S.REJECTED
