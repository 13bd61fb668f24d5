"""Fixtures: one schema per session (built by the migrations), every test starts from empty tables.

The suite runs on SQLite by default and on PostgreSQL when DATABASE_URL is set.
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
    config.addinivalue_line("markers", "postgresql_only: needs PostgreSQL row locks (SKIP LOCKED); "
                                       "collected only when DATABASE_URL points at PostgreSQL, as in .ci/run")


def pytest_collection_modifyitems(config, items):
    """SQLite has no row locks: the lock races run in the PostgreSQL pass of the suite (.ci/run runs both)."""
    if (os.environ.get("DATABASE_URL") or "").startswith("postgres"):
        return
    deselected = [item for item in items if item.get_closest_marker("postgresql_only")]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [item for item in items if not item.get_closest_marker("postgresql_only")]
