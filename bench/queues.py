"""Benchmark of the officers' queue pages at a million files, on PostgreSQL.

    .venv/bin/python bench/queues.py                      # load 1,000,000 files once, then measure
    .venv/bin/python bench/queues.py --files 100000       # a smaller schema
    .venv/bin/python bench/queues.py --reload             # rebuild the schema and reload
    .venv/bin/python bench/queues.py --load-only

Everything lives in its own PostgreSQL schema (``bench`` by default, ``--schema``) of DATABASE_URL
(postgresql://127.0.0.1/test by default): the schema is built by the Alembic migrations, filled with
COPY, and is the only thing this script ever drops. See bench/README.md.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import random
import re
import statistics
import sys
import tempfile
import time
from bisect import bisect
from datetime import datetime, timedelta, timezone
from itertools import accumulate
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import create_engine, event, insert, select, text  # noqa: E402

from app import create_app, database_uri  # noqa: E402
from app.admin_views.filters import ScopedEqual, UnassignedFilter  # noqa: E402
from app.auth.passwords import hash_password  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import Application, Office, Role, User, office_supervisors  # noqa: E402
from app.reference.loader import load_all  # noqa: E402

PASSWORD = "Bench-2026!"
OPERATORS = 1_000
# Status mix of the files (share of the total).
STATUS_MIX = (("under_review", 0.35), ("incomplete", 0.10), ("granted", 0.25), ("rejected", 0.20),
              ("abandoned", 0.05), ("draft", 0.05))
# Share of the files of each status that an officer has taken.
ASSIGNED_SHARE = {"under_review": 0.5, "incomplete": 0.8, "granted": 1.0, "rejected": 1.0, "abandoned": 0.3,
                  "draft": 0.0}
PENDING = {"under_review", "incomplete"}
SPAN = timedelta(days=3 * 365)

SURNAMES = ("Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau",
            "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "David", "Bertrand", "Roux", "Vincent", "Fournier",
            "Morel", "Girard", "Andre", "Lefevre", "Mercier", "Dupont", "Lambert", "Bonnet", "Francois", "Martinez",
            "Legrand", "Garnier", "Faure", "Rousseau", "Blanc", "Guerin", "Muller", "Henry", "Roussel", "Nicolas",
            "Perrin", "Morin", "Mathieu", "Clement", "Gauthier", "Dumont", "Lopez", "Fontaine", "Chevalier", "Robin")
TRADES = ("Export", "Industries", "Négoce", "Vins et Spiritueux", "Textiles", "Mécanique", "Agroalimentaire",
          "Cosmétiques", "Logistique", "Chimie", "Distribution", "Fromageries", "Aéronautique", "Maroquinerie",
          "Électronique", "Papeteries", "Céramiques", "Conserveries", "Horlogerie", "Parfums")
FORMS = ("SAS", "SARL", "SA", "EURL", "SNC", "SASU")
CITIES = (("75008", "Paris"), ("69002", "Lyon"), ("13002", "Marseille"), ("33000", "Bordeaux"), ("59000", "Lille"),
          ("31000", "Toulouse"), ("44000", "Nantes"), ("67000", "Strasbourg"), ("76600", "Le Havre"),
          ("76000", "Rouen"), ("06000", "Nice"), ("34000", "Montpellier"), ("35000", "Rennes"), ("51100", "Reims"),
          ("21000", "Dijon"), ("37000", "Tours"), ("14000", "Caen"), ("64000", "Pau"), ("63000", "Clermont-Ferrand"),
          ("25000", "Besançon"))
STREETS = ("rue de la République", "avenue Jean Jaurès", "boulevard Victor Hugo", "rue du Port", "quai des Chartrons",
           "zone industrielle Nord", "rue Pasteur", "allée des Tilleuls", "chemin des Vignes", "route de Paris")

COMPANY_COLUMNS = ("id", "eori", "name", "address", "postcode", "city", "country", "phone", "email", "fax")
APPLICATION_COLUMNS = (
    "id", "reference", "kind", "status", "version", "created_by_id", "company_id", "office_id",
    "assigned_officer_id", "filed_on_paper", "created_at", "updated_at", "submitted_at", "received_complete_at",
    "answer_deadline", "decided_at", "exporter_eori", "exporter_name", "exporter_address", "exporter_postcode",
    "exporter_city", "exporter_country", "exporter_phone", "exporter_email", "main_activity")


def log(message: str) -> None:
    print(message, flush=True)


# --- the application and the schema ------------------------------------------------------------------

def make_app(url: str, schema: str, pg_options: tuple[str, ...] = ()):
    mail_dir = Path(tempfile.gettempdir()) / f"douane-bench-mail-{schema}"
    options = " ".join([f"-csearch_path={schema}", *(f"-c{o}" for o in pg_options)])
    return create_app({
        "SQLALCHEMY_DATABASE_URI": url,
        # Production's engine options, plus the schema (and --pg-option settings, if any).
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, "connect_args": {"options": options}},
        "WTF_CSRF_ENABLED": False,
        "SECRET_KEY": "bench",
        "REDIS_URL": None,
        "MAIL_FILE_DIR": str(mail_dir),
        "SERVER_NAME": None,
    })


def admin_engine(url: str):
    """An engine without search_path, for CREATE/DROP SCHEMA only."""
    return create_engine(database_uri(url, ROOT / "instance"), isolation_level="AUTOCOMMIT")


def schema_state(url: str, schema: str) -> tuple[bool, int | None]:
    """(schema exists, number of files or None when there is no application table)."""
    engine = admin_engine(url)
    try:
        with engine.connect() as conn:
            exists = conn.scalar(text("SELECT count(*) FROM pg_namespace WHERE nspname = :s"), {"s": schema}) > 0
            if not exists:
                return False, None
            table = conn.scalar(text("SELECT to_regclass(:t)"), {"t": f'"{schema}".application'})
            if table is None:
                return True, None
            return True, conn.scalar(text(f'SELECT count(*) FROM "{schema}".application'))
    finally:
        engine.dispose()


def recreate_schema(url: str, schema: str) -> None:
    engine = admin_engine(url)
    try:
        with engine.connect() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    finally:
        engine.dispose()


# --- loading -----------------------------------------------------------------------------------------

def create_accounts(offices: list[tuple[int, str]]) -> tuple[dict[int, int], list[int]]:
    """One officer per office, one supervisor of every office, OPERATORS operators. Idempotent."""
    password_hash = hash_password(PASSWORD)
    now = datetime.now(timezone.utc)
    existing = set(db.session.scalars(select(User.username)))
    rows = []
    for _, code in offices:
        username = f"agent.{code.lower()}"
        if username not in existing:
            rows.append(dict(username=username, email=f"{username}@bench.douane.example", first_name="Agent",
                             last_name=code, role=Role.OFFICER, office_id=None, code=code))
    if "superviseur.bench" not in existing:
        rows.append(dict(username="superviseur.bench", email="superviseur.bench@bench.douane.example",
                         first_name="Superviseur", last_name="Bench", role=Role.SUPERVISOR, office_id=None, code=None))
    for n in range(1, OPERATORS + 1):
        username = f"operateur.{n:04d}"
        if username not in existing:
            rows.append(dict(username=username, email=f"{username}@bench.example", first_name="Opérateur",
                             last_name=f"{n:04d}", role=Role.OPERATOR, office_id=None, code=None))
    office_by_code = {code: oid for oid, code in offices}
    for row in rows:
        code = row.pop("code")
        if code:
            row["office_id"] = office_by_code[code]
        row.update(password_hash=password_hash, activated_at=now, created_at=now, is_enabled=True)
    if rows:
        db.session.execute(insert(User), rows)
    supervisor = db.session.scalar(select(User.id).where(User.username == "superviseur.bench"))
    supervised = set(db.session.scalars(select(office_supervisors.c.office_id)
                                        .where(office_supervisors.c.user_id == supervisor)))
    missing = [{"office_id": oid, "user_id": supervisor} for oid, _ in offices if oid not in supervised]
    if missing:
        db.session.execute(office_supervisors.insert(), missing)
    db.session.commit()
    officers = {oid: uid for oid, uid in db.session.execute(
        select(User.office_id, User.id).where(User.role == Role.OFFICER, User.username.like("agent.%")))}
    operators = list(db.session.scalars(select(User.id).where(User.username.like("operateur.%")).order_by(User.id)))
    return officers, operators


def office_weights(n: int) -> list[float]:
    """Some offices are much busier than others (Zipf-like): the first one gets about 13% of the files."""
    return [1 / (k + 1) ** 0.8 for k in range(n)]


def company_rows(count: int, rng: random.Random):
    for cid in range(1, count + 1):
        postcode, city = CITIES[rng.randrange(len(CITIES))]
        name = f"{rng.choice(SURNAMES)} {rng.choice(TRADES)} {rng.choice(FORMS)}"
        yield (cid, f"FR{100000000 + cid:09d}{rng.randrange(100000):05d}", name,
               f"{rng.randrange(1, 300)} {rng.choice(STREETS)}", postcode, city, "FR",
               f"+33 1 {rng.randrange(10**8):08d}", f"contact{cid}@exportateur{cid % 9973}.example", None)


def application_rows(files: int, companies: list[tuple], offices: list[int], officers: dict[int, int],
                     operators: list[int], now: datetime, rng: random.Random):
    start = now - SPAN
    statuses = [s for s, _ in STATUS_MIX]
    status_cum = list(accumulate(share for _, share in STATUS_MIX))
    office_cum = list(accumulate(office_weights(len(offices))))
    office_total = office_cum[-1]
    # The pending files of one company are unique (uq_application_pending_company): hand them distinct
    # companies, in a random order; other files take any company.
    pending_companies = list(range(len(companies)))
    rng.shuffle(pending_companies)
    next_pending = 0
    span_s = SPAN.total_seconds()
    for fid in range(1, files + 1):
        status = statuses[min(bisect(status_cum, rng.random() * status_cum[-1]), len(statuses) - 1)]
        office = offices[min(bisect(office_cum, rng.random() * office_total), len(offices) - 1)]
        if status in PENDING:
            company = companies[pending_companies[next_pending]]
            next_pending += 1
        else:
            company = companies[rng.randrange(len(companies))]
        # Files are numbered in creation order, over three years.
        created = start + timedelta(seconds=span_s * (fid - 1) / files + rng.random() * 3600)
        submitted = received = deadline = decided = None
        if status == "draft":
            updated = created + timedelta(seconds=rng.random() * 86400 * 5)
            if rng.random() < 0.2:
                office = None
        else:
            submitted = created + timedelta(seconds=rng.random() * 86400 * 10)
            received = submitted
            if status == "incomplete":
                deadline = now + timedelta(seconds=rng.random() * 30 * 86400)
                updated = deadline - timedelta(days=30)
                if submitted > updated:
                    submitted = received = updated - timedelta(seconds=rng.random() * 86400 * 10)
            elif status == "under_review":
                updated = submitted + timedelta(seconds=rng.random() * 86400 * 30)
            else:
                updated = submitted + timedelta(seconds=rng.random() * 86400 * 120)
                decided = updated
        if updated > now:
            updated = now - timedelta(seconds=rng.random() * 3600)
        if decided is not None:
            decided = updated
        officer = officers.get(office) if office and rng.random() < ASSIGNED_SHARE[status] else None
        # company: id, eori, name, address, postcode, city, country, phone, email
        yield (fid, f"FR-REX-{created:%Y}-{fid:07d}", "REX", status, 1, operators[rng.randrange(len(operators))],
               company[0], office, officer, False, created, updated, submitted, received, deadline, decided,
               company[1], company[2], company[3], company[4], company[5], "FR", company[7], company[8],
               "production" if fid % 3 else "trade")


def copy_rows(cur, table: str, columns: tuple[str, ...], rows, label: str, total: int) -> None:
    started = time.perf_counter()
    sql = f'COPY "{table}" ({", ".join(columns)}) FROM STDIN (FREEZE)'
    with cur.copy(sql) as copy:
        for n, row in enumerate(rows, 1):
            copy.write_row(row)
            if n % 200_000 == 0:
                log(f"    {label}: {n:,}/{total:,} ({time.perf_counter() - started:.0f} s)")
    log(f"    {label}: {total:,} rows copied in {time.perf_counter() - started:.1f} s")


def bulk_load(files: int, companies_wanted: int, seed: int) -> dict:
    """COPY companies and applications in one transaction, secondary indexes and foreign keys of the
    application table dropped during the COPY and rebuilt from their own definitions after it."""
    rng = random.Random(seed)
    offices = db.session.execute(select(Office.id, Office.code).order_by(Office.id)).all()
    officers, operators = create_accounts(offices)
    # Offices in a random order, so that the busiest one is not always the first of the reference list.
    office_ids = [oid for oid, _ in offices]
    rng.shuffle(office_ids)
    pending_share = sum(share for status, share in STATUS_MIX if status in PENDING)
    companies_count = max(companies_wanted, math.ceil(files * pending_share * 1.05) + 1000)
    now = datetime.now(timezone.utc)
    db.session.remove()

    raw = db.engine.raw_connection()
    try:
        pg = raw.driver_connection
        with pg.cursor() as cur:
            cur.execute("SET LOCAL maintenance_work_mem = '256MB'")
            cur.execute("SET LOCAL synchronous_commit = off")
            cur.execute("""
                SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i
                JOIN pg_class c ON c.oid = i.indexrelid
                WHERE i.indrelid = 'application'::regclass
                  AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)""")
            indexes = cur.fetchall()
            cur.execute("""SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
                           WHERE conrelid = 'application'::regclass AND contype = 'f'""")
            foreign_keys = cur.fetchall()
            # Every table is empty but the reference data and the accounts: truncating makes COPY FREEZE possible.
            cur.execute("TRUNCATE application, company CASCADE")
            for name, _ in foreign_keys:
                cur.execute(f'ALTER TABLE application DROP CONSTRAINT "{name}"')
            for name, _ in indexes:
                cur.execute(f'DROP INDEX "{name}"')

            log(f"  generating and copying {companies_count:,} companies")
            company_list = list(company_rows(companies_count, rng))
            copy_rows(cur, "company", COMPANY_COLUMNS, company_list, "companies", companies_count)
            log(f"  generating and copying {files:,} applications")
            copy_rows(cur, "application", APPLICATION_COLUMNS,
                      application_rows(files, company_list, office_ids, officers, operators, now, rng),
                      "applications", files)
            del company_list

            started = time.perf_counter()
            for name, definition in indexes:
                t0 = time.perf_counter()
                cur.execute(definition)
                log(f"    index {name}: {time.perf_counter() - t0:.1f} s")
            for name, definition in foreign_keys:
                cur.execute(f'ALTER TABLE application ADD CONSTRAINT "{name}" {definition}')
            log(f"  indexes and foreign keys rebuilt in {time.perf_counter() - started:.1f} s")
            for table in ("application", "company", "user"):
                cur.execute(f"""SELECT setval(pg_get_serial_sequence('"{table}"', 'id'),
                                              (SELECT max(id) FROM "{table}"))""")
        raw.commit()
    finally:
        raw.close()
    return {"companies": companies_count, "officers": len(officers), "operators": len(operators)}


def vacuum_analyze() -> None:
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for table in ("application", "company", '"user"', "office", "office_supervisor"):
            conn.execute(text(f"VACUUM (ANALYZE) {table}"))


def ensure_loaded(app, url: str, schema: str, files: int, companies: int, reload: bool, seed: int) -> None:
    exists, count = schema_state(url, schema)
    if exists and count == files and not reload:
        log(f"schema {schema!r} already holds {files:,} files: load skipped (--reload to rebuild)")
        with app.app_context():
            upgrade()  # a migration added since the load (an index) is applied to the loaded data
            db.session.remove()
        return
    if exists:
        reason = "--reload" if reload else f"it holds {count if count is not None else 'no'} files, not {files:,}"
        log(f"dropping schema {schema!r} ({reason})")
    started = time.perf_counter()
    recreate_schema(url, schema)
    with app.app_context():
        upgrade()
        load_all()
        t0 = time.perf_counter()
        log(f"schema built by the migrations, reference data loaded in {t0 - started:.1f} s")
        counts = bulk_load(files, companies, seed)
        t1 = time.perf_counter()
        vacuum_analyze()
        log(f"VACUUM ANALYZE: {time.perf_counter() - t1:.1f} s")
        db.engine.dispose()
    log(f"LOADED {files:,} files, {counts['companies']:,} companies, {counts['officers']} officers, "
        f"1 supervisor, {counts['operators']:,} operators into schema {schema!r} in "
        f"{time.perf_counter() - started:.1f} s (COPY and index build: {t1 - t0:.1f} s)")


# --- measuring ----------------------------------------------------------------------------------------

class StatementLog:
    """Every statement the engine sends while `active`, with its parameters."""

    def __init__(self, engine):
        self.active = False
        self.statements: list[tuple[str, object]] = []
        event.listen(engine, "before_cursor_execute", self._record)

    def _record(self, conn, cursor, statement, parameters, context, executemany):
        if self.active:
            self.statements.append((statement, parameters))

    def start(self):
        self.statements = []
        self.active = True

    def stop(self):
        self.active = False
        return self.statements


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def list_statement(statements):
    """The statement that reads the page of files."""
    found = [(s, p) for s, p in statements if re.search(r"\bFROM application\b", s) and "LIMIT" in s]
    if len(found) != 1:
        raise AssertionError(f"expected one list query, found {len(found)}:\n" + "\n---\n".join(s for s, _ in statements))
    return found[0]


def walk(plan, depth=0):
    yield depth, plan
    for child in plan.get("Plans", ()):
        yield from walk(child, depth + 1)


def plan_summary(plan_json) -> dict:
    top = plan_json[0]
    plan = top["Plan"]
    indexes, notes, scanned = [], [], 0
    for _, node in walk(plan):
        kind = node["Node Type"]
        loops = node.get("Actual Loops", 1)
        rows = node.get("Actual Rows", 0) * loops
        removed = (node.get("Rows Removed by Filter", 0) + node.get("Rows Removed by Index Recheck", 0)) * loops
        if node.get("Index Name"):
            label = node["Index Name"] + (" (backward)" if node.get("Scan Direction") == "Backward" else "")
            if label not in indexes:
                indexes.append(label)
        if node.get("Relation Name") == "application" or (
                kind == "Bitmap Index Scan" and node.get("Index Name", "").startswith(("ix_application", "uq_application"))):
            if kind != "Bitmap Index Scan":
                scanned += rows + removed
        if kind == "Seq Scan":
            notes.append(f"SEQ SCAN {node.get('Relation Name')} ({rows + removed:,} rows read)")
        if kind in ("Sort", "Incremental Sort"):
            child = node.get("Plans", [{}])[0]
            notes.append(f"{kind.upper()} of {child.get('Actual Rows', 0) * child.get('Actual Loops', 1):,} rows "
                         f"({node.get('Sort Method', '?')})")
        if kind == "Bitmap Heap Scan":
            notes.append(f"bitmap heap scan {rows:,} rows (+{removed:,} removed)")
    return {
        "indexes": indexes,
        "application_rows_read": scanned,
        "notes": notes,
        "buffers_hit": plan.get("Shared Hit Blocks", 0),
        "buffers_read": plan.get("Shared Read Blocks", 0),
        "execution_ms": top.get("Execution Time"),
        "planning_ms": top.get("Planning Time"),
        "shape": " > ".join(f"{n['Node Type']}" + (f"[{n['Index Name']}]" if n.get("Index Name") else "")
                            for _, n in walk(plan)),
    }


def rows_on_page(html: str) -> int:
    return html.count('class="badge badge-status-')


def filter_arg(app, endpoint: str, predicate) -> str:
    view = next(v for v in app.extensions["admin"][0]._views if getattr(v, "endpoint", None) == endpoint)
    for key, (_, flt) in view._filter_args.items():
        if predicate(flt):
            return key
    raise LookupError(f"no such filter on {endpoint}")


def pick_office(engine, code: str | None) -> tuple[int, str]:
    with engine.connect() as conn:
        if code:
            row = conn.execute(text("SELECT id, code FROM office WHERE code = :c"), {"c": code}).one()
        else:  # the busiest office: the worst case
            row = conn.execute(text("""SELECT o.id, o.code FROM office o JOIN application a ON a.office_id = o.id
                                       GROUP BY o.id, o.code ORDER BY count(*) DESC LIMIT 1""")).one()
    return row[0], row[1]


def search_terms(engine, office_id: int) -> dict:
    with engine.connect() as conn:
        reference, eori, name = conn.execute(text(
            """SELECT reference, exporter_eori, exporter_name FROM application
               WHERE office_id = :o AND status <> 'draft' ORDER BY id DESC LIMIT 1 OFFSET 500"""),
            {"o": office_id}).one()
    return {"reference": reference[:-2], "eori": eori, "name": name.split()[0]}


def measure(app, engine, log_, client, path: str, repeat: int, warmup: int, expect_rows) -> dict:
    for _ in range(warmup):
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code, response.get_data(as_text=True)[:500])
    html = response.get_data(as_text=True)
    rows = rows_on_page(html)
    if expect_rows == "full":
        expected = int(parse_qs(urlsplit(path).query).get("page_size", ["20"])[0])
        assert rows == expected, f"{path}: {rows} rows on the page, expected {expected}"
    elif expect_rows == "some":
        assert rows > 0, f"{path}: no row on the page"

    app_times, cpu_times, counts, statements = [], [], set(), None
    for _ in range(repeat):
        log_.start()
        c0 = time.process_time()
        t0 = time.perf_counter()
        response = client.get(path)
        elapsed = time.perf_counter() - t0
        cpu_times.append((time.process_time() - c0) * 1000)
        statements = log_.stop()
        assert response.status_code == 200
        app_times.append(elapsed * 1000)
        counts.add(len(statements))
    joined = "\n".join(s for s, _ in statements).lower()
    assert "count(" not in joined, f"{path} runs a COUNT:\n{joined}"
    assert len(counts) == 1, f"{path}: the number of statements varies between requests: {counts}"
    n_statements = counts.pop()
    # No query per row: the page of 50 rows runs a handful of statements, each one once or twice at most.
    assert n_statements < 10, f"{path}: {n_statements} statements\n{joined}"

    sql, params = list_statement(statements)
    sql_times = []
    with engine.connect() as conn:
        for i in range(warmup + repeat):
            t0 = time.perf_counter()
            conn.exec_driver_sql(sql, params).fetchall()
            if i >= warmup:
                sql_times.append((time.perf_counter() - t0) * 1000)
            # As at the end of a request. psycopg also forgets its prepared statements on rollback, so
            # every execution is planned with its parameters, as the app's single query per request is.
            conn.rollback()
        plan = conn.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql, params).scalar()
        conn.rollback()
        generic = generic_plan(conn, sql, params)
    if isinstance(plan, str):
        plan = json.loads(plan)
    return {
        "path": path, "rows": rows,
        "app_median": statistics.median(app_times), "app_p95": percentile(app_times, 95),
        "app_cpu_median": statistics.median(cpu_times),
        "sql_median": statistics.median(sql_times), "sql_p95": percentile(sql_times, 95),
        "statements": n_statements, "statement_list": [s for s, _ in statements],
        "sql": sql, "params": {k: str(v) for k, v in (params or {}).items()} if isinstance(params, dict) else str(params),
        "plan": plan_summary(plan), "raw_plan": plan,
        "generic_plan": plan_summary(generic), "raw_generic_plan": generic,
    }


def _literal(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, datetime):
        value = value.isoformat()
    return "'" + str(value).replace("'", "''") + "'"


def generic_plan(conn, sql: str, params: dict):
    """The plan PostgreSQL caches for the statement once psycopg prepares it (after 5 executions on a
    connection) and the server settles on a generic plan: the parameters are not known when it is made."""
    names: list[str] = []

    def placeholder(match):
        names.append(match.group(1))
        return f"${len(names)}"

    prepared = re.sub(r"%\((\w+)\)s", placeholder, sql).replace("%%", "%")
    pg = conn.connection.dbapi_connection  # psycopg itself: no parameters, so no placeholder parsing
    try:
        pg.execute(f"PREPARE bench_generic AS {prepared}")
        pg.execute("SET plan_cache_mode = force_generic_plan")
        args = ", ".join(_literal(params[name]) for name in names)
        plan = pg.execute(f"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) EXECUTE bench_generic({args})").fetchone()[0]
    finally:
        pg.rollback()  # undoes the SET; the prepared statement outlives the transaction
        pg.execute("DEALLOCATE bench_generic")
        pg.rollback()
    return json.loads(plan) if isinstance(plan, str) else plan


def bench_pages(unassigned: str, status: str, terms: dict, under_review: int) -> list[tuple[str, str, str, bool]]:
    """(label, path, expected rows, part of the target): the pages of the brief, then other search paths."""
    return [
        ("À traiter, page 1", "/admin/a_traiter/", "full", True),
        ("À traiter, Non affecté = oui", f"/admin/a_traiter/?flt0_{unassigned}=1", "full", True),
        ("Tous, Statut = refusée", f"/admin/tous/?flt0_{status}=rejected", "full", True),
        ("Tous, recherche n° (préfixe)", f"/admin/tous/?search={quote(terms['reference'])}", "some", True),
        ("À traiter, page 200", "/admin/a_traiter/?page=199", "full" if under_review >= 200 * 20 else "any", True),
        ("À traiter, page 200 (50/page)", "/admin/a_traiter/?page=199&page_size=50",
         "full" if under_review >= 200 * 50 else "any", False),
        ("Incomplètes, page 1", "/admin/incompletes/", "full", True),
        ("(+) Tous, page 1", "/admin/tous/", "full", False),
        ("(+) Tous, recherche EORI", f"/admin/tous/?search={quote(terms['eori'])}", "some", False),
        ("(+) Tous, recherche nom fréquent", f"/admin/tous/?search={quote(terms['name'])}", "some", False),
        ("(+) Tous, recherche nom absent", "/admin/tous/?search=Zyzzyva", "any", False),
    ]


def page_setup(app, office_code: str | None) -> dict:
    """The office measured (the busiest unless given), its search terms and filter arguments, and the pages."""
    with app.app_context():
        engine = db.engine
        office_id, code = pick_office(engine, office_code)
        terms = search_terms(engine, office_id)
        with engine.connect() as conn:
            under_review = conn.scalar(text("SELECT count(*) FROM application WHERE office_id = :o "
                                            "AND status = 'under_review'"), {"o": office_id})
        unassigned = filter_arg(app, "a_traiter", lambda f: isinstance(f, UnassignedFilter))
        status = filter_arg(app, "tous", lambda f: isinstance(f, ScopedEqual) and f.column is Application.status)
    return {"office_id": office_id, "code": code, "terms": terms, "under_review": under_review,
            "unassigned": unassigned, "status": status,
            "pages": bench_pages(unassigned, status, terms, under_review)}


def run_bench(app, office_code: str | None, repeat: int, warmup: int, show_sql: bool, target_ms: float) -> list[dict]:
    setup = page_setup(app, office_code)
    office_id, code, terms, under_review = setup["office_id"], setup["code"], setup["terms"], setup["under_review"]
    unassigned, status, pages = setup["unassigned"], setup["status"], setup["pages"]
    with app.app_context():
        engine = db.engine
        log_ = StatementLog(engine)

    client = app.test_client()
    response = client.post("/connexion", data={"username": f"agent.{code.lower()}", "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    with app.app_context():
        settings = {name: db.session.scalar(text(f"SHOW {name}"))
                    for name in ("random_page_cost", "shared_buffers", "work_mem", "effective_cache_size",
                                 "max_parallel_workers_per_gather")}
        db.session.remove()
    log("\nPostgreSQL: " + ", ".join(f"{k}={v}" for k, v in settings.items()))
    log(f"logged in as agent.{code.lower()} (office {code}, id {office_id}: {under_review:,} files under review)")
    log(f"filter args: Non affecté = flt0_{unassigned}, Statut = flt0_{status}; "
        f"reference prefix {terms['reference']!r}, EORI {terms['eori']!r}, name {terms['name']!r}")
    page_html = client.get("/admin/a_traiter/").get_data(as_text=True)
    assert unassigned in page_html, "the filter arg is not the one the page's filter form uses"

    results = []
    for label, path, expect, target in pages:
        result = measure(app, engine, log_, client, path, repeat, warmup, expect)
        result["page"], result["target"] = label, target
        results.append(result)
        log(f"  {label:32} app {result['app_median']:7.1f} ms   SQL {result['sql_median']:7.2f} ms   "
            f"{result['rows']} rows")
    print_report(results, repeat, warmup, target_ms, show_sql)
    return results


def print_report(results: list[dict], repeat: int, warmup: int, target_ms: float, show_sql: bool) -> None:
    header = ("page", "app median ms", "app p95 ms", "SQL median ms", "SQL p95 ms", "statements/page", "index used",
              "app CPU ms")
    rows = [(r["page"], f"{r['app_median']:.1f}", f"{r['app_p95']:.1f}", f"{r['sql_median']:.2f}",
             f"{r['sql_p95']:.2f}", str(r["statements"]),
             ", ".join(i for i in r["plan"]["indexes"] if i != "pk_user") or "NONE (seq scan)",
             f"{r['app_cpu_median']:.1f}")
            for r in results]
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(header)]
    line = lambda cells: "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths)) + " |"  # noqa: E731
    log(f"\n{repeat} timed requests per page after {warmup} warm-ups. app = Flask test client round trip "
        f"(routing, queries, template); SQL = the page's list query alone, same engine and parameters; "
        f"app CPU = Python CPU time of the request (without the database, insensitive to other load); "
        f"index used: on application (the officer's row is joined through pk_user). (+) = beyond the brief.\n")
    log(line(header))
    log("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in rows:
        log(line(row))
    log("\nPlans (EXPLAIN ANALYZE, BUFFERS of the list query):")
    for r in results:
        p = r["plan"]
        notes = "; ".join(p["notes"]) or "no sort, no seq scan"
        log(f"  {r['page']}: {p['shape']}\n      application rows read {p['application_rows_read']:,}; "
            f"buffers hit {p['buffers_hit']:,} read {p['buffers_read']:,}; execution {p['execution_ms']:.2f} ms; "
            f"{notes}")
        g = r["generic_plan"]
        if g["indexes"] != p["indexes"]:
            log(f"      were it prepared (generic plan): {g['shape']}; application rows read "
                f"{g['application_rows_read']:,}; execution {g['execution_ms']:.2f} ms")
    log("\nStatements per page (none is a COUNT, none is repeated per row):")
    first = results[0]["statement_list"]
    for s in first:
        log("  - " + " ".join(s.split())[:150])
    slow = [r["page"] for r in results if r["target"] and r["app_median"] >= target_ms]
    slow_sql = [r["page"] for r in results if r["target"] and r["sql_median"] >= target_ms]
    log(f"\nTarget, median under {target_ms:.0f} ms on the pages of the brief: app "
        + ("met on every page" if not slow else "MISSED on " + ", ".join(slow)) + "; SQL "
        + ("met on every page" if not slow_sql else "MISSED on " + ", ".join(slow_sql)))
    if show_sql:
        for r in results:
            log(f"\n-- {r['page']} ({r['path']})\n{r['sql']}\n-- params {r['params']}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default=os.environ.get("DATABASE_URL", "postgresql://127.0.0.1/test"))
    parser.add_argument("--schema", default="bench")
    parser.add_argument("--files", type=int, default=1_000_000)
    parser.add_argument("--companies", type=int, default=200_000,
                        help="at least; raised to the number of pending files (one pending file per company)")
    parser.add_argument("--reload", action="store_true", help="drop the schema and load again")
    parser.add_argument("--load-only", action="store_true")
    parser.add_argument("--office", help="office code of the officer (default: the busiest office)")
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--target-ms", type=float, default=50.0)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--show-sql", action="store_true", help="print each page's list query")
    parser.add_argument("--pg-option", action="append", default=[], metavar="NAME=VALUE",
                        help="a PostgreSQL setting for the app's connections, e.g. random_page_cost=1.1")
    parser.add_argument("--json", help="write the results there (default bench/results/queues-<files>.json)")
    args = parser.parse_args(argv)
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", args.schema) or args.schema in ("public", "pg_catalog"):
        parser.error("--schema: a lower-case identifier other than public")
    if not args.url.startswith(("postgresql://", "postgres://")):
        parser.error("--url: a postgresql:// URL")

    for option in args.pg_option:
        if not re.fullmatch(r"[a-z_]+=[\w.]+", option):
            parser.error(f"--pg-option {option!r}: NAME=VALUE")
    app = make_app(args.url, args.schema, tuple(args.pg_option))
    ensure_loaded(app, args.url, args.schema, args.files, args.companies, args.reload, args.seed)
    if args.load_only:
        return 0
    results = run_bench(app, args.office, args.repeat, args.warmup, args.show_sql, args.target_ms)
    out = Path(args.json) if args.json else ROOT / "bench" / "results" / f"queues-{args.files}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2, default=str, ensure_ascii=False))
    log(f"\nresults written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
