"""Benchmark of the tariff-heading suggestions (app/queries/reference.search_headings and its endpoint).

    .venv/bin/python bench/headings.py                                   # throwaway SQLite database
    .venv/bin/python bench/headings.py --url postgresql://127.0.0.1/test # PostgreSQL, schema bench_headings
    .venv/bin/python bench/headings.py --repeat 500

Loads the 1,324 chapters and headings (migrations, then load_all), then times each term --repeat times,
after one warm-up call: the query alone, and the whole request GET /rex/positions-tarifaires?q=… of a
logged-in operator through the test client. Prints median and p95 ms per term. See bench/README.md.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import text  # noqa: E402

from app import create_app  # noqa: E402
from app.auth.passwords import hash_password  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import Certification, Company, Role, User  # noqa: E402
from app.models._time import utcnow  # noqa: E402
from app.queries.reference import search_headings  # noqa: E402
from app.reference.loader import load_all  # noqa: E402

TERMS = ("valise", "cuir", "plastique", "pâtes alimentaires", "machines", "39", "3900", "8471", "trunks")
SCHEMA = "bench_headings"


def make_app(url: str | None, tmp: Path):
    options = {"connect_args": {"options": f"-csearch_path={SCHEMA}"}} if url else {}
    return create_app({"SQLALCHEMY_DATABASE_URI": url or f"sqlite:///{tmp / 'bench-headings.sqlite'}",
                       "SQLALCHEMY_ENGINE_OPTIONS": options, "SECRET_KEY": "bench", "REDIS_URL": None,
                       "MAIL_FILE_DIR": str(tmp / "mail"), "SERVER_NAME": None, "WTF_CSRF_ENABLED": False,
                       "RATELIMIT_ENABLED": False})


def timed(call, repeat: int) -> tuple[float, float]:
    call()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="a PostgreSQL URL (default: a throwaway SQLite file)")
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-headings-"))
    app = make_app(args.url, tmp)
    with app.app_context():
        if args.url:
            with db.engine.begin() as conn:
                conn.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
                conn.execute(text(f"CREATE SCHEMA {SCHEMA}"))
        upgrade()
        load_all()
        company = Company(eori="FR73282932000074", name="Bench SAS", address="1 quai", postcode="33000",
                          city="Bordeaux", country="FR", phone="05 56 00 00 00", email="bench@example.com")
        user = User(username="bench", email="bench@example.com", first_name="Bench", last_name="Bench",
                    password_hash=hash_password("Bench-2026!"), role=Role.OPERATOR, activated_at=utcnow())
        user.certifications = [Certification(company=company)]
        db.session.add(user)
        db.session.commit()
        client = app.test_client()
        client.post("/connexion", data={"username": "bench", "password": "Bench-2026!"})
        answer = client.get("/rex/positions-tarifaires", query_string={"q": "valise"})
        if answer.status_code != 200 or not answer.is_json:
            sys.exit(f"the suggestions endpoint answered {answer.status_code}: not logged in?")

        print(f"{db.engine.dialect.name}, {args.repeat} calls per term")
        print(f"{'term':<22}{'rows':>5}{'query median':>14}{'p95':>8}{'request median':>16}{'p95':>8}")
        for term in TERMS:
            rows = len(search_headings(term))
            q_med, q_p95 = timed(lambda: search_headings(term), args.repeat)
            r_med, r_p95 = timed(lambda: client.get("/rex/positions-tarifaires", query_string={"q": term}),
                                 args.repeat)
            print(f"{term:<22}{rows:>5}{q_med:>12.2f}ms{q_p95:>6.2f}ms{r_med:>14.2f}ms{r_p95:>6.2f}ms")
        db.session.remove()
        if args.url:
            with db.engine.begin() as conn:
                conn.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
        db.engine.dispose()


if __name__ == "__main__":
    main()
