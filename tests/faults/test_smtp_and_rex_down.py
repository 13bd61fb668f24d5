"""SMTP server and the Commission's REX endpoint down, then back, seen from the person who acts.

tests/jobs covers the delivery functions themselves (backoff, single delivery, timeouts, refusals); here the
transition made through the web while the server is down succeeds and says what happens next, and the
waiting work resumes through the scheduler and, with Redis, a real RQ worker."""
import json
import threading
from datetime import timedelta

import pytest
from rq import Queue, SimpleWorker
from sqlalchemy import select, update
from werkzeug.serving import make_server

from app.extensions import db
from app.models import ApplicationStatus as S, OutboxEmail, Registration, RexTransmission
from app.models._time import utcnow
from app.models.outbox import OUTBOX_PENDING, OUTBOX_SENT
from app.rex_standin import create_standin_app
from jobs import scheduler
from tests.faults.conftest import log_in
from tests.jobs.test_outbox import free_port
from tests.jobs.test_rq_workers import ALL_QUEUES
from tests.operator.html import page_text
from tests.workflow.helpers import fresh, outbox


def work(redis_server) -> None:
    """A real RQ worker's burst over every queue; without Redis the jobs have already run in-process."""
    if redis_server is not None:
        connection = redis_server.connection()
        SimpleWorker([Queue(n, connection=connection) for n in ALL_QUEUES], connection=connection).work(burst=True)


def backoff_elapsed(model, row_id: int) -> None:
    """Move a failed row's next attempt to the past, as if its backoff had run out."""
    db.session.execute(update(model).where(model.id == row_id).values(next_attempt_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()


# --- SMTP -------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("with_redis", [False, True], ids=["in-process", "rq-worker"])
def test_a_submission_while_smtp_is_down_succeeds_announces_the_email_and_the_email_follows(
        request, with_redis, factory, fault_app, smtp):
    redis_server = request.getfixturevalue("redis_server") if with_redis else None
    mail_app = fault_app(REDIS_URL=redis_server.url if redis_server else None, MAIL_SERVER="127.0.0.1",
                         MAIL_PORT=smtp.port, MAIL_SUPPRESS_SEND=False)
    operator = factory.operator()
    draft = factory.draft(operator)
    client = log_in(mail_app.test_client(), operator)

    # Nothing listens on the SMTP port yet.
    response = client.post(f"/rex/demandes/{draft.id}/recapitulatif", data={"version": str(draft.version)},
                           follow_redirects=True)

    page = page_text(response)
    assert response.status_code == 200 and "Votre demande a été transmise" in page
    assert f"Un courriel de confirmation vous sera envoyé à l'adresse {draft.exporter_email}." in page
    assert fresh(draft.id).status == S.UNDER_REVIEW
    work(redis_server)  # the delivery job the submission queued
    [email] = outbox()
    assert (email.status, email.attempts) == (OUTBOX_PENDING, 1) and "ConnectionRefusedError" in email.last_error

    smtp.start()
    backoff_elapsed(OutboxEmail, email.id)
    scheduler.run_due(mail_app, {})
    work(redis_server)

    [message] = smtp.handler.messages()
    assert draft.reference in message["Subject"] and message["Message-ID"] == email.message_id
    assert [e.status for e in outbox()] == [OUTBOX_SENT]


# --- the Commission's REX ---------------------------------------------------------------------------------------

class Standin:
    """The REX stand-in (app/rex_standin.py) on a port chosen in advance: down first, then up at that URL."""

    def __init__(self, record):
        self.record = record
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/rex/registrations"
        self.httpd = None

    def start(self):
        self.httpd = make_server("127.0.0.1", self.port, create_standin_app(self.record), threaded=True)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def stop(self):
        if self.httpd is not None:
            self.httpd.shutdown()
            self.httpd.server_close()

    def received(self) -> list[dict]:
        if not self.record.exists():
            return []
        return [json.loads(line)["body"] for line in self.record.read_text().splitlines()]


@pytest.fixture
def standin(tmp_path):
    server = Standin(tmp_path / "rex.jsonl")
    yield server
    server.stop()


def test_a_grant_while_the_rex_endpoint_is_down_succeeds_and_its_transmission_resumes_on_a_worker(
        factory, fault_app, redis_server, standin):
    rex_app = fault_app(REDIS_URL=redis_server.url, REX_CENTRAL_URL=standin.url)
    officer = factory.officer()
    application = factory.submitted(factory.operator())
    client = log_in(rex_app.test_client(), officer)

    response = client.post(f"/admin/dossier/{application.id}/octroyer", data={"version": str(application.version)},
                           follow_redirects=True)

    page = page_text(response)
    assert response.status_code == 200 and "Autorisation octroyée." in page
    assert fresh(application.id).status == S.GRANTED
    number = db.session.scalar(select(Registration.number).where(Registration.application_id == application.id))
    assert f"Numéro REX : {number}" in page
    work(redis_server)  # the transmission job the grant queued: nothing listens at REX_CENTRAL_URL
    [row] = db.session.scalars(select(RexTransmission)).all()
    assert row.state == "error" and "injoignable" in row.last_error
    page = client.get(f"/admin/dossier/{application.id}")
    assert "Erreur de communication avec l'application REX" in page_text(page)
    assert b"/renvoyer" in page.data  # the officer sees it, and may resend  # the officer sees it, may resend

    standin.start()
    backoff_elapsed(RexTransmission, row.id)
    scheduler.run_due(rex_app, {})
    work(redis_server)

    db.session.expire_all()
    row = db.session.get(RexTransmission, row.id)
    assert (row.state, row.attempts, row.last_error) == ("acknowledged", 2, None)
    assert [body["number"] for body in standin.received()] == [number]
    assert b"/renvoyer" not in client.get(f"/admin/dossier/{application.id}").data
