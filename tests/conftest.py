"""Fixtures: one schema per session (built by the migrations), every test starts from empty tables.

The suite runs on SQLite by default and on PostgreSQL when DATABASE_URL is set.
"""
import os
import tempfile
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import text

from app import create_app
from app.extensions import db
from app.reference.loader import load_all

REFERENCE_TABLES = {"tariff_heading", "preferential_relation", "office", "directorate", "alembic_version"}
PASSWORD = "Secret-2026!"


def _test_database_url(tmp: Path) -> str:
    return os.environ.get("DATABASE_URL") or f"sqlite:///{tmp / 'test.sqlite'}"


@pytest.fixture(scope="session")
def app():
    tmp = Path(tempfile.mkdtemp(prefix="douane-tests-"))
    app = create_app({
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": _test_database_url(tmp),
        "MAIL_FILE_DIR": str(tmp / "mail"),
        "REDIS_URL": os.environ.get("REDIS_URL"),
        "SERVER_NAME": None,
    })
    with app.app_context():
        _reset_schema()
        upgrade()
        load_all()
        db.session.remove()
    yield app


def _reset_schema():
    if db.engine.dialect.name == "postgresql":
        with db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
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
