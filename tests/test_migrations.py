"""The migrations build the schema the models describe: no drift, on a fresh database and on the test one."""
import pprint

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from app import create_app
from app.extensions import db


def _drift(connection) -> list:
    from app.search import include_object  # the trigram indexes of 0015 (PostgreSQL only) are not in the models

    context = MigrationContext.configure(connection, opts={"compare_type": True, "compare_server_default": True,
                                                           "include_object": include_object})
    return compare_metadata(context, db.metadata)


@pytest.fixture
def fresh_app(tmp_path):
    fresh = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'fresh.sqlite'}",
                        "MAIL_FILE_DIR": str(tmp_path / "mail"), "REDIS_URL": None})
    yield fresh
    with fresh.app_context():
        db.engine.dispose()


def test_upgrade_on_a_fresh_sqlite_database_leaves_no_drift_from_the_models(fresh_app):
    with fresh_app.app_context():
        upgrade()
        tables = set(inspect(db.engine).get_table_names())
        with db.engine.connect() as connection:
            drift = _drift(connection)
            head = MigrationContext.configure(connection).get_current_revision()

    assert {t.name for t in db.metadata.sorted_tables} | {"alembic_version"} == tables
    assert head is not None
    assert drift == [], pprint.pformat(drift)


def test_migrations_go_down_to_base_and_up_again(fresh_app):
    with fresh_app.app_context():
        upgrade()
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        with db.engine.connect() as connection:
            assert _drift(connection) == []


def test_the_session_database_built_by_the_migrations_has_no_drift(app):
    """On SQLite by default, on PostgreSQL when DATABASE_URL is set: the dialect the suite runs on."""
    with db.engine.connect() as connection:
        drift = _drift(connection)
    assert drift == [], pprint.pformat(drift)


def test_0010_moves_the_english_label_aside_and_fills_the_french_one_of_existing_headings(fresh_app):
    from sqlalchemy import text

    with fresh_app.app_context():
        upgrade(revision="0009")
        with db.engine.begin() as connection:
            connection.execute(text("INSERT INTO tariff_heading (code, chapter, description) "
                                    "VALUES ('4202', '42', 'Trunks; suit, camera, jewellery, cutlery cases')"))
        upgrade(revision="0010_nomenclature_fr")
        with db.engine.connect() as connection:
            row = connection.execute(text("SELECT description_fr, description_en, search_text FROM tariff_heading")).one()
        assert row.description_fr.startswith("Malles, valises et mallettes")
        assert row.description_en == "Trunks; suit, camera, jewellery, cutlery cases"
        assert row.search_text.startswith("4202 malles valises et mallettes") and "trunks" in row.search_text

        downgrade(revision="0009")
        with db.engine.connect() as connection:
            assert connection.execute(text("SELECT description FROM tariff_heading")).scalar_one() == (
                "Trunks; suit, camera, jewellery, cutlery cases")


def test_the_pending_eori_index_refuses_to_build_over_two_pending_files_for_one_number(fresh_app, capfd):
    """Migration 0011_security: it says which numbers to settle rather than fail on the index."""
    from sqlalchemy import text

    with fresh_app.app_context():
        upgrade(revision="0010_nomenclature_fr")
        with db.engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO user (id, username, email, password_hash, first_name, last_name, role, created_at, "
                "is_enabled) VALUES (1, 'a', 'a@example.com', 'x', 'A', 'B', 'operator', '2026-01-01', 1)"))
            for n in (1, 2):
                connection.execute(text(
                    "INSERT INTO application (id, reference, kind, status, version, created_by_id, filed_on_paper, "
                    "created_at, updated_at, exporter_eori) VALUES "
                    f"({n}, 'FR-EORI-2026-000000{n}', 'EORI', 'under_review', 1, 1, 0, '2026-01-01', '2026-01-01', "
                    "'FR73282932000074')"))

        with pytest.raises(SystemExit):  # Flask-Migrate logs the error and exits
            upgrade()
        with db.engine.connect() as connection:
            head = MigrationContext.configure(connection).get_current_revision()

    logged = capfd.readouterr().err
    assert "Several pending EORI applications ask for the same number" in logged and "FR73282932000074" in logged
    assert head == "0010_nomenclature_fr"
