"""Outbox delivery through Flask-Mail to a real SMTP server (aiosmtpd): backoff while the server is down,
each message sent once (retried job, two workers at once), a connection timeout, a real RQ worker, and the
administrators' outbox view."""
import email
import email.policy
import socket
import threading
from datetime import timedelta, timezone

import pytest
from aiosmtpd.controller import Controller
from redis import Redis
from rq import Queue, SimpleWorker
from sqlalchemy import select

import jobs
from app import create_app, notifications
from app.extensions import db
from app.models import OutboxEmail, Role
from app.models._time import utcnow
from app.models.outbox import OUTBOX_FAILED, OUTBOX_PENDING, OUTBOX_SENT
from jobs import outbox
from jobs.outbox import deliver_one, deliver_outbox
from tests.servers import free_port


class Collect:
    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    def messages(self):
        return [email.message_from_bytes(e.content, policy=email.policy.default) for e in self.envelopes]


class SmtpServer:
    """A real SMTP server on a fixed free port; may start late (the server 'comes back')."""

    def __init__(self):
        self.port = free_port()
        self.handler = Collect()
        self.controller = None

    def start(self):
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp():
    server = SmtpServer()
    yield server
    server.stop()


@pytest.fixture
def mail_app(app):
    """Build an app whose Flask-Mail points at a port (read at init_app), on the session's database, and push
    its context; the test's rows and deliveries go through it."""
    made = []

    def _make(port, **config):
        mail = create_app({
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "SQLALCHEMY_ENGINE_OPTIONS": app.config["SQLALCHEMY_ENGINE_OPTIONS"],
            "TESTING": True, "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": port, "MAIL_SUPPRESS_SEND": False,
            "MAIL_FILE_DIR": app.config["MAIL_FILE_DIR"], "REDIS_URL": None, "SERVER_NAME": None, **config})
        ctx = mail.app_context()
        ctx.push()
        made.append((mail, ctx))
        return mail

    yield _make
    for mail, ctx in reversed(made):
        db.session.remove()
        db.engine.dispose()
        ctx.pop()


@pytest.fixture
def no_delivery_on_commit(monkeypatch):
    """The workflow delivers the outbox after each commit; here the test runs the delivery itself."""
    monkeypatch.setattr(jobs, "enqueue_outbox_delivery", lambda: None)


def aware(value):
    """SQLite gives back naive datetimes (UTC); PostgreSQL aware ones."""
    return value if value is None or value.tzinfo else value.replace(tzinfo=timezone.utc)


def _rows():
    db.session.expire_all()
    return db.session.scalars(select(OutboxEmail).order_by(OutboxEmail.id)).all()


def test_a_submission_email_reaches_the_smtp_server(factory, smtp, mail_app, no_delivery_on_commit):
    smtp.start()
    mail_app(smtp.port)
    application = factory.submitted(factory.operator())
    [row] = _rows()

    assert deliver_outbox() == 1

    [envelope] = smtp.handler.envelopes
    [message] = smtp.handler.messages()
    assert envelope.rcpt_tos == [application.exporter_email]
    assert message["Subject"] == f"SOPRANO-REX Demande déposée : {application.reference}"
    assert message["To"] == application.exporter_email
    assert message["Message-ID"] == row.message_id
    body = message.get_body(("plain",)).get_content()
    assert application.reference in body and "transmise à l'administration" in body
    [row] = _rows()
    assert row.status == OUTBOX_SENT and row.attempts == 1 and row.sent_at and row.last_error is None


def test_server_down_backs_off_then_each_message_arrives_once(factory, smtp, mail_app, no_delivery_on_commit):
    mail_app(smtp.port)  # nothing listens there yet
    factory.submitted(factory.operator())
    factory.submitted(factory.operator())

    before = utcnow()
    assert deliver_outbox() == 0
    rows = _rows()
    assert [r.status for r in rows] == [OUTBOX_PENDING, OUTBOX_PENDING]
    for row in rows:
        assert row.attempts == 1 and "ConnectionRefusedError" in row.last_error
        assert aware(row.next_attempt_at) > before + timedelta(seconds=20)

    smtp.start()  # the server comes back, but the rows wait for their backoff
    assert deliver_outbox() == 0 and smtp.handler.envelopes == []

    later = utcnow() + timedelta(minutes=1)
    assert deliver_outbox(now=later) == 2
    assert deliver_outbox(now=later + timedelta(hours=3)) == 0
    received = [m["Message-ID"] for m in smtp.handler.messages()]
    assert sorted(received) == sorted(r.message_id for r in rows)
    assert {r.status for r in _rows()} == {OUTBOX_SENT}


def test_the_delay_grows_and_the_message_fails_after_max_attempts(factory, smtp, mail_app, no_delivery_on_commit):
    mail_app(smtp.port)
    factory.submitted(factory.operator())
    now = utcnow()
    delays = []
    for _ in range(outbox.MAX_ATTEMPTS):
        assert deliver_outbox(now=now) == 0
        [row] = _rows()
        if row.status == OUTBOX_PENDING:
            delays.append(aware(row.next_attempt_at) - now)
            now = aware(row.next_attempt_at)
    assert delays == [outbox.backoff(n) for n in range(1, outbox.MAX_ATTEMPTS)]
    assert delays[:3] == [timedelta(seconds=30), timedelta(minutes=2), timedelta(minutes=10)]
    [row] = _rows()
    assert row.status == OUTBOX_FAILED and row.attempts == outbox.MAX_ATTEMPTS and row.last_error
    assert deliver_outbox(now=now + timedelta(days=1)) == 0  # a failed message waits for an administrator

    assert notifications.retry_failed([row.id]) == 1
    [row] = _rows()
    assert (row.status, row.attempts, row.next_attempt_at) == (OUTBOX_PENDING, 0, None)


def test_two_workers_at_once_send_each_message_once(app, factory, smtp, mail_app, no_delivery_on_commit):
    smtp.start()
    mail = mail_app(smtp.port)
    for _ in range(6):
        factory.submitted(factory.operator())
    ids = [r.message_id for r in _rows()]
    db.session.remove()

    barrier = threading.Barrier(2)
    sent, errors = [], []

    def worker():
        try:
            with mail.app_context():
                barrier.wait()
                sent.append(deliver_outbox())
                db.session.remove()
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    assert errors == []
    assert sum(sent) == 6
    received = [m["Message-ID"] for m in smtp.handler.messages()]
    assert sorted(received) == sorted(ids)
    assert {r.status for r in _rows()} == {OUTBOX_SENT}


def test_a_retried_delivery_of_a_sent_message_sends_nothing(factory, smtp, mail_app, no_delivery_on_commit):
    smtp.start()
    mail_app(smtp.port)
    factory.submitted(factory.operator())
    [row] = _rows()
    assert deliver_outbox() == 1

    assert deliver_one(row.id) is False  # the job retried, or a second worker holding the same id
    assert deliver_outbox() == 0
    assert deliver_outbox(now=utcnow() + timedelta(days=1)) == 0
    assert len(smtp.handler.envelopes) == 1
    [row] = _rows()
    assert row.status == OUTBOX_SENT and row.attempts == 1


def test_a_message_stuck_in_sending_is_claimed_again_after_the_expiry(factory, smtp, mail_app,
                                                                      no_delivery_on_commit):
    smtp.start()
    mail_app(smtp.port)
    factory.submitted(factory.operator())
    [row] = _rows()
    assert outbox._claim(row.id)  # a worker claimed it, then died before sending

    assert deliver_outbox() == 0
    assert deliver_outbox(now=utcnow() + outbox.CLAIM_EXPIRY + timedelta(seconds=1)) == 1
    [message] = smtp.handler.messages()
    assert message["Message-ID"] == row.message_id


def test_a_server_that_never_answers_ends_as_an_error_not_a_hang(factory, mail_app, no_delivery_on_commit):
    with socket.socket() as silent:  # accepts connections (backlog), never sends the SMTP greeting
        silent.bind(("127.0.0.1", 0))
        silent.listen(5)
        mail_app(silent.getsockname()[1], MAIL_TIMEOUT_SECONDS=1)
        factory.submitted(factory.operator())

        started = utcnow()
        assert deliver_outbox() == 0
        elapsed = utcnow() - started

    assert elapsed < timedelta(seconds=10)
    [row] = _rows()
    assert row.status == OUTBOX_PENDING and row.attempts == 1
    assert "timed out" in row.last_error.lower() or "Timeout" in row.last_error
    assert aware(row.next_attempt_at) > utcnow()


def test_a_real_rq_worker_runs_the_enqueued_delivery(factory, smtp, mail_app, redis_url):
    redis = Redis.from_url(redis_url)
    smtp.start()
    mail_app(smtp.port, REDIS_URL=redis_url)
    application = factory.submitted(factory.operator())  # each commit enqueues deliver_outbox
    queue = Queue("emails", connection=redis)
    assert queue.count >= 1 and smtp.handler.envelopes == []

    SimpleWorker([queue], connection=redis).work(burst=True)

    assert queue.count == 0
    [message] = smtp.handler.messages()  # several jobs ran, the message went out once
    assert application.reference in message["Subject"]
    [row] = _rows()
    assert row.status == OUTBOX_SENT and message["Message-ID"] == row.message_id


# --- administrators see the failures ---------------------------------------------------------------------------

def _outbox_row(status=OUTBOX_FAILED, **values) -> OutboxEmail:
    n = db.session.scalar(select(db.func.count(OutboxEmail.id))) + 1
    row = OutboxEmail(template="submitted", recipient=f"exportateur{n}@example.com", subject=f"Objet {n}",
                      body="Bonjour", message_id=f"<test{n}@douane.example>", status=status,
                      attempts=values.pop("attempts", outbox.MAX_ATTEMPTS),
                      last_error=values.pop("last_error", "ConnectionRefusedError: [Errno 111] Connection refused"),
                      **values)
    db.session.add(row)
    db.session.commit()
    return row


def test_admins_see_failed_messages_and_relaunch_them(factory, login, monkeypatch):
    enqueued = []
    monkeypatch.setattr(jobs, "enqueue_outbox_delivery", lambda: enqueued.append(True))
    failed = _outbox_row()
    sent = _outbox_row(OUTBOX_SENT, attempts=1, last_error=None, sent_at=utcnow())
    failed_id, sent_id = failed.id, sent.id
    client = login(factory.user(Role.ADMIN))

    html = client.get("/admin/courriels/").get_data(as_text=True)
    assert failed.recipient in html and sent.recipient in html and "Connection refused" in html
    only_failed = client.get("/admin/courriels/", query_string={"flt0_statut_equals": OUTBOX_FAILED})
    assert only_failed.status_code == 200
    html = only_failed.get_data(as_text=True)
    assert failed.recipient in html and sent.recipient not in html
    assert "Relancer" in html

    response = client.post("/admin/courriels/action/",
                           data={"action": "relancer", "rowid": [str(failed_id), str(sent_id)]})
    assert response.status_code == 302
    rows = {r.id: r for r in _rows()}
    assert (rows[failed_id].status, rows[failed_id].attempts, rows[failed_id].next_attempt_at) == (
        OUTBOX_PENDING, 0, None)
    assert rows[sent_id].status == OUTBOX_SENT  # only failed rows are relaunched
    assert enqueued == [True]

    for url in ("/admin/courriels/new/", f"/admin/courriels/edit/?id={failed_id}",
                f"/admin/courriels/details/?id={failed_id}"):
        assert client.get(url).status_code == 403, url
    assert client.post("/admin/courriels/delete/", data={"id": failed_id}).status_code == 403
    assert db.session.get(OutboxEmail, failed_id) is not None


def test_officers_get_403_on_the_outbox(factory, login):
    failed = _outbox_row()
    client = login(factory.officer())
    assert client.get("/admin/courriels/").status_code == 403
    assert client.post("/admin/courriels/action/", data={"action": "relancer", "rowid": failed.id}).status_code == 403
    db.session.expire_all()
    assert db.session.get(OutboxEmail, failed.id).status == OUTBOX_FAILED
