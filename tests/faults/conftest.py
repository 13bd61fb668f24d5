"""Fixtures of the fault tests: a second app built on the session's database, with its own engine and
settings pointing at servers the test controls (a Redis of its own, a proxy to PostgreSQL, an SMTP
server, the REX stand-in), so the shared PostgreSQL and Redis are never stopped or reconfigured."""
import re

import pytest

from app import create_app
from app.extensions import db, limiter
from tests.conftest import PASSWORD, _isolate_requests
from tests.jobs.test_outbox import SmtpServer
from tests.servers import RedisServer


@pytest.fixture
def fault_app(app):
    """make(push=True, **config) -> an app on the session's database (same schema, its own engine).

    Pushed, its context is the test's: the factory's rows, the jobs run by a worker in this process
    (jobs/app_context.py) and the test's reads go through it. Not pushed, only its test client uses it."""
    made = []
    # Flask-Limiter keeps one storage per Limiter object, the last init_app's (here a Redis the test stops):
    # the session's app gets its own back afterwards.
    limiter_state = dict(vars(limiter))

    def make(push=True, **config):
        settings = {
            "TESTING": True, "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "SQLALCHEMY_ENGINE_OPTIONS": app.config["SQLALCHEMY_ENGINE_OPTIONS"],
            "MAIL_FILE_DIR": app.config["MAIL_FILE_DIR"], "REDIS_URL": None, "SERVER_NAME": None,
            **config}
        built = create_app(settings)
        _isolate_requests(built)
        ctx = built.app_context()
        if push:
            ctx.push()
        made.append((ctx, push))
        return built

    yield make
    for ctx, pushed in reversed(made):
        if not pushed:
            ctx.push()
        db.session.remove()
        db.engine.dispose()
        ctx.pop()
    vars(limiter).update(limiter_state)


def log_in(client, user):
    response = client.post("/connexion", data={"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return client


@pytest.fixture
def redis_server(tmp_path):
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def smtp():
    server = SmtpServer()
    yield server
    server.stop()


# An exception's class or a library's name on a page means a traceback or a repr leaked to the person.
LEAKS = re.compile(r"Traceback|\b[A-Z]\w*(?:Error|Exception)\b|\b(?:sqlalchemy|psycopg|redis|werkzeug)\b")


def assert_unavailable_page(response) -> None:
    """The 503 page: French, in the site's layout, nothing technical."""
    html = response.get_data(as_text=True)
    assert response.status_code == 503, html[:1000]
    assert response.mimetype == "text/html"
    assert '<html lang="fr">' in html and 'class="topbar"' in html
    assert "Service momentanément indisponible" in html and "Réessayez dans quelques instants" in html
    assert not LEAKS.search(html), LEAKS.search(html)
