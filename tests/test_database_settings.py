"""The PostgreSQL session settings the factory adds must not drop those the DATABASE_URL carries; the database
DATABASE_URL names is created when missing (make test, make migrate)."""
import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from sqlalchemy import text
from sqlalchemy.engine import make_url

from app import create_app
from app.extensions import db

ROOT = Path(__file__).resolve().parent.parent


def _connect_options(url: str, **config) -> str:
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "REDIS_URL": None, **config})
    return app.config["SQLALCHEMY_ENGINE_OPTIONS"]["connect_args"]["options"]


def test_the_search_path_of_the_database_url_is_kept_beside_the_planner_setting():
    options = _connect_options("postgresql://127.0.0.1/test?options=-csearch_path%3Dbench_load",
                               PG_RANDOM_PAGE_COST="1.1")

    assert options.split() == ["-csearch_path=bench_load", "-c", "random_page_cost=1.1", "-c", "max_parallel_workers_per_gather=0"]


def test_a_planner_setting_given_in_the_url_is_not_overridden():
    options = _connect_options("postgresql://127.0.0.1/test?options=-crandom_page_cost%3D2", PG_RANDOM_PAGE_COST="1.1",
                               PG_MAX_PARALLEL_WORKERS_PER_GATHER="")

    assert options == "-crandom_page_cost=2"


def test_queries_of_the_app_run_without_parallel_workers_unless_configured():
    url = "postgresql://127.0.0.1/test"
    assert "-c max_parallel_workers_per_gather=0" in _connect_options(url)
    assert "max_parallel_workers_per_gather" not in _connect_options(url, PG_MAX_PARALLEL_WORKERS_PER_GATHER="")
    assert "-cmax_parallel_workers_per_gather=4" in _connect_options(
        url + "?options=-cmax_parallel_workers_per_gather%3D4")


def test_options_given_by_the_engine_settings_and_the_url_are_both_kept():
    options = _connect_options("postgresql://127.0.0.1/test?options=-cstatement_timeout%3D5000",
                               SQLALCHEMY_ENGINE_OPTIONS={"connect_args": {"options": "-csearch_path=s1"}},
                               PG_RANDOM_PAGE_COST="1.1")

    assert options.split() == ["-cstatement_timeout=5000", "-csearch_path=s1", "-c", "random_page_cost=1.1", "-c", "max_parallel_workers_per_gather=0"]


@pytest.mark.postgresql_only
def test_the_database_of_database_url_is_created_once_when_missing():
    server = make_url(os.environ["DATABASE_URL"])
    name = f"created_by_test_{os.getpid()}"
    url = server.set(database=name).render_as_string(hide_password=False)

    def ensure():
        return subprocess.run([sys.executable, "scripts/ensure_database.py"], cwd=ROOT, capture_output=True,
                              text=True, check=True, env={**os.environ, "DATABASE_URL": url}).stdout

    try:
        assert ensure() == f"created the PostgreSQL database {name}\n"
        assert ensure() == ""
        with psycopg.connect(url) as connection:
            assert connection.execute("SELECT current_database()").fetchone() == (name,)
    finally:
        with psycopg.connect(server.set(database="postgres").render_as_string(hide_password=False),
                             autocommit=True) as connection:
            connection.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))


@pytest.mark.postgresql_only
def test_the_app_connections_plan_without_parallel_workers(app):
    with app.app_context():
        assert db.session.scalar(text("SHOW max_parallel_workers_per_gather")) == "0"
        assert db.session.scalar(text("SHOW random_page_cost")) == "1.1"
