"""Redis stopped, then started again (empty, as without persistence): an app whose REDIS_URL points at a
redis-server of the test's own. A committed transition stays a success for the person, its email waits in
the outbox; the public register answers; /healthz says the queue is down; once Redis is back, the scheduler
and a real RQ worker deliver what waited."""
import pytest
from rq import Queue, SimpleWorker

from app.models import ApplicationStatus as S
from app.models.outbox import OUTBOX_PENDING, OUTBOX_SENT
from jobs import scheduler
from jobs.schedule import PERIODIC
from tests.faults.conftest import assert_unavailable_page, log_in
from tests.jobs.test_rq_workers import ALL_QUEUES
from tests.workflow.helpers import fresh, outbox

SUBJECT = "SOPRANO-REX Demande déposée : {}"


@pytest.fixture
def redis_app(fault_app, redis_server, smtp):
    smtp.start()
    return fault_app(REDIS_URL=redis_server.url, MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.port,
                     MAIL_SUPPRESS_SEND=False)


def work(connection) -> None:
    SimpleWorker([Queue(n, connection=connection) for n in ALL_QUEUES], connection=connection).work(burst=True)


def test_a_submission_with_redis_down_succeeds_and_its_email_goes_out_once_redis_is_back(
        factory, redis_app, redis_server, smtp):
    operator = factory.operator()
    draft = factory.draft(operator)
    client = log_in(redis_app.test_client(), operator)

    redis_server.stop()
    response = client.post(f"/rex/demandes/{draft.id}/recapitulatif", data={"version": str(draft.version)},
                           follow_redirects=True)

    assert response.status_code == 200
    assert "Votre demande a été transmise" in response.get_data(as_text=True)
    assert fresh(draft.id).status == S.UNDER_REVIEW
    [email] = outbox()
    assert (email.status, email.attempts) == (OUTBOX_PENDING, 0)  # its delivery job could not be queued

    redis_server.start()  # empty: the delivery job enqueued before the stop is gone, the outbox row is not
    assert scheduler.run_due(redis_app, {}) == [name for name, _, _ in PERIODIC]
    work(redis_server.connection())

    [message] = smtp.handler.messages()
    assert message["Subject"] == SUBJECT.format(draft.reference)
    [email] = outbox()
    assert email.status == OUTBOX_SENT and message["Message-ID"] == email.message_id


def test_with_redis_down_the_public_register_answers_and_healthz_reports_the_queue(redis_app, redis_server):
    """Flask-Limiter counts in memory meanwhile (RATELIMIT_IN_MEMORY_FALLBACK_ENABLED)."""
    client = redis_app.test_client()
    redis_server.stop()

    page = client.get("/registre", query_string={"number": "FRREXFR732829320"})
    assert page.status_code == 200 and "FRREXFR732829320" in page.get_data(as_text=True)
    answer = client.get("/api/public/rex/FRREXFR732829320")
    assert answer.status_code == 404 and answer.get_json()["status"] == "unknown"

    health = client.get("/healthz")
    assert health.status_code == 503
    assert health.get_json()["queue"].startswith("error: ") and health.get_json()["database"] == "ok"

    redis_server.start()
    health = client.get("/healthz")
    assert health.status_code == 200 and health.get_json()["queue"] == "ok"


def test_a_background_batch_with_redis_down_is_a_503_then_runs_once_redis_is_back(
        factory, redis_app, redis_server, monkeypatch):
    """A batch that cannot be queued leaves no task behind: nothing is done and the officer is told to retry."""
    from app.admin_views import batch

    monkeypatch.setattr(batch, "INLINE_LIMIT", 1)  # two files: a background job
    officer = factory.officer()
    files = [factory.submitted(factory.operator()) for _ in range(2)]
    client = log_in(redis_app.test_client(), officer)
    form = {"action": "assign", "officer_id": str(officer.id), "ids": ",".join(str(f.id) for f in files)}

    redis_server.stop()
    assert_unavailable_page(client.post("/admin/lot/?queue=tous", data=form))
    assert [fresh(f.id).assigned_officer_id for f in files] == [None, None]

    redis_server.start()
    response = client.post("/admin/lot/?queue=tous", data=form, follow_redirects=True)
    assert "2 dossiers seront traités en arrière-plan" in response.get_data(as_text=True)
    work(redis_server.connection())
    assert [fresh(f.id).assigned_officer_id for f in files] == [officer.id, officer.id]
