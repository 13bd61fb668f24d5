"""Benchmark of the supervisors' charts page (/admin/graphiques/) at a million files, on PostgreSQL.

    DATABASE_URL=postgresql://127.0.0.1/test_20 .venv/bin/python bench/charts.py      # load once, then measure
    .venv/bin/python bench/charts.py --files 100000 --repeat 20

The files are bench/queues.py's (same loader, same schema ``bench`` by default, --schema), plus one
"rejected_automatically" history event for every fifth rejected file, so the automatic rejections are counted
from a real history. Measured: the whole page through the app (the test client, logged in as the bench's
supervisor of every office: the worst case, every office at once) and for the busiest office alone, and each
statement's time, with the median and the 95th percentile. The page reads per-office snapshots (chart_snapshot,
refreshed every 5 minutes): the bench also times that refresh and a page that finds no snapshot and must count.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from sqlalchemy import event, select, text  # noqa: E402

import queues as base  # noqa: E402  (bench/queues.py: the loader)
from app.extensions import db  # noqa: E402
from app.models import Role, User  # noqa: E402


def add_automatic_rejections() -> int:
    """History of the automatic rejections, once: every fifth rejected file."""
    done = db.session.scalar(text("SELECT count(*) FROM history_event WHERE kind = 'rejected_automatically'"))
    if done:
        return done
    result = db.session.execute(text(
        "INSERT INTO history_event (application_id, kind, office_id, at) "
        "SELECT id, 'rejected_automatically', office_id, decided_at FROM application "
        "WHERE status = 'rejected' AND id % 5 = 0"))
    db.session.commit()
    db.session.execute(text("ANALYZE history_event"))
    db.session.commit()
    return result.rowcount


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default=os.environ.get("DATABASE_URL", "postgresql://127.0.0.1/test"))
    parser.add_argument("--schema", default="bench")
    parser.add_argument("--files", type=int, default=1_000_000)
    parser.add_argument("--companies", type=int, default=200_000)
    parser.add_argument("--reload", action="store_true")
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--target-ms", type=float, default=100.0)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)

    app = base.make_app(args.url, args.schema)
    base.ensure_loaded(app, args.url, args.schema, args.files, args.companies, args.reload, args.seed)
    with app.app_context():
        events = add_automatic_rejections()
        supervisor = db.session.scalar(select(User).where(User.role == Role.SUPERVISOR,
                                                          User.username.like("superviseur%")))
        offices = [o.id for o in supervisor.supervised_offices]
        busiest = db.session.execute(text(
            "SELECT office_id, count(*) FROM application WHERE status IN ('under_review', 'incomplete') "
            "GROUP BY office_id ORDER BY 2 DESC LIMIT 1")).one()
        open_total = db.session.scalar(text(
            "SELECT count(*) FROM application WHERE status IN ('under_review', 'incomplete')"))
        username = supervisor.username
        db.session.remove()
    print(f"{args.files:,} files, {open_total:,} open, {events:,} automatic rejections in the history; "
          f"supervisor of {len(offices)} offices; busiest office {busiest[0]} ({busiest[1]:,} open files)")

    client = app.test_client()
    response = client.post("/connexion", data={"username": username, "password": base.PASSWORD})
    assert response.status_code == 302, response.status_code

    statements: list[tuple[str, object, float]] = []
    with app.app_context():
        engine = db.engine

    def before(conn, cursor, statement, parameters, context, executemany):
        conn.info["t0"] = time.perf_counter()

    def after(conn, cursor, statement, parameters, context, executemany):
        statements.append((statement, parameters, (time.perf_counter() - conn.info["t0"]) * 1000))

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)

    results = []
    for label, path in (("every office supervised", "/admin/graphiques/"),
                        ("busiest office", f"/admin/graphiques/?service={busiest[0]}")):
        for _ in range(args.warmup):
            assert client.get(path).status_code == 200
        times, per_statement = [], {}
        for _ in range(args.repeat):
            statements.clear()
            t0 = time.perf_counter()
            response = client.get(path)
            times.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200
            for statement, _, ms in statements:
                key = " ".join(statement.split())[:90]
                per_statement.setdefault(key, []).append(ms)
        results.append((label, path, times, per_statement))

    print(f"\n{'page':<28} {'median ms':>10} {'p95 ms':>8}  target {args.target_ms:g} ms")
    for label, path, times, _ in results:
        median = statistics.median(times)
        print(f"{label:<28} {median:>10.1f} {percentile(times, 95):>8.1f}  "
              f"{'OK' if median < args.target_ms else 'OVER'}  {path}")
    for label, _, _, per_statement in results:
        print(f"\nstatements of one page ({label}), median ms:")
        for key, values in sorted(per_statement.items(), key=lambda kv: -statistics.median(kv[1])):
            print(f"  {statistics.median(values):7.2f}  {key}")
    # What the snapshots cost: the periodic job over every office, and a page that must count (no snapshot).
    from app.admin_views.charts import refresh_all_snapshots
    from app.models import ChartSnapshot

    with app.app_context():
        job_times = []
        for _ in range(3):
            t0 = time.perf_counter()
            refresh_all_snapshots()
            job_times.append((time.perf_counter() - t0) * 1000)
        cold = []
        for _ in range(3):
            db.session.execute(ChartSnapshot.__table__.delete())
            db.session.commit()
            t0 = time.perf_counter()
            assert client.get("/admin/graphiques/").status_code == 200
            cold.append((time.perf_counter() - t0) * 1000)
        db.session.remove()
    print(f"\nrefresh of every office's snapshot (the 5-minute job), median of 3: {statistics.median(job_times):.0f} ms")
    print(f"page with no snapshot (counts every office at once), median of 3: {statistics.median(cold):.0f} ms")
    with os.popen("cat /proc/loadavg") as load:
        print(f"\nload average: {load.read().strip()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
