"""The administrators' operations page (/admin/operations): RQ queues and failed jobs with "Relancer", and the
backlogs of the email outbox and of the REX transmissions.

The RQ part runs against a real Redis (the run's own redis-server, in both passes of the suite) with a real
rq SimpleWorker in burst mode, in the test's process and app context.
"""
from datetime import timedelta

import pytest
from redis import Redis
from rq import Queue, SimpleWorker, get_current_job

from app import create_app
from app.extensions import db
from app.models import OutboxEmail, RexTransmission, Role
from app.models._time import utcnow
from app.models.outbox import OUTBOX_FAILED, OUTBOX_PENDING, OUTBOX_SENDING, OUTBOX_SENT
from tests.admin.helpers import page
from tests.operator.html import parse

FLAG = "test:operations:fail"
URL = "/admin/operations/"


def flaky_job():
    """Fails while FLAG is set in the test Redis: the job "the SMTP server is down, then back"."""
    if get_current_job().connection.get(FLAG):
        raise RuntimeError("Serveur SMTP injoignable (essai de test)")
    return "ok"


@pytest.fixture
def embedded(app, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", None)


@pytest.fixture
def redis(redis_url):
    connection = Redis.from_url(redis_url)
    yield connection
    connection.close()


def cell(doc, row_selector: dict, count: str) -> str:
    row = doc.find(**row_selector)
    assert row is not None, row_selector
    return row.find(**{"data-count": count}).text()


def outbox_row(status, **values) -> OutboxEmail:
    n = db.session.scalar(db.select(db.func.count(OutboxEmail.id))) + 1
    row = OutboxEmail(template="submitted", recipient=f"exportateur{n}@example.com", subject=f"Objet {n}",
                      body="Bonjour", message_id=f"<ops{n}@douane.example>", status=status, **values)
    db.session.add(row)
    db.session.commit()
    return row


# --- access -----------------------------------------------------------------------------------------------------

def test_officers_and_supervisors_get_403_and_anonymous_users_the_login_page(factory, login, client, embedded):
    office = factory.office()
    for user in (factory.officer(), factory.user(Role.SUPERVISOR, supervised=[office])):
        as_user = login(user)
        assert as_user.get(URL).status_code == 403
        assert as_user.post(URL + "relancer", data={"queue": "default", "job_id": "x"}).status_code == 403
        assert as_user.post(URL + "relancer-tout", data={"queue": "default"}).status_code == 403
    client.post("/deconnexion")
    response = client.get(URL)
    assert response.status_code == 302 and "/connexion" in response.headers["Location"]


def test_the_menu_shows_exploitation_to_administrators_only(factory, login, embedded):
    admin_menu = page(login(factory.user(Role.ADMIN)).get("/admin/"))
    assert "Exploitation" in admin_menu and 'href="/admin/operations/"' in admin_menu
    office = factory.office()
    supervisor_menu = page(login(factory.user(Role.SUPERVISOR, supervised=[office])).get("/admin/supervision/"))
    assert "Exploitation" not in supervisor_menu and "/admin/operations/" not in supervisor_menu


# --- backlogs (no Redis needed) -----------------------------------------------------------------------------------

def test_outbox_counts_by_status_and_link_to_the_failed_messages(factory, login, embedded):
    now = utcnow()
    outbox_row(OUTBOX_PENDING)
    outbox_row(OUTBOX_PENDING, attempts=1, next_attempt_at=now - timedelta(minutes=1))
    soon, later = now + timedelta(minutes=2), now + timedelta(hours=2)
    outbox_row(OUTBOX_PENDING, attempts=2, next_attempt_at=later)
    outbox_row(OUTBOX_PENDING, attempts=1, next_attempt_at=soon)
    outbox_row(OUTBOX_SENDING, attempts=1, claimed_at=now)
    for hours in (1, 23, 30):
        outbox_row(OUTBOX_SENT, attempts=1, sent_at=now - timedelta(hours=hours))
    failed = [outbox_row(OUTBOX_FAILED, attempts=8, last_error="SMTPServerDisconnected") for _ in range(3)]
    client = login(factory.user(Role.ADMIN))

    doc = parse(page(client.get(URL)))

    assert "Tâches exécutées dans le processus web (mode intégré, sans Redis)" in doc.text()
    backlog = doc.find("table", class_="outbox-backlog")
    counts = {row.attrs["data-count"]: row.find("td").text() for row in backlog.find_all("tr")}
    assert counts == {"pending_due": "2", "pending_waiting": "2", "sending": "1", "sent_last_day": "2",
                      "failed": "3"}
    # The earliest next attempt, in Paris time (UTC+1 or +2): its minutes are those of UTC.
    assert f"prochain essai le {soon:%d/%m/%Y}" in backlog.text() and f":{soon:%M}" in backlog.text()

    link = next(a.attrs["href"] for a in backlog.find_all("a") if a.text() == "Voir les courriels en échec")
    assert link.startswith("/admin/courriels/") and "=failed" in link
    listed = page(client.get(link))
    assert all(row.recipient in listed for row in failed)
    assert "exportateur1@example.com" not in listed  # a pending message is filtered out


def test_rex_counts_by_state_and_the_oldest_not_acknowledged(factory, login, embedded):
    # A grant writes a to_send row (no REX_CENTRAL_URL in tests: nothing is sent).
    application = factory.granted(factory.operator(), factory.officer())
    [granted] = db.session.scalars(db.select(RexTransmission)).all()
    now = utcnow()

    def transmission(state, **values):
        db.session.add(RexTransmission(registration_id=granted.registration_id, operation="modify", payload={},
                                       state=state, **values))

    transmission("sent", attempts=1, sent_at=now)
    transmission("acknowledged", attempts=1, sent_at=now, acknowledged_at=now)
    transmission("acknowledged", attempts=2, sent_at=now, acknowledged_at=now)
    transmission("error", attempts=2, next_attempt_at=now + timedelta(minutes=10), last_error="HTTP 503 : plus tard")
    transmission("error", attempts=6, created_at=now - timedelta(days=3),
                 last_error="Application REX injoignable : connexion refusée")
    db.session.commit()
    number = granted.registration.number

    doc = parse(page(login(factory.user(Role.ADMIN)).get(URL)))

    table = doc.find("table", class_="rex-backlog")
    counts = {row.attrs["data-count"]: row.find("td").text() for row in table.find_all("tr")}
    assert counts == {"to_send": "1", "sent": "1", "acknowledged": "2", "error": "2"}
    assert "dont 1 sans nouvel essai automatique" in table.text()
    oldest = doc.find("dl", class_="rex-oldest").text()
    assert number in oldest and application.reference in oldest
    assert "En erreur" in oldest and "6 tentatives" in oldest
    assert "Application REX injoignable : connexion refusée" in oldest


def test_an_empty_backlog_reads_as_zeros(factory, login, embedded):
    doc = parse(page(login(factory.user(Role.ADMIN)).get(URL)))
    assert doc.find("p", class_="rex-oldest").text() == "Toutes les transmissions sont acquittées."
    assert doc.find("table", class_="rq-queues") is None  # embedded mode: no queue table


def test_requeueing_without_redis_says_why_and_does_not_fail(factory, login, embedded):
    client = login(factory.user(Role.ADMIN))
    response = client.post(URL + "relancer", data={"queue": "default", "job_id": "abc"}, follow_redirects=True)
    assert "les tâches sont exécutées dans le processus web" in page(response)


def test_a_redis_outage_is_shown_and_the_backlogs_still_are(app, factory, login, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:1/0")  # nothing listens there
    outbox_row(OUTBOX_FAILED, attempts=8)

    doc = parse(page(login(factory.user(Role.ADMIN)).get(URL)))

    assert "Redis injoignable : ConnectionError" in doc.text()
    assert doc.find("tr", **{"data-count": "failed"}).find("td").text() == "1"


# --- RQ with a real Redis and a real worker ---------------------------------------------------------------------

@pytest.fixture
def csrf_admin(app, factory, redis, redis_url, tmp_path):
    """A client of an app with CSRF protection on (as in production) and the test Redis, logged in as an
    administrator with the login page's token."""
    protected = create_app({"TESTING": True, "WTF_CSRF_ENABLED": True,
                            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                            "SQLALCHEMY_ENGINE_OPTIONS": app.config["SQLALCHEMY_ENGINE_OPTIONS"],
                            "MAIL_FILE_DIR": str(tmp_path / "mail"), "REDIS_URL": redis_url})
    admin = factory.user(Role.ADMIN)
    client = protected.test_client()
    token = parse(client.get("/connexion").data).find("input", name="csrf_token").attrs["value"]
    assert client.post("/connexion", data={"username": admin.username, "password": "Secret-2026!",
                                           "csrf_token": token}).status_code == 302
    yield client
    with protected.app_context():
        db.session.remove()
        db.engine.dispose()


def form_data(doc, action: str, **match) -> dict:
    """The hidden inputs of the first form posting to `action` whose inputs include `match`."""
    for form in doc.find_all("form", action=action):
        data = {i.attrs["name"]: i.attrs.get("value", "") for i in form.find_all("input")}
        if all(data.get(k) == v for k, v in match.items()):
            return data
    raise AssertionError(f"no form to {action} with {match}")


def test_a_failed_job_is_listed_then_relaunched_and_succeeds(csrf_admin, redis):
    queue = Queue("default", connection=redis)
    redis.set(FLAG, "1")
    # Straight on the queue, without the retries jobs.enqueue adds: the job lands in the failed registry at
    # once, as a job that has used up its retries does.
    job = queue.enqueue(flaky_job)
    SimpleWorker([queue], connection=redis).work(burst=True)
    assert queue.failed_job_registry.count == 1

    idle = SimpleWorker([queue], connection=redis)
    idle.register_birth()  # a worker listening on the queue, as `rq worker` would be
    try:
        doc = parse(page(csrf_admin.get(URL)))
    finally:
        idle.register_death()

    assert cell(doc, {"tag": "tr", "data-queue": "default"}, "failed") == "1"
    assert cell(doc, {"tag": "tr", "data-queue": "default"}, "queued") == "0"
    assert cell(doc, {"tag": "tr", "data-queue": "default"}, "workers").startswith("1 (1 ")
    assert cell(doc, {"tag": "tr", "data-queue": "emails"}, "workers") == "aucun worker"
    row = doc.find("tr", **{"data-job": job.id})
    assert "tests.admin.test_operations.flaky_job" in row.text()
    error = row.find("td", class_="job-error")
    assert error.text().startswith("RuntimeError: Serveur SMTP injoignable (essai de test)")
    assert "Traceback" in error.find("details").find("pre").text()

    data = form_data(doc, URL + "relancer", job_id=job.id)
    assert data["csrf_token"] and data["queue"] == "default"
    without_token = {k: v for k, v in data.items() if k != "csrf_token"}
    assert csrf_admin.post(URL + "relancer", data=without_token).status_code == 400
    assert queue.failed_job_registry.count == 1

    redis.delete(FLAG)  # the server is back
    response = csrf_admin.post(URL + "relancer", data=data)
    assert response.status_code == 302 and response.headers["Location"].endswith(URL)
    assert f"Tâche {job.id} remise dans la file default." in page(csrf_admin.get(URL))
    assert (queue.count, queue.failed_job_registry.count) == (1, 0)

    SimpleWorker([queue], connection=redis).work(burst=True)

    job.refresh()
    assert job.is_finished and job.return_value() == "ok"
    assert queue.failed_job_registry.count == 0
    doc = parse(page(csrf_admin.get(URL)))
    assert cell(doc, {"tag": "tr", "data-queue": "default"}, "failed") == "0"
    assert doc.find("tr", **{"data-job": job.id}) is None


def test_relaunch_all_and_an_unknown_job(csrf_admin, redis):
    queue = Queue("emails", connection=redis)
    redis.set(FLAG, "1")
    jobs = [queue.enqueue(flaky_job) for _ in range(2)]
    SimpleWorker([queue], connection=redis).work(burst=True)
    doc = parse(page(csrf_admin.get(URL)))
    assert {j.id for j in jobs} <= {r.attrs["data-job"] for r in doc.find_all("tr") if "data-job" in r.attrs}
    token = form_data(doc, URL + "relancer-tout", queue="emails")["csrf_token"]

    response = csrf_admin.post(URL + "relancer", data={"csrf_token": token, "queue": "emails",
                                                       "job_id": "no-such-job"}, follow_redirects=True)
    assert response.status_code == 200
    assert "Tâche no-such-job introuvable parmi les échecs de la file emails" in page(response)

    response = csrf_admin.post(URL + "relancer-tout", data={"csrf_token": token, "queue": "emails"},
                               follow_redirects=True)
    assert "2 tâches remises dans la file emails." in page(response)
    assert (queue.count, queue.failed_job_registry.count) == (2, 0)
    # Requeued twice (the second time it is no longer among the failures): an error, not a 500.
    response = csrf_admin.post(URL + "relancer", data={"csrf_token": token, "queue": "emails",
                                                       "job_id": jobs[0].id}, follow_redirects=True)
    assert "introuvable parmi les échecs" in page(response)
