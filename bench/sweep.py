"""Benchmark of the deadline sweep (jobs/deadlines.py around app/workflow/deadlines.py) on PostgreSQL.

    .venv/bin/python bench/sweep.py                                   # 1,000,000 files, 100,000 expired
    .venv/bin/python bench/sweep.py --files 200000 --expired 20000

Loads its own schema (``bench_sweep`` by default: the sweep rejects files, so it never touches the queue
benchmark's ``bench`` schema) with bench/queues.py's loader, then before each run puts ``--expired``
incomplete files past their deadline (the others stay incomplete with a deadline ahead), shows the plan of
the sweep's selection query, times one sweep and checks a second one finds nothing.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402
from sqlalchemy.dialects import postgresql  # noqa: E402

from bench.queues import ensure_loaded, log, make_app  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models._time import utcnow  # noqa: E402


def prepare(expired: int, seed: int, extended_every: int = 10, suspended_every: int = 20) -> None:
    """Exactly `expired` incomplete files past their deadline (turning files under review incomplete if
    there are too few), every other incomplete file due in the next 30 days, reminders unsent. Then the legal
    clock of issue 17 (app/workflow/clock.py): one expired file in `extended_every` had its period extended past
    now, one in `suspended_every` has its clock suspended (no deadline, what was left kept), and as many of the
    files still running are extended or suspended too; neither kind is due."""
    now = utcnow()
    with db.engine.begin() as conn:
        # Undo an earlier run: the files it rejected were incomplete, holding their company's pending slot.
        conn.execute(text("""UPDATE application SET status = 'incomplete', decided_at = NULL WHERE id IN (
            SELECT application_id FROM history_event WHERE kind = 'rejected_automatically')"""))
        incomplete = conn.scalar(text("SELECT count(*) FROM application WHERE status = 'incomplete'"))
        if incomplete < expired:
            conn.execute(text("""UPDATE application SET status = 'incomplete' WHERE id IN (
                SELECT id FROM application WHERE status = 'under_review' ORDER BY id LIMIT :n)"""),
                         {"n": expired - incomplete})
        conn.execute(text("""
            WITH ranked AS (SELECT id, row_number() OVER (ORDER BY md5(id::text || :seed)) AS n
                            FROM application WHERE status = 'incomplete')
            UPDATE application a SET
                answer_deadline = CASE WHEN r.n <= :expired
                    THEN :now - (r.n % 86400) * interval '1 minute' - interval '1 second'
                    ELSE :now + (1 + r.n % 43000) * interval '1 minute' END,
                reminder_7_sent_at = NULL, reminder_1_sent_at = NULL,
                deadline_extension_days = 0, clock_suspended_at = NULL, clock_remaining_seconds = NULL,
                clock_suspended_seconds = 0
            FROM ranked r WHERE a.id = r.id"""), {"seed": str(seed), "expired": expired, "now": now})
        if extended_every:
            conn.execute(text("""UPDATE application SET deadline_extension_days = 15,
                    answer_deadline = answer_deadline + interval '15 days' + CASE WHEN answer_deadline <= :now
                        THEN (:now - answer_deadline) ELSE interval '0' END
                WHERE status = 'incomplete' AND id % :every = 1"""), {"every": extended_every, "now": now})
        if suspended_every:
            conn.execute(text("""UPDATE application SET clock_suspended_at = :now - interval '2 days',
                    clock_remaining_seconds = 864000, clock_suspended_seconds = 0, answer_deadline = NULL
                WHERE status = 'incomplete' AND id % :every = 2"""), {"every": suspended_every, "now": now})
        conn.execute(text("DELETE FROM outbox_email"))
        conn.execute(text("DELETE FROM history_event WHERE kind = 'rejected_automatically'"))
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for table in ("application", "outbox_email", "history_event"):
            conn.execute(text(f"VACUUM (ANALYZE) {table}"))


def explain(now) -> str:
    from app.workflow.deadlines import due_query

    compiled = due_query(now).compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True})
    with db.engine.connect() as conn:
        plan = conn.execute(text("EXPLAIN (ANALYZE, BUFFERS) " + str(compiled))).scalars().all()
        conn.rollback()
    return "\n".join(plan)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default=os.environ.get("DATABASE_URL", "postgresql://127.0.0.1/test"))
    parser.add_argument("--schema", default="bench_sweep")
    parser.add_argument("--files", type=int, default=1_000_000)
    parser.add_argument("--expired", type=int, default=100_000)
    parser.add_argument("--companies", type=int, default=200_000)
    parser.add_argument("--reload", action="store_true")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--target-s", type=float, default=30.0)
    parser.add_argument("--extended-every", type=int, default=10, help="1 incomplete file in N extended (0: none)")
    parser.add_argument("--suspended-every", type=int, default=20, help="1 incomplete file in N suspended (0: none)")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/15",
                        help="where the sweep enqueues the email delivery, as in production (a database of its own, "
                             "emptied after the run); '' delivers in-process inside the timed sweep")
    args = parser.parse_args(argv)
    if args.schema in ("public", "bench"):
        parser.error("--schema: not public, not the queue benchmark's schema")

    app = make_app(args.url, args.schema)
    app.config["REDIS_URL"] = args.redis_url or None
    ensure_loaded(app, args.url, args.schema, args.files, args.companies, args.reload, args.seed)
    from jobs.deadlines import sweep_deadlines

    with app.app_context():
        log(f"\npreparing: {args.expired:,} of {args.files:,} files incomplete past their deadline")
        prepare(args.expired, args.seed, args.extended_every, args.suspended_every)
        with db.engine.connect() as conn:
            counts = dict(conn.execute(text("SELECT status, count(*) FROM application GROUP BY status")).all())
        log("statuses: " + ", ".join(f"{k} {v:,}" for k, v in sorted(counts.items())))
        with db.engine.connect() as conn:
            clock = conn.execute(text("""SELECT count(*) FILTER (WHERE deadline_extension_days > 0),
                count(*) FILTER (WHERE clock_suspended_at IS NOT NULL),
                count(*) FILTER (WHERE answer_deadline <= now())
                FROM application WHERE status = 'incomplete'""")).one()
        log(f"incomplete files: {clock[0]:,} extended, {clock[1]:,} suspended, {clock[2]:,} due")
        now = utcnow()
        log("\nEXPLAIN ANALYZE of the sweep's selection query (app.workflow.deadlines.due_query):\n" + explain(now))

        started = time.perf_counter()
        result = sweep_deadlines(now=now)
        seconds = time.perf_counter() - started
        log(f"\nsweep: {result['due']:,} due, {result['rejected']:,} files rejected, {result['skipped']:,} skipped "
            f"in {seconds:.1f} s = {result['rejected'] / seconds:,.0f} files/s "
            f"(target under {args.target_s:.0f} s: {'met' if seconds < args.target_s else 'MISSED'})")
        with db.engine.connect() as conn:
            events = conn.scalar(text("SELECT count(*) FROM history_event WHERE kind = 'rejected_automatically'"))
            emails = conn.scalar(text("SELECT count(*) FROM outbox_email WHERE template = 'rejected_automatically'"))
        log(f"history events {events:,}, outbox emails {emails:,} (delivered by the RQ job the sweep enqueued, "
            f"not run here)" if args.redis_url else f"history events {events:,}, outbox emails {emails:,} (the "
            f"in-process delivery after the sweep sent one batch)")
        started = time.perf_counter()
        again = sweep_deadlines(now=now)
        log(f"second sweep: {again} in {time.perf_counter() - started:.2f} s")
        with db.engine.connect() as conn:
            wrongly = conn.scalar(text("""SELECT count(*) FROM application WHERE status = 'rejected'
                AND (clock_suspended_at IS NOT NULL OR deadline_extension_days > 0)"""))
        log(f"suspended or extended files rejected by mistake: {wrongly}")
        log("\nEXPLAIN ANALYZE after the sweep (nothing due; the partial index holds the incomplete files only):\n"
            + explain(now))
        db.session.remove()
    if args.redis_url:
        from redis import Redis
        Redis.from_url(args.redis_url).flushdb()
    return 0


if __name__ == "__main__":
    sys.exit(main())
