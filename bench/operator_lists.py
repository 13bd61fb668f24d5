"""Benchmark of the operator's lists (« Mes demandes en cours », « Mes brouillons », « Mes demandes rejetées »,
« Mes autorisations »), paginated, for a customs representative with thousands of clients, at a million files.

    .venv/bin/python bench/operator_lists.py                    # reuses bench/queues.py's schema (loads it if needed)
    .venv/bin/python bench/operator_lists.py --clients 20000    # a bigger representative

The files are those of bench/queues.py (same schema, same loader). This script adds, and removes again on
the next run, one representative certified for --clients companies (those with the most files) and a REX
registration for each granted file of those companies, then times each list's first and last page through
the app (Flask test client) and the page's two statements (the count and the rows) alone.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from sqlalchemy import text  # noqa: E402

from app.auth.passwords import hash_password  # noqa: E402
from app.extensions import db  # noqa: E402
from app.operator.queries import PAGE_SIZE  # noqa: E402
from queues import PASSWORD, StatementLog, ensure_loaded, log, make_app, percentile  # noqa: E402

USERNAME = "representant.bench"


def set_up_representative(app, clients: int) -> dict:
    """The representative, its certifications, and registrations for the granted files of its clients."""
    with app.app_context():
        conn = db.session.connection()
        conn.execute(text("""DELETE FROM registration WHERE number LIKE 'FRREXBENCH%'"""))
        conn.execute(text("""DELETE FROM "user" WHERE username = :u"""), {"u": USERNAME})
        now = datetime.now(timezone.utc)
        user_id = conn.execute(text(
            """INSERT INTO "user" (username, email, first_name, last_name, password_hash, role, activated_at,
                                   created_at, is_enabled)
               VALUES (:u, :e, 'Représentant', 'Bench', :p, 'representative', :now, :now, true) RETURNING id"""),
            {"u": USERNAME, "e": f"{USERNAME}@bench.example", "p": hash_password(PASSWORD), "now": now}).scalar()
        conn.execute(text(
            """INSERT INTO certification (user_id, company_id, on_behalf, granted_at)
               SELECT :uid, company_id, true, :now FROM application
               GROUP BY company_id ORDER BY count(*) DESC, company_id LIMIT :n"""),
            {"uid": user_id, "now": now, "n": clients})
        # One live registration per company (uq_registration_active_company): its latest granted file.
        conn.execute(text(
            """INSERT INTO registration (number, status, company_id, application_id, office_id, registered_on,
                                         valid_from, version_no, created_at, updated_at)
               SELECT DISTINCT ON (a.company_id) 'FRREXBENCH' || a.id, 'granted', a.company_id, a.id, a.office_id,
                      a.decided_at::date, a.decided_at::date, 1, a.decided_at, a.decided_at
               FROM application a JOIN certification c ON c.company_id = a.company_id AND c.user_id = :uid
               WHERE a.status = 'granted' ORDER BY a.company_id, a.decided_at DESC"""), {"uid": user_id})
        counts = dict(conn.execute(text(
            """SELECT a.status, count(*) FROM application a
               JOIN certification c ON c.company_id = a.company_id AND c.user_id = :uid GROUP BY a.status"""),
            {"uid": user_id}).all())
        counts["registrations"] = conn.execute(text(
            "SELECT count(*) FROM registration WHERE number LIKE 'FRREXBENCH%'")).scalar()
        db.session.commit()
        for table in ("certification", "registration"):
            db.session.execute(text(f"ANALYZE {table}"))
        db.session.commit()
    return counts


def measure(app, client, log_, path: str, repeat: int, warmup: int) -> dict:
    for _ in range(warmup):
        assert client.get(path).status_code == 200, path
    app_times, statements = [], []
    for _ in range(repeat):
        log_.start()
        t0 = time.perf_counter()
        response = client.get(path)
        app_times.append((time.perf_counter() - t0) * 1000)
        statements = log_.stop()
        assert response.status_code == 200, path
    page_statements = [(s, p) for s, p in statements if "FROM application" in s or "FROM registration" in s
                       or "anon_1" in s]
    sql_times = []
    with app.app_context():
        with db.engine.connect() as conn:
            for i in range(warmup + repeat):
                t0 = time.perf_counter()
                for sql, params in page_statements:
                    conn.exec_driver_sql(sql, params).fetchall()
                if i >= warmup:
                    sql_times.append((time.perf_counter() - t0) * 1000)
                conn.rollback()
    html = response.get_data(as_text=True)
    pager = html.split('aria-current="page">', 1)[1].split("<", 1)[0] if 'aria-current="page">' in html else "-"
    return {"path": path, "app_median": statistics.median(app_times), "app_p95": percentile(app_times, 95),
            "sql_median": statistics.median(sql_times), "statements": len(statements),
            "page_statements": len(page_statements), "pager": pager}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default=os.environ.get("DATABASE_URL", "postgresql://127.0.0.1/test"))
    parser.add_argument("--schema", default="bench")
    parser.add_argument("--files", type=int, default=1_000_000)
    parser.add_argument("--companies", type=int, default=200_000)
    parser.add_argument("--clients", type=int, default=5_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)

    app = make_app(args.url, args.schema)
    ensure_loaded(app, args.url, args.schema, args.files, args.companies, False, args.seed)
    counts = set_up_representative(app, args.clients)
    log(f"{USERNAME}: {args.clients:,} clients; their files: " + ", ".join(
        f"{k} {v:,}" for k, v in sorted(counts.items())))

    client = app.test_client()
    assert client.post("/connexion", data={"username": USERNAME, "password": PASSWORD}).status_code == 302
    with app.app_context():
        log_ = StatementLog(db.engine)
    last = {tab: max(1, -(-counts.get(key, 0) // PAGE_SIZE)) for tab, key in (
        ("brouillons", "draft"), ("rejetees", "rejected"))}
    pending = counts.get("under_review", 0) + counts.get("incomplete", 0)
    autorisations = counts["registrations"]
    pages = [
        ("Mes demandes en cours, page 1", "/rex/demandes/en-cours"),
        ("Mes demandes en cours, last page", f"/rex/demandes/en-cours?page={max(1, -(-pending // PAGE_SIZE))}"),
        ("Mes demandes en cours, statut + q", "/rex/demandes/en-cours?statut=incomplete&q=FR-REX-2026"),
        ("Mes brouillons, page 1", "/rex/demandes/brouillons"),
        ("Mes brouillons, last page", f"/rex/demandes/brouillons?page={last['brouillons']}"),
        ("Mes demandes rejetées, page 1", "/rex/demandes/rejetees"),
        ("Mes demandes rejetées, last page", f"/rex/demandes/rejetees?page={last['rejetees']}"),
        ("Mes autorisations, page 1", "/rex/autorisations"),
        ("Mes autorisations, last page", f"/rex/autorisations?page={max(1, -(-autorisations // PAGE_SIZE))}"),
        ("Mes autorisations, statut=granted", "/rex/autorisations?statut=granted"),
    ]
    rows = []
    for label, path in pages:
        result = measure(app, client, log_, path, args.repeat, args.warmup)
        rows.append((label, f"{result['app_median']:.1f}", f"{result['app_p95']:.1f}", f"{result['sql_median']:.2f}",
                     str(result["statements"]), result["pager"]))
        log(f"  {label:38} app {result['app_median']:7.1f} ms   list SQL {result['sql_median']:7.2f} ms")
    header = ("page", "app median ms", "app p95 ms", "count + rows SQL ms", "statements", "pager")
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
    line = lambda cells: "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths)) + " |"  # noqa: E731
    log(f"\n{args.repeat} timed requests per page after {args.warmup} warm-ups, {PAGE_SIZE} rows a page.\n")
    log(line(header))
    log("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in rows:
        log(line(row))
    return 0


if __name__ == "__main__":
    sys.exit(main())
