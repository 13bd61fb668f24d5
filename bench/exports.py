"""Benchmark of the queue exports (CSV and XLSX, app/admin_views/exports.py) at a million files, on PostgreSQL.

    .venv/bin/python bench/exports.py                 # the schema of bench/queues.py (loaded once if missing)
    .venv/bin/python bench/exports.py --repeat 5

The officer of the busiest office exports "Tous les dossiers du service" filtered on a window of filing dates
that holds just under the limit (10,000 rows), as CSV and as XLSX; then the whole queue, which is over the
limit: nothing is exported and the list says how many rows match (the time of that refusal is measured too).
"""
from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from queues import PASSWORD, ROOT, ensure_loaded, filter_arg, log, make_app, pick_office  # noqa: E402

sys.path.insert(0, str(ROOT))
from flask_admin.contrib.sqla.filters import DateTimeBetweenFilter  # noqa: E402
from openpyxl import load_workbook  # noqa: E402
from sqlalchemy import text  # noqa: E402

from app.admin_views.exports import EXPORT_MAX_ROWS  # noqa: E402
from app.extensions import db  # noqa: E402


def filing_window(office_id: int, rows: int) -> tuple[str, str]:
    """The filing dates (to the second) of the office's `rows` most recently filed files."""
    with db.engine.connect() as conn:
        newest, oldest = conn.execute(text(
            """SELECT max(submitted_at), min(submitted_at) FROM (
                   SELECT submitted_at FROM application WHERE office_id = :o AND status <> 'draft'
                   AND submitted_at IS NOT NULL ORDER BY submitted_at DESC LIMIT :n) last"""),
            {"o": office_id, "n": rows}).one()
    return oldest.strftime("%Y-%m-%d %H:%M:%S"), (newest + timedelta(seconds=1)).strftime("%Y-%m-%d %H:%M:%S")


def exported_rows(response, body: bytes) -> str:
    if response.status_code == 302:
        return "refused"
    if response.mimetype == "text/csv":
        return f"{len(body.splitlines()) - 1:,}"
    return f"{sum(1 for _ in load_workbook(io.BytesIO(body), read_only=True).active.iter_rows()) - 1:,}"


def timed(client, path: str, repeat: int) -> tuple[list[float], object]:
    client.get(path)  # warm-up: templates, catalogues, plans
    times, response = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(path)
        body = response.get_data()  # the CSV streams: its time includes writing every row
        times.append((time.perf_counter() - started) * 1000)
    return times, (response, body)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="postgresql://127.0.0.1/test")
    parser.add_argument("--schema", default="bench")
    parser.add_argument("--files", type=int, default=1_000_000)
    parser.add_argument("--companies", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)

    app = make_app(args.url, args.schema)
    ensure_loaded(app, args.url, args.schema, args.files, args.companies, False, args.seed)
    with app.app_context():
        office_id, code = pick_office(db.engine, None)
        start, end = filing_window(office_id, EXPORT_MAX_ROWS - 100)
        dates = filter_arg(app, "tous", lambda f: isinstance(f, DateTimeBetweenFilter)
                           and f.column.key == "submitted_at")
        db.session.remove()
    client = app.test_client()
    response = client.post("/connexion", data={"username": f"agent.{code.lower()}", "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    window = f"flt0_{dates}={start}+to+{end}"
    log(f"agent.{code.lower()}: 'Tous les dossiers du service', filed between {start} and {end} (UTC)")

    print(f"\n{'export':44} {'rows':>7} {'median ms':>10} {'min ms':>8} {'bytes':>11}")
    for label, path in (("CSV, filing-date window", f"/admin/tous/export/csv/?{window}"),
                        ("XLSX, filing-date window", f"/admin/tous/export/xlsx/?{window}"),
                        ("whole queue (over the limit: refused)", "/admin/tous/export/csv/")):
        times, (response, body) = timed(client, path, args.repeat)
        print(f"{label:44} {exported_rows(response, body):>7} {statistics.median(times):10.0f} {min(times):8.0f} "
              f"{len(body):11,}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
