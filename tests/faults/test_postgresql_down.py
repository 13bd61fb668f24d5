"""PostgreSQL refusing connections for a moment, through a proxy (tests/faults/proxy.py) between a second app
and the shared server: a 503 page in French for operators and officers, /healthz says the database is down,
nothing half-written, and the same request succeeds once connections go through again.

The rows are built and read back through the session's app, straight to PostgreSQL; only the requests under
test go through the proxy."""
import pytest
from sqlalchemy import event
from sqlalchemy.engine import make_url

from app.extensions import db
from app.models import ApplicationStatus as S
from config import Config
from tests.faults.conftest import assert_unavailable_page, log_in
from tests.faults.proxy import TcpProxy
from tests.operator.helpers import form_data, reload, snapshot

pytestmark = pytest.mark.postgresql_only


@pytest.fixture
def pg_proxy(app):
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    proxy = TcpProxy(url.host or "127.0.0.1", url.port or 5432)
    yield proxy
    proxy.down()


@pytest.fixture
def proxied(app, fault_app, pg_proxy, monkeypatch):
    """The app through the proxy: the product's engine options (config.Config: pool_pre_ping), the session's
    schema (search_path, as tests/conftest.py sets it)."""
    monkeypatch.setitem(app.config, "REDIS_URL", None)  # the factory's emails: in-process, not on the shared Redis
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"]).set(host="127.0.0.1", port=pg_proxy.port)
    options = {**Config.SQLALCHEMY_ENGINE_OPTIONS,
               "connect_args": app.config["SQLALCHEMY_ENGINE_OPTIONS"]["connect_args"]}
    return fault_app(push=False, SQLALCHEMY_DATABASE_URI=url.render_as_string(hide_password=False),
                     SQLALCHEMY_ENGINE_OPTIONS=options)


@pytest.fixture
def operator_draft(factory):
    company = factory.company()
    operator = factory.operator(company)
    return operator, company, factory.draft(operator, company)


def test_saving_the_rex_form_while_postgresql_refuses_is_a_503_then_the_same_save_succeeds(
        factory, proxied, pg_proxy, operator_draft):
    operator, company, draft = operator_draft
    client = log_in(proxied.test_client(), operator)
    form = form_data(company, factory.office(), action="save", version=str(draft.version),
                     exporter_phone="05 59 25 00 00")
    before = snapshot(draft.id)

    pg_proxy.down()
    assert_unavailable_page(client.post(f"/rex/demandes/{draft.id}/formulaire", data=form))
    assert snapshot(draft.id) == before

    pg_proxy.up()
    response = client.post(f"/rex/demandes/{draft.id}/formulaire", data=form)
    assert response.status_code == 302 and response.location.endswith("/rex/demandes/brouillons")
    saved = reload(draft.id)
    assert saved.version > before[draft.id]["version"] and saved.exporter_phone == "05 59 25 00 00"


def test_submitting_while_postgresql_refuses_is_a_503_then_the_same_submission_succeeds(
        proxied, pg_proxy, operator_draft):
    operator, _, draft = operator_draft
    client = log_in(proxied.test_client(), operator)
    submission = {"version": str(draft.version)}
    before = snapshot(draft.id)

    pg_proxy.down()
    assert_unavailable_page(client.post(f"/rex/demandes/{draft.id}/recapitulatif", data=submission))
    assert snapshot(draft.id) == before  # still a draft, same version, no history, no email queued

    pg_proxy.up()
    response = client.post(f"/rex/demandes/{draft.id}/recapitulatif", data=submission)
    assert response.status_code == 302 and response.location.endswith(f"/rex/demandes/{draft.id}/confirmation")
    assert reload(draft.id).status == S.UNDER_REVIEW
    after = snapshot(draft.id)
    assert after[draft.id]["history"] == before[draft.id]["history"] + 1
    assert after["outbox"] == before["outbox"] + 1


def test_a_connection_cut_in_the_middle_of_a_submission_leaves_nothing_half_written(
        proxied, pg_proxy, operator_draft):
    """The status UPDATE is sent, then the connection drops before the history INSERT: PostgreSQL rolls the
    transaction back, the operator gets the 503 page, and the retry goes through."""
    operator, _, draft = operator_draft
    client = log_in(proxied.test_client(), operator)
    before = snapshot(draft.id)
    sent = []

    def drop_before_history(conn, cursor, statement, parameters, context, executemany):
        sent.append(statement)
        if statement.startswith("INSERT INTO history_event"):
            pg_proxy.cut()

    with proxied.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", drop_before_history)
    try:
        assert_unavailable_page(client.post(f"/rex/demandes/{draft.id}/recapitulatif",
                                            data={"version": str(draft.version)}))
    finally:
        event.remove(engine, "before_cursor_execute", drop_before_history)

    assert any(s.startswith("UPDATE application SET") for s in sent)  # the cut came mid-transaction
    assert snapshot(draft.id) == before
    response = client.post(f"/rex/demandes/{draft.id}/recapitulatif", data={"version": str(draft.version)})
    assert response.status_code == 302
    assert reload(draft.id).status == S.UNDER_REVIEW


def test_an_officer_opening_a_queue_while_postgresql_refuses_gets_a_503_then_the_queue(factory, proxied, pg_proxy):
    officer = factory.officer()
    application = factory.submitted(factory.operator())
    client = log_in(proxied.test_client(), officer)

    pg_proxy.down()
    assert_unavailable_page(client.get("/admin/a_traiter/"))

    pg_proxy.up()
    response = client.get("/admin/a_traiter/")
    assert response.status_code == 200 and application.reference in response.get_data(as_text=True)


def test_healthz_reports_the_database_down_then_up(proxied, pg_proxy):
    client = proxied.test_client()
    pg_proxy.down()

    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["database"].startswith("error: ") and body["status"] == "degraded"

    pg_proxy.up()
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_json()["database"] == "ok"


def test_pooled_connections_cut_by_a_restart_are_replaced_before_use(factory, proxied, pg_proxy):
    """PostgreSQL restarted between two requests: each pooled connection is dead. pool_pre_ping finds out at
    checkout and opens a new one, so the next request succeeds at once instead of failing once per
    pooled connection."""
    officer = factory.officer()
    client = log_in(proxied.test_client(), officer)
    assert client.get("/admin/a_traiter/").status_code == 200
    opened = pg_proxy.connections

    pg_proxy.cut()

    assert client.get("/admin/a_traiter/").status_code == 200
    assert pg_proxy.connections > opened
