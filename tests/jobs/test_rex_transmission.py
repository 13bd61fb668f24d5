"""Transmission of registrations to the Commission's central REX (jobs/rex.py), over real HTTP to the
stand-in server (app/rex_standin.py) running in a thread on a free port."""
import json
import threading
import time
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import select
from werkzeug.serving import make_server

from app import workflow
from app.extensions import db
from app.models import Registration, RexTransmission
from app.models._time import utcnow
from app.rex_standin import create_standin_app
from app.workflow import instruction
from jobs.rex import BACKOFF, MAX_ATTEMPTS, transmit_pending
from tests.workflow.conftest import (  # noqa: F401  (the workflow's actors and files)
    _french, company, draft, officer, operator, other_officer, under_review,
)
from tests.backoffice.helpers import events, fresh
from tests.operator.html import parse

PATH = "/rex/registrations"
GUIDE_COMMENT = "L'application REX de la Commission européenne n'a pas accepté l'enregistrement REX"


class Server:
    """A WSGI app served in a daemon thread on a free port of 127.0.0.1."""

    def __init__(self, wsgi_app):
        self.httpd = make_server("127.0.0.1", 0, wsgi_app, threaded=True)
        self.url = f"http://127.0.0.1:{self.httpd.server_port}{PATH}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(autouse=True)
def _jobs_in_process(app, monkeypatch):
    """The transmission right after a grant runs in-process here, whatever REDIS_URL the run has
    (the RQ path of jobs is proven with a real worker in test_outbox.py and test_deadlines.py)."""
    monkeypatch.setitem(app.config, "REDIS_URL", None)


@pytest.fixture
def standin(app, tmp_path, monkeypatch):
    """start(fail_first=0) -> the stand-in, with REX_CENTRAL_URL pointing at it; .received() reads its file."""
    servers = []

    def start(fail_first=0):
        record = tmp_path / f"rex-{len(servers)}.jsonl"
        server = Server(create_standin_app(record, fail_first))
        server.received = lambda: [json.loads(line)["body"] for line in record.read_text().splitlines()] \
            if record.exists() else []
        servers.append(server)
        monkeypatch.setitem(app.config, "REX_CENTRAL_URL", server.url)
        return server

    yield start
    for server in servers:
        server.stop()


def transmissions() -> list[RexTransmission]:
    db.session.expire_all()
    return list(db.session.scalars(select(RexTransmission).order_by(RexTransmission.id)))


def error_events(application_id):
    return events(application_id, "rex_transmission_error")


def test_granting_a_file_sends_it_once_and_it_is_acknowledged(standin, officer, under_review):
    server = standin()
    registration = workflow.grant(officer, under_review)
    number = registration.number

    [row] = transmissions()
    assert (row.operation, row.state, row.attempts) == ("register", "acknowledged", 1)
    assert row.sent_at is not None and row.acknowledged_at is not None and row.last_error is None
    [body] = server.received()
    assert body["number"] == number and body["operation"] == "register"
    application = fresh(under_review.id)
    assert body["eori"] == application.exporter_eori and body["name"] == application.exporter_name
    assert body["valid_from"] and body["registered_on"] and body["goods"][0]["heading"]
    assert body["relations"] and body["publication_consent"] is True
    assert body["contacts"][0]["email"]  # consent given: contact details are sent
    # Nothing more is due: another run posts nothing again.
    assert transmit_pending(now=utcnow() + timedelta(days=1)) == 0
    assert len(server.received()) == 1
    assert error_events(under_review.id) == []


def test_refusals_are_retried_with_backoff_and_recorded_in_the_history(standin, officer, under_review):
    server = standin(fail_first=2)
    workflow.grant(officer, under_review)  # run 1 (in-process, right after the commit): 503
    [row] = transmissions()
    assert (row.state, row.attempts) == ("error", 1)
    assert "503" in row.last_error
    t1 = row.next_attempt_at

    assert transmit_pending() == 0  # the backoff has not elapsed: nothing is posted
    assert transmissions()[0].attempts == 1

    later = utcnow() + BACKOFF[0] + timedelta(seconds=1)
    assert transmit_pending(now=later) == 0  # run 2: 503 again
    [row] = transmissions()
    assert (row.state, row.attempts) == ("error", 2)
    assert row.next_attempt_at != t1

    assert transmit_pending(now=later + BACKOFF[1] + timedelta(seconds=1)) == 1  # run 3: accepted
    [row] = transmissions()
    assert (row.state, row.attempts, row.last_error) == ("acknowledged", 3, None)
    assert len(server.received()) == 1

    errors = error_events(under_review.id)
    assert len(errors) == 2
    assert all(e.actor_id is None and e.registration_id == row.registration_id for e in errors)
    assert all(e.comment.startswith(GUIDE_COMMENT) and row.payload["number"] in e.comment for e in errors)


def test_operators_read_a_french_sentence_where_officers_read_the_transmission_error(
        standin, login, operator, officer, under_review):
    standin(fail_first=100)
    registration = workflow.grant(officer, under_review)
    now = utcnow()
    for step in BACKOFF:  # retries until none is left: the last event says « Renvoyer »
        now += step + timedelta(seconds=1)
        transmit_pending(now=now)
    sentence = ("La transmission de votre enregistrement au système REX de la Commission européenne n'a pas "
                "encore abouti. Le service des douanes s'en charge : vous n'avez rien à faire et votre "
                "enregistrement n'est pas remis en cause.")

    for path in (f"/rex/demandes/{under_review.id}", f"/rex/autorisations/{registration.id}"):
        history = parse(login(operator).get(path).data).find("section", id="historique").text()
        assert history.count(sentence) == MAX_ATTEMPTS, path
        for technical in ("HTTP", "503", "UTC", "Renvoyer", "tentative", "Commission européenne n'a pas accepté"):
            assert technical not in history, (path, technical)

    history = parse(login(officer).get(f"/admin/dossier/{under_review.id}").data).find(
        "section", id="historique").text()
    assert sentence not in history
    assert GUIDE_COMMENT in history and "HTTP 503" in history and "UTC" in history
    assert "utilisez « Renvoyer »" in history


def test_retries_stop_after_the_last_backoff_step(standin, officer, under_review):
    standin(fail_first=100)
    workflow.grant(officer, under_review)
    now = utcnow()
    for step in BACKOFF:
        now += step + timedelta(seconds=1)
        transmit_pending(now=now)
    [row] = transmissions()
    assert (row.state, row.attempts, row.next_attempt_at) == ("error", MAX_ATTEMPTS, None)
    assert transmit_pending(now=now + timedelta(days=7)) == 0
    assert transmissions()[0].attempts == MAX_ATTEMPTS
    assert len(error_events(under_review.id)) == MAX_ATTEMPTS


def test_a_timeout_is_an_error_with_a_message_not_a_hang(app, monkeypatch, officer, under_review):
    slow = Flask("slow")

    @slow.post(PATH)
    def sleep():
        time.sleep(3)
        return {"status": "acknowledged"}

    server = Server(slow)
    try:
        monkeypatch.setitem(app.config, "REX_CENTRAL_URL", server.url)
        monkeypatch.setitem(app.config, "REX_TIMEOUT_SECONDS", 0.5)
        started = time.monotonic()
        workflow.grant(officer, under_review)
        assert time.monotonic() - started < 2.5
    finally:
        server.stop()
    [row] = transmissions()
    assert (row.state, row.attempts) == ("error", 1)
    assert "Délai de réponse dépassé" in row.last_error
    [event] = error_events(under_review.id)
    assert "Délai de réponse dépassé" in event.comment


def test_an_unreachable_endpoint_is_an_error(app, monkeypatch, officer, under_review):
    probe = make_server("127.0.0.1", 0, Flask("closed"))
    port = probe.server_port
    probe.server_close()  # nothing listens there any more
    monkeypatch.setitem(app.config, "REX_CENTRAL_URL", f"http://127.0.0.1:{port}{PATH}")
    workflow.grant(officer, under_review)
    [row] = transmissions()
    assert row.state == "error" and "injoignable" in row.last_error


def test_without_an_endpoint_the_rows_wait(officer, under_review):
    workflow.grant(officer, under_review)  # the test configuration has no REX_CENTRAL_URL
    [row] = transmissions()
    assert (row.state, row.attempts) == ("to_send", 0)


def test_officer_resends_an_errored_transmission_and_the_next_run_sends_it(
        standin, monkeypatch, login, officer, under_review):
    server = standin(fail_first=1)
    workflow.grant(officer, under_review)
    [row] = transmissions()
    assert row.state == "error"

    client = login(officer)
    page = client.get(f"/admin/dossier/{under_review.id}").get_data(as_text=True)
    assert "Transmission à l&#39;application REX" in page or "Transmission à l'application REX" in page
    assert "Renvoyer" in page and "data-confirm" in page
    assert "Erreur de communication avec l" in page and "Action automatique" in page

    import jobs
    monkeypatch.setattr(jobs, "enqueue_rex_transmissions", lambda: None)  # "the next run" is run below
    response = client.post(f"/admin/dossier/{under_review.id}/transmissions/{row.id}/renvoyer")
    assert response.status_code == 302
    [row] = transmissions()
    assert row.state == "to_send"
    assert [e.actor_id for e in events(under_review.id, "rex_transmission_resent")] == [officer.id]

    assert transmit_pending() == 1
    assert transmissions()[0].state == "acknowledged"
    assert len(server.received()) == 1
    page = client.get(f"/admin/dossier/{under_review.id}").get_data(as_text=True)
    assert "/renvoyer" not in page


def test_officer_of_another_office_gets_404_on_resend(standin, login, officer, other_officer, under_review):
    standin(fail_first=1)
    workflow.grant(officer, under_review)
    [row] = transmissions()
    client = login(other_officer)
    response = client.post(f"/admin/dossier/{under_review.id}/transmissions/{row.id}/renvoyer")
    assert response.status_code == 404
    assert transmissions()[0].state == "error"
    with pytest.raises(workflow.NotAllowed):
        instruction.resend_transmission(other_officer, transmissions()[0])


def test_only_an_errored_transmission_can_be_resent(standin, officer, under_review):
    standin()
    workflow.grant(officer, under_review)
    with pytest.raises(workflow.WorkflowError):
        instruction.resend_transmission(officer, transmissions()[0])
    assert transmissions()[0].state == "acknowledged"


def test_no_contact_details_are_sent_without_consent(standin, factory, officer, operator):
    server = standin()
    consent = {"consent": False, "signatory_name": "Éloïse Darrigrand", "signatory_function": "Gérante",
               "place": "Bénéjacq"}
    application = factory.submitted(operator, consent=consent)
    workflow.grant(officer, application)
    [row] = transmissions()
    [body] = server.received()
    for sent in (row.payload, body):
        assert sent["publication_consent"] is False
        assert "contact" not in sent and "contacts" not in sent
        text = json.dumps(sent, ensure_ascii=False)
        assert "eloise@example.com" not in text and "05 59 12 34 56" not in text
        assert "Darrigrand" not in text
    registration = db.session.scalar(select(Registration).where(Registration.application_id == application.id))
    assert body["number"] == registration.number


def test_the_standin_lists_what_it_received_and_fails_on_demand(tmp_path):
    client = create_standin_app(tmp_path / "r.jsonl", fail_first=1).test_client()
    assert client.post(PATH, json={"number": "FRREX1"}).status_code == 503
    answer = client.post(PATH, json={"number": "FRREX1"})
    assert answer.status_code == 200 and answer.get_json()["status"] == "acknowledged"
    assert answer.get_json()["received_at"]
    assert [r["body"]["number"] for r in client.get(PATH).get_json()] == ["FRREX1"]
