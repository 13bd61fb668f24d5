"""Every job through RQ: enqueued by the app's own helpers into a real Redis (the run's own redis-server,
tests/conftest.py's redis_url, in both passes of the suite), then run by a real rq SimpleWorker in burst mode.

The outbox delivery and the deadline sweep have theirs in test_outbox.py and test_deadlines.py; here the
deadline reminders, the transmission to the central REX, the batch actions and the periodic scheduler.
The worker runs in the test's process and app context, so with_app_context gives the jobs the test app and
its database (as in test_deadlines.py).
"""
import json
import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from redis import Redis
from rq import Queue, SimpleWorker
from sqlalchemy import select, update

import jobs
from app import workflow
from app.extensions import db
from app.models import Application, ApplicationStatus as S, OutboxEmail, RexTransmission
from app.models._time import utcnow
from app.models.outbox import OUTBOX_PENDING, OUTBOX_SENT
from app.workflow.instruction import assign
from jobs import scheduler
from jobs.batch import run_task
from jobs.deadlines import send_deadline_reminders
from jobs.outbox import deliver_outbox
from jobs.rex import transmit_pending
from jobs.schedule import PERIODIC
from tests.conftest import PG_SCHEMA
from tests.jobs.test_rex_transmission import standin  # noqa: F401  (the REX stand-in over real HTTP)
from tests.workflow.conftest import (  # noqa: F401  (the workflow's actors and files)
    _french, company, draft, incomplete, officer, operator, under_review,
)
from tests.workflow.helpers import aware, events, fresh

ALL_QUEUES = ("periodic", "emails", "rex", "batch", "default")


@pytest.fixture
def rq_redis(app, monkeypatch, redis_url):
    """connect() -> the test Redis, emptied, with the app's REDIS_URL pointing at it: from then on the app's
    enqueue helpers put jobs on its queues. Called in the test body, after the data is built."""
    connection = Redis.from_url(redis_url)

    def connect():
        connection.flushdb()
        monkeypatch.setitem(app.config, "REDIS_URL", redis_url)
        return connection

    yield connect
    connection.close()


def work(connection, *names) -> None:
    """One burst of a real worker over the queues `names` (all the app's queues by default)."""
    SimpleWorker([Queue(n, connection=connection) for n in names or ALL_QUEUES], connection=connection) \
        .work(burst=True)


def assert_finished(job):
    job.refresh()
    result = job.latest_result()
    assert job.is_finished, result.exc_string if result else job.get_status()


def set_deadline(application, deadline):
    db.session.execute(update(Application).where(Application.id == application.id).values(answer_deadline=deadline))
    db.session.commit()


def outbox(template=None) -> list[OutboxEmail]:
    db.session.expire_all()
    query = select(OutboxEmail).order_by(OutboxEmail.id)
    return list(db.session.scalars(query.where(OutboxEmail.template == template) if template else query))


def transmissions() -> list[RexTransmission]:
    db.session.expire_all()
    return list(db.session.scalars(select(RexTransmission).order_by(RexTransmission.id)))


# --- the worker of the Procfile ---------------------------------------------------------------------------------

def _database_url_for_another_process(app) -> str:
    """The test database, as a URL another process can open (with the test schema on PostgreSQL)."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    return f"{url}?options=-csearch_path%3D{PG_SCHEMA}" if url.startswith("postgresql") else url


def test_the_procfile_worker_runs_each_job_in_a_work_horse_forked_from_one_built_app(app, rq_redis, redis_url,
                                                                                     factory, tmp_path):
    redis = rq_redis()
    applications = [factory.submitted(factory.operator()) for _ in range(2)]  # their commits queue one delivery
    emails = Queue("emails", connection=redis)
    [first_id] = emails.job_ids
    second = jobs.enqueue(deliver_outbox, queue="emails")  # a second job: a second horse from the same parent
    env = {**os.environ, "DATABASE_URL": _database_url_for_another_process(app), "REDIS_URL": redis_url,
           "MAIL_SERVER": "", "MAIL_FILE_DIR": str(tmp_path), "LOG_FORMAT": "json"}

    worker = subprocess.run([str(Path(sys.executable).parent / "rq"), "worker", "-w", "jobs.worker.AppWorker",
                             "--burst", "--url", redis_url, "emails"],
                            env=env, capture_output=True, text=True, timeout=120)

    assert worker.returncode == 0, worker.stderr
    first = emails.fetch_job(first_id)
    assert_finished(first)
    assert_finished(second)
    assert first.return_value() >= 2 and second.return_value() == 0  # each message once
    assert all(row.status == OUTBOX_SENT for row in outbox())
    written = "".join(path.read_text() for path in tmp_path.glob("*.eml"))
    assert all(application.reference in written for application in applications)
    # rq's lines and the jobs' own, once each, through the app's logging configuration (app/logging_setup.py).
    assert worker.stdout == ""
    lines = [json.loads(line) for line in worker.stderr.splitlines()]
    assert any(line["logger"] == "rq.worker" and "Job OK" in line["message"] for line in lines)
    assert [line["message"] for line in lines if line["logger"] == "jobs.outbox"] == [
        f"outbox delivery: {first.return_value()} of {first.return_value()} due sent"]


def test_commits_waiting_for_their_emails_share_one_queued_delivery(rq_redis, factory, operator):
    redis = rq_redis()
    emails = Queue("emails", connection=redis)

    factory.submitted(operator)
    factory.submitted(factory.operator())
    assert emails.count == 1
    work(redis, "emails")

    assert emails.count == 0 and all(row.status == OUTBOX_SENT for row in outbox())
    factory.submitted(factory.operator())  # the delivery has run: a new commit needs a new one
    assert emails.count == 1
    work(redis, "emails")
    assert all(row.status == OUTBOX_SENT for row in outbox())


def test_a_commit_without_an_email_enqueues_no_delivery(rq_redis, factory, operator):
    redis = rq_redis()
    emails = Queue("emails", connection=redis)

    application = factory.draft(operator)  # saved twice, no email
    assert emails.count == 0
    workflow.submit(operator, application)  # "submitted" email
    assert emails.count == 1


def test_with_a_delivery_delay_the_commits_of_that_interval_share_one_scheduled_job(app, rq_redis, factory, operator,
                                                                                  monkeypatch):
    redis = rq_redis()
    monkeypatch.setitem(app.config, "DELIVERY_DELAY_SECONDS", 1)
    emails = Queue("emails", connection=redis)

    factory.submitted(operator)
    factory.submitted(factory.operator())
    assert emails.count == 0 and emails.scheduled_job_registry.count == 1
    assert all(row.status == OUTBOX_PENDING for row in outbox())
    time.sleep(1.2)
    SimpleWorker([emails], connection=redis).work(burst=True, with_scheduler=True)  # moves it to the queue, runs it

    assert emails.scheduled_job_registry.count == 0 and emails.count == 0
    assert outbox() and all(row.status == OUTBOX_SENT for row in outbox())


def test_grants_waiting_for_their_transmission_share_one_queued_job(rq_redis, standin, factory,  # noqa: F811
                                                                    officer):
    server = standin()
    files = [factory.submitted(factory.operator()) for _ in range(2)]
    redis = rq_redis()

    for application in files:
        workflow.grant(officer, fresh(application.id))
    assert Queue("rex", connection=redis).count == 1
    work(redis, "rex")

    assert [row.state for row in transmissions()] == ["acknowledged", "acknowledged"]
    assert len(server.received()) == 2


# --- deadline reminders -----------------------------------------------------------------------------------------

def test_the_reminders_job_runs_on_a_worker_and_its_email_is_delivered(rq_redis, incomplete):
    set_deadline(incomplete, utcnow() + timedelta(days=3))
    redis = rq_redis()

    job = jobs.enqueue(send_deadline_reminders, queue="periodic")
    assert Queue("periodic", connection=redis).count == 1 and outbox("deadline_reminder") == []
    work(redis)

    assert_finished(job)
    assert job.return_value() == {"reminder_7": 1, "reminder_1": 0}
    assert fresh(incomplete.id).reminder_7_sent_at is not None
    [reminder] = outbox("deadline_reminder")
    assert incomplete.reference in reminder.subject
    # The job enqueued the delivery on the emails queue; the same burst ran it.
    assert reminder.status == OUTBOX_SENT
    assert Queue("emails", connection=redis).count == 0


# --- transmission to the central REX ----------------------------------------------------------------------------

def test_a_grant_enqueues_its_transmission_and_a_worker_sends_it(rq_redis, standin, officer,  # noqa: F811
                                                                  under_review):
    server = standin()
    redis = rq_redis()

    registration = workflow.grant(officer, under_review)  # enqueue_rex_transmissions, after the commit

    [row] = transmissions()
    assert row.state == "to_send" and server.received() == []
    assert Queue("rex", connection=redis).count == 1
    work(redis)

    [row] = transmissions()
    assert (row.state, row.attempts, row.last_error) == ("acknowledged", 1, None)
    [body] = server.received()
    assert body["number"] == registration.number


def test_a_refused_transmission_on_a_worker_is_recorded_then_sent_on_the_next_run(rq_redis, standin,  # noqa: F811
                                                                                  officer, under_review):
    server = standin(fail_first=1)
    redis = rq_redis()
    workflow.grant(officer, under_review)
    work(redis)

    [row] = transmissions()
    assert (row.state, row.attempts) == ("error", 1) and "503" in row.last_error
    [event] = events(under_review.id)[-1:]
    assert event.kind == "rex_transmission_error" and event.actor_id is None

    later = aware(row.next_attempt_at) + timedelta(seconds=1)  # the backoff has elapsed
    job = jobs.enqueue(transmit_pending, later, queue="rex")
    work(redis)

    assert_finished(job)
    assert job.return_value() == 1
    [row] = transmissions()
    assert (row.state, row.attempts) == ("acknowledged", 2)
    assert len(server.received()) == 1


# --- batch actions ----------------------------------------------------------------------------------------------

def test_a_large_batch_from_the_back_office_runs_on_a_worker(rq_redis, factory, login, monkeypatch):
    from app.admin_views import batch

    officer_ = factory.officer()
    colleague = factory.officer()
    files = [factory.submitted(factory.operator()) for _ in range(3)]
    ids = ",".join(str(f.id) for f in files)
    redis = rq_redis()
    monkeypatch.setattr(batch, "INLINE_LIMIT", 2)  # 3 files: above the limit, so a job
    client = login(officer_)

    response = client.post("/admin/lot/?queue=tous",
                           data={"action": "assign", "officer_id": str(colleague.id), "ids": ids},
                           follow_redirects=True)

    assert "3 dossiers seront traités en arrière-plan" in response.get_data(as_text=True)
    assert all(fresh(f.id).assigned_officer_id is None for f in files)
    [job_id] = Queue("batch", connection=redis).job_ids
    work(redis)

    job = Queue("batch", connection=redis).fetch_job(job_id)
    assert_finished(job)
    assert job.func_name == "jobs.batch.run_task"
    assert job.return_value() == {"state": "done", "done": 3, "failed": 0, "total": 3}
    for application in files:
        assert fresh(application.id).assigned_officer_id == colleague.id
        [event] = events(application.id)[-1:]
        assert (event.kind, event.actor_id) == ("assigned", officer_.id)


def test_a_batch_job_reports_the_files_it_refused_and_names_none_out_of_scope(rq_redis, factory):
    from app.models import BackgroundTask, BackgroundTaskItem
    from app.models._time import utcnow as now

    officer_ = factory.officer()
    done, already = factory.submitted(factory.operator()), factory.submitted(factory.operator())
    assign(officer_, already, officer_)
    other_office = factory.submitted(factory.operator(), office_code="FR002300")
    redis = rq_redis()
    task = BackgroundTask(user_id=officer_.id, kind="batch", label="lot", total=3, expires_at=now() + timedelta(days=7),
                          params={"action": "assign", "ids": [done.id, already.id, other_office.id],
                                  "params": {"officer_id": officer_.id}})
    db.session.add(task)
    db.session.commit()

    job = jobs.enqueue(run_task, task.id, queue="batch")
    work(redis, "batch")

    assert_finished(job)
    assert job.return_value() == {"state": "done", "done": 1, "failed": 2, "total": 3}
    db.session.expire_all()
    reasons = {i.reference: i.reason for i in db.session.scalars(select(BackgroundTaskItem))}
    assert reasons[already.reference] == "Ce dossier vous est déjà affecté."
    assert other_office.reference not in reasons and reasons[None] == "Dossier hors de votre périmètre ou introuvable."
    assert fresh(done.id).assigned_officer_id == officer_.id
    assert fresh(other_office.id).assigned_officer_id is None


# --- the periodic scheduler -------------------------------------------------------------------------------------

def test_the_scheduler_enqueues_each_periodic_job_once_per_slot_and_a_worker_runs_them(
        app, rq_redis, standin, factory, officer, operator):  # noqa: F811
    expired = factory.incomplete(operator, officer)
    reminded = factory.incomplete(factory.operator(), officer)
    granted = factory.granted(factory.operator(), officer)  # its transmission waits: no REX endpoint yet
    now = utcnow()
    set_deadline(expired, now - timedelta(minutes=1))
    set_deadline(reminded, now + timedelta(days=3))
    server = standin()
    redis = rq_redis()
    queue = Queue("periodic", connection=redis)

    first = scheduler.run_due(app, {}, now=864_000.0)
    second = scheduler.run_due(app, {}, now=864_001.0)  # another scheduler process, same slots

    assert first == [name for name, _, _ in PERIODIC] and second == []
    enqueued = queue.get_jobs()
    assert sorted(j.func_name for j in enqueued) == sorted(path for _, path, _ in PERIODIC)
    work(redis)

    for job in enqueued:
        assert_finished(job)
    assert fresh(expired.id).status == S.REJECTED
    assert "rejected_automatically" in [e.kind for e in events(expired.id)]
    assert fresh(reminded.id).reminder_7_sent_at is not None
    assert [e.template for e in outbox("deadline_reminder")] == ["deadline_reminder"]
    [row] = transmissions()
    assert row.state == "acknowledged"
    [body] = server.received()
    assert body["number"] == row.payload["number"] and body["eori"] == fresh(granted.id).exporter_eori
    assert [e for e in outbox() if e.status == OUTBOX_PENDING] == []
    assert all(Queue(n, connection=redis).count == 0 for n in ALL_QUEUES)

    # The next slot of the one-minute jobs: enqueued again, the others not yet.
    again = scheduler.run_due(app, {}, now=864_061.0)
    assert again == [name for name, _, interval in PERIODIC if interval == 60]
