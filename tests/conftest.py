"""Fixtures: one schema per session (built by the migrations), every test starts from empty tables.

The suite runs on SQLite by default and on PostgreSQL when DATABASE_URL is set. The session app uses
REDIS_URL when it is set (the limiter's counters, the jobs its transitions enqueue); the tests that read and
empty RQ queues get a Redis of the run's own instead (redis_url), so a run touches no other database.
"""
import os
import tempfile
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import event, text

from app import create_app
from app.extensions import db
from app.reference.loader import load_all
from tests.servers import RedisServer

REFERENCE_TABLES = {"tariff_heading", "preferential_relation", "office", "directorate", "alembic_version"}
PASSWORD = "Secret-2026!"


# Concurrent runs against one PostgreSQL database each get their own schema.
PG_SCHEMA = f"test_{os.getpid()}"


def _test_database_url(tmp: Path) -> str:
    return os.environ.get("DATABASE_URL") or f"sqlite:///{tmp / 'test.sqlite'}"


def _engine_options(url: str) -> dict:
    options = {"pool_pre_ping": True}
    if url.startswith("postgres"):
        options["connect_args"] = {"options": f"-csearch_path={PG_SCHEMA}"}
    return options


@pytest.fixture(scope="session")
def app():
    tmp = Path(tempfile.mkdtemp(prefix="douane-tests-"))
    url = _test_database_url(tmp)
    app = create_app({
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": url,
        "SQLALCHEMY_ENGINE_OPTIONS": _engine_options(url),
        "MAIL_FILE_DIR": str(tmp / "mail"),
        "REDIS_URL": os.environ.get("REDIS_URL"),
        "SERVER_NAME": None,
    })
    _isolate_requests(app)
    with app.app_context():
        _no_fsync_on_sqlite()
        _reset_schema()
        upgrade()
        load_all()
        db.session.remove()
    yield app
    with app.app_context():
        db.session.remove()
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text(f"DROP SCHEMA IF EXISTS {PG_SCHEMA} CASCADE"))
        db.engine.dispose()


def _isolate_requests(app):
    """Each test keeps one app context open (for its db.session), so the test client's requests share
    flask.g; forget what a previous request cached there, as a new request in production would."""
    from flask import g
    from flask_babel import refresh

    @app.before_request
    def _forget_previous_request():
        g.pop("_login_user", None)
        refresh()


def _no_fsync_on_sqlite():
    """A test database need not survive a power cut: without an fsync per commit, SQLite commits take
    microseconds instead of milliseconds (the suite commits tens of thousands of times)."""
    if db.engine.dialect.name != "sqlite":
        return

    @event.listens_for(db.engine, "connect")
    def _unsynchronised(dbapi_connection, connection_record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA synchronous=OFF")
        cursor.close()

    db.engine.dispose()


def _reset_schema():
    if db.engine.dialect.name == "postgresql":
        with db.engine.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {PG_SCHEMA} CASCADE"))
            conn.execute(text(f"CREATE SCHEMA {PG_SCHEMA}"))
    else:
        db.drop_all()
        with db.engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))


def _empty_tables():
    tables = [t for t in reversed(db.metadata.sorted_tables) if t.name not in REFERENCE_TABLES]
    with db.engine.begin() as conn:
        # Offices are reference data kept between tests: their procedure settings (issue 17) go back to defaults.
        conn.execute(text("UPDATE office SET four_eyes = false, max_extension_days = 30, hearing_days = 15"))
        if db.engine.dialect.name == "postgresql":
            conn.execute(text("TRUNCATE " + ", ".join(f'"{t.name}"' for t in tables) + " RESTART IDENTITY CASCADE"))
        else:
            # application and registration refer to each other (a modification request targets a version)
            conn.execute(text("UPDATE application SET registration_id = NULL"))
            for table in tables:
                conn.execute(table.delete())


@pytest.fixture(autouse=True)
def _clean_database(app):
    with app.app_context():
        yield
        db.session.remove()
        _empty_tables()


@pytest.fixture(scope="session")
def _run_redis(tmp_path_factory):
    """A redis-server of this run, started on a free port the first time a test asks for one."""
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def redis_url(_run_redis):
    """The URL of an empty Redis database that belongs to this run alone (emptied again afterwards): the
    tests that count, work or flush RQ queues use it, whether or not REDIS_URL is set."""
    connection = _run_redis.connection()
    connection.flushdb()
    yield _run_redis.url
    connection.flushdb()
    connection.close()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def factory(app):
    from tests.factories import Factory

    return Factory()


@pytest.fixture
def login(client):
    def _login(user, password=PASSWORD):
        client.post("/deconnexion")
        response = client.post("/connexion", data={"username": user.username, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return client
    return _login


def pytest_configure(config):
    config.addinivalue_line("markers", "postgresql_only: needs PostgreSQL (row locks, SKIP LOCKED, its server); "
                                       "collected only when DATABASE_URL points at PostgreSQL, as in .ci/run")


def pytest_collection_modifyitems(config, items):
    """SQLite has no row locks: the lock races (and the PostgreSQL-only tests) run in the PostgreSQL pass of the
    suite (.ci/run runs both)."""
    if (os.environ.get("DATABASE_URL") or "").startswith("postgres"):
        return
    deselected = [item for item in items if item.get_closest_marker("postgresql_only")]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [item for item in items if not item.get_closest_marker("postgresql_only")]
