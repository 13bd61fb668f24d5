"""Load benchmark: the product served as in production (gunicorn, an rq worker), driven by locust.

    .venv/bin/python bench/load/run.py                  # 50 users for 60 s (builds the schema the first time)
    .venv/bin/python bench/load/run.py --reload         # drop and rebuild the schema bench_load first
    .venv/bin/python bench/load/run.py -u 100 -t 120    # other load
    .venv/bin/python bench/load/run.py --prepare-only   # build / top up the data, serve nothing

1. Prepares the PostgreSQL schema ``bench_load`` (``--schema``; never public, bench or bench_sweep): Alembic
   migrations, reference data, 100,000 bulk files (the COPY loader of bench/queues.py), then accounts,
   registrations and files under review through the workflow (bench/load/population.py). Kept between runs
   (each run tops the population up); ``--reload`` rebuilds it.
2. Starts, on loopback, ``gunicorn --workers 2*cores wsgi:app``, one ``rq worker`` for the queues of the
   Procfile and the REX stand-in, with DATABASE_URL on that schema, REDIS_URL on Redis database 9 (emptied
   before and after), the public register's and the login's limits lifted.
3. Runs locust headless (bench/load/locustfile.py): operators filing REX applications, officers paging their
   queues and granting or sending back files, anonymous clients of the public register.
4. Prints per route: requests, requests/s, p50/p95/p99 ms, failures; whether the target holds (every route p95
   under 300 ms, no failure, for the whole run); the CPU each process used; then checks the database: every
   filing the load saw accepted is there exactly once, under review or later, and nothing is half-written.
5. Stops every process it started, also on Ctrl-C or error. Exit status 0 when the target and the check hold.

See bench/load/README.md.
"""
from __future__ import annotations

import argparse
import csv
import json
import math
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import quote
from urllib.request import urlopen

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from sqlalchemy import event, func, select, text  # noqa: E402

from app.admin_views.filters import ScopedEqual, UnassignedFilter  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import (  # noqa: E402
    Application, ApplicationStatus, Contact, GoodsLine, HistoryEvent, OutboxEmail, PublicationConsent, Registration,
    RexTransmission, Undertaking, User,
)
from bench.load import population  # noqa: E402
from bench.queues import filter_arg, log, make_app  # noqa: E402

BIN = Path(sys.executable).parent
# The product's own commands (flask, gunicorn, rq) from its virtualenv, when locust runs from a venv of its own.
APP_BIN = ROOT / ".venv" / "bin" if (ROOT / ".venv" / "bin" / "gunicorn").exists() else BIN
FORBIDDEN_SCHEMAS = {"public", "bench", "bench_sweep", "pg_catalog", "information_schema"}
LIFTED = "100000 per minute"
S = ApplicationStatus


# --- processes ------------------------------------------------------------------------------------

class Processes:
    """The processes this run starts, each in its own session (process group), stopped in reverse order."""

    def __init__(self, logs: Path):
        self.logs = logs
        self.started: list[tuple[str, subprocess.Popen]] = []

    def start(self, name: str, args: list[str], env: dict) -> subprocess.Popen:
        out = open(self.logs / f"{name}.log", "wb")
        proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
        out.close()
        self.started.append((name, proc))
        return proc

    def stop_all(self) -> None:
        for name, proc in reversed(self.started):
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)  # the group of a process started here: itself and its children
                except ProcessLookupError:
                    continue
        deadline = time.time() + 20
        for name, proc in reversed(self.started):
            try:
                proc.wait(timeout=max(0.1, deadline - time.time()))
            except subprocess.TimeoutExpired:
                log(f"  {name} (pid {proc.pid}) did not stop on SIGTERM: SIGKILL")
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                proc.wait(timeout=10)
        for name, proc in self.started:
            try:  # stragglers of a group whose leader has exited (an rq work horse, a gunicorn worker)
                os.killpg(proc.pid, 0)
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.started.clear()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args[0]} exited with status {proc.returncode} before answering {url}")
        try:
            with urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except Exception as exc:  # not up yet
            last = exc
        time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f} s ({last})")


# --- CPU accounting (/proc) -------------------------------------------------------------------------

CLK = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> list[str] | None:
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return raw[raw.rindex(")") + 2:].split()


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            fields = _stat(int(entry.name))
            if fields:
                tree.setdefault(int(fields[1]), []).append(int(entry.name))
    return tree


def tree_cpu(pid: int, tree: dict[int, list[int]]) -> float:
    """CPU seconds of a process, of its live descendants, and of the children it has reaped."""
    total, stack = 0.0, [pid]
    while stack:
        p = stack.pop()
        fields = _stat(p)
        if fields:  # utime stime cutime cstime are fields 14-17 of stat, 11-14 after the command
            total += sum(int(x) for x in fields[11:15]) / CLK
        stack.extend(tree.get(p, ()))
    return total


def machine_cpu() -> tuple[float, float]:
    """(busy, total) CPU seconds of the machine since boot, over all cores."""
    values = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]
    return (sum(values[:8]) - idle) / CLK, sum(values[:8]) / CLK


def postgres_cpu(conn, application_prefix: str) -> dict[int, float]:
    """CPU seconds of the PostgreSQL backends serving connections whose application_name has this prefix."""
    pids = conn.execute(text("SELECT pid FROM pg_stat_activity WHERE application_name LIKE :p"),
                        {"p": application_prefix + "%"}).scalars().all()
    out = {}
    for pid in pids:
        fields = _stat(pid)
        if fields:
            out[pid] = sum(int(x) for x in fields[11:13]) / CLK
    return out


def all_postgres_cpu() -> float:
    total = 0.0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if Path(f"/proc/{entry.name}/comm").read_text().strip() == "postgres":
                    fields = _stat(int(entry.name))
                    total += sum(int(x) for x in fields[11:13]) / CLK if fields else 0
            except OSError:
                pass
    return total


class CpuMeter:
    def __init__(self, procs: dict[str, subprocess.Popen], engine, prefix: str):
        self.procs, self.engine, self.prefix = procs, engine, prefix

    def sample(self) -> dict:
        tree = _children()
        with self.engine.connect() as conn:
            backends = postgres_cpu(conn, self.prefix)
        busy, total = machine_cpu()
        return {"t": time.time(), "procs": {n: tree_cpu(p.pid, tree) for n, p in self.procs.items()},
                "backends": backends, "pg_all": all_postgres_cpu(), "busy": busy, "total": total}

    @staticmethod
    def report(before: dict, after: dict) -> list[tuple[str, float, float]]:
        wall = after["t"] - before["t"]
        rows = [(name, after["procs"][name] - before["procs"][name]) for name in after["procs"]]
        backends = sum(cpu - before["backends"].get(pid, 0.0) for pid, cpu in after["backends"].items())
        rows.append(("postgres backends of the app", backends))
        rows.append(("postgres, every backend on the machine", after["pg_all"] - before["pg_all"]))
        rows.append(("machine, all processes", after["busy"] - before["busy"]))
        cores = (after["total"] - before["total"]) / wall if wall else 0
        return [(name, cpu, cpu / wall) for name, cpu in rows] + [("(cores available)", cores * wall, cores)]


# --- the report -----------------------------------------------------------------------------------

def read_stats(prefix: Path) -> list[dict]:
    with open(f"{prefix}_stats.csv", newline="") as f:
        return list(csv.DictReader(f))


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(-(-len(ordered) * p // 100)) - 1)] if ordered else float("nan")


def measured_window(results: dict, duration: int) -> tuple[float, float]:
    """The `duration` seconds from the moment every user is in: the figures of the target."""
    since = results["times"].get("spawning_complete", results["times"]["test_start"])
    return since, since + duration


def route_stats(results: dict, since: float, until: float) -> dict[str, dict]:
    """Per route (and TOTAL): requests, failures and exact percentiles of the requests started in [since, until)."""
    by_route: dict[str, list[tuple[float, bool]]] = {}
    for start, method, name, ms, failed in results["samples"]:
        if since <= start < until:
            by_route.setdefault(f"{method} {name}", []).append((ms, failed))
            by_route.setdefault("TOTAL", []).append((ms, failed))
    stats = {}
    for route, rows in by_route.items():
        times = [ms for ms, _ in rows]
        stats[route] = {"requests": len(rows), "failures": sum(f for _, f in rows), "p50": percentile(times, 50),
                        "p95": percentile(times, 95), "p99": percentile(times, 99), "max": max(times)}
    return stats


def print_timeline(results: dict, step: int = 10) -> None:
    start = results["times"]["test_start"]
    windows: dict[int, list[float]] = {}
    for t, method, name, ms, failed in results["samples"]:
        windows.setdefault(int((t - start) // step), []).append(ms)
    log(f"\nAll requests by {step} s of the run (by start time): requests, p50, p95, max ms")
    for w in sorted(windows):
        v = windows[w]
        log(f"  {w * step:4d}-{(w + 1) * step:<4d} s  {len(v):5d}  {percentile(v, 50):7.0f} {percentile(v, 95):7.0f} "
            f"{max(v):7.0f}")


def print_table(window: dict[str, dict], ramp: dict[str, dict], seconds: float, target_ms: float) -> list[str]:
    """The measured window per route, slowest p95 first, with the p95 of the same route during the ramp;
    returns the routes over target."""
    header = ("route", "requests", "req/s", "p50 ms", "p95 ms", "p99 ms", "max ms", "failures", "ramp p95")
    nan = float("nan")

    def cells(name: str, row: dict) -> tuple:
        return (name, str(row["requests"]), f"{row['requests'] / seconds:.1f}", f"{row['p50']:.0f}",
                f"{row['p95']:.0f}", f"{row['p99']:.0f}", f"{row['max']:.0f}", str(row["failures"]),
                f"{ramp.get(name, {}).get('p95', nan):.0f}")

    rows = sorted((cells(k, v) for k, v in window.items() if k != "TOTAL"), key=lambda c: -float(c[4]))
    total = cells("TOTAL", window["TOTAL"])
    slow = [c[0] for c in rows if float(c[4]) >= target_ms]
    widths = [max(len(h), *(len(r[i]) for r in rows + [total])) for i, h in enumerate(header)]
    line = lambda cells: "| " + " | ".join(  # noqa: E731
        c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths))) + " |"
    log(line(header))
    log("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for c in rows:
        log(line(c) + ("  < p95 over target" if c[0] in slow else ""))
    log(line(total))
    return slow


def print_cpu(rows: list[tuple[str, float, float]]) -> None:
    log("\nCPU used during the load (from /proc; 1.00 = one core busy for the whole run):")
    for name, seconds, cores in rows:
        log(f"  {name:42} {seconds:8.1f} s   {cores:5.2f} cores")


# --- the database check ---------------------------------------------------------------------------

def check_database(results: dict, started: datetime, operator_ids: list[int]) -> tuple[bool, list[str]]:
    lines, ok = [], True

    def verdict(condition: bool, message: str) -> None:
        nonlocal ok
        ok = ok and condition
        lines.append(f"  [{'ok' if condition else 'FAILED'}] {message}")

    filings = results["filings"]
    accepted = [f for f in filings if f["outcome"] == "submitted"]
    references = [f["reference"] for f in accepted]
    outcomes: dict[str, int] = {}
    for f in filings:
        outcomes[f["outcome"]] = outcomes.get(f["outcome"], 0) + 1
    lines.append(f"  filings started by the operators: {len(filings)} ({', '.join(f'{k} {v}' for k, v in sorted(outcomes.items()))})")
    verdict(len(references) == len(set(references)),
            f"{len(references)} references read on confirmation pages, {len(set(references))} distinct")
    rows = db.session.execute(select(Application.reference, Application.id, Application.status)
                              .where(Application.reference.in_(references))).all()
    by_reference: dict[str, list] = {}
    for reference, aid, status in rows:
        by_reference.setdefault(reference, []).append((aid, status))
    missing = [r for r in references if r not in by_reference]
    doubled = [r for r, found in by_reference.items() if len(found) > 1]
    wrong_id = [f["reference"] for f in accepted
                if f["reference"] in by_reference and by_reference[f["reference"]][0][0] != f["id"]]
    not_filed = [r for r, found in by_reference.items() if any(s == S.DRAFT for _, s in found)]
    statuses: dict[str, int] = {}
    for found in by_reference.values():
        for _, status in found:
            statuses[status.value] = statuses.get(status.value, 0) + 1
    verdict(not missing and not doubled and not wrong_id,
            f"each accepted filing is in the database exactly once, under its id: {len(by_reference)} found, "
            f"{len(missing)} missing, {len(doubled)} doubled, {len(wrong_id)} under another id")
    verdict(not not_filed, f"status under review or later: {', '.join(f'{k} {v}' for k, v in sorted(statuses.items()))}")
    ids = [f["id"] for f in accepted]
    submitted_events = dict(db.session.execute(
        select(HistoryEvent.application_id, func.count()).where(HistoryEvent.application_id.in_(ids),
                                                                HistoryEvent.kind == "submitted")
        .group_by(HistoryEvent.application_id)).all())
    verdict(all(submitted_events.get(i) == 1 for i in ids),
            f"one 'submitted' history event each ({sum(1 for i in ids if submitted_events.get(i) == 1)}/{len(ids)})")
    duplicates = db.session.execute(select(Application.reference, func.count()).group_by(Application.reference)
                                    .having(func.count() > 1)).all()
    verdict(not duplicates, f"no duplicate reference in the whole table ({len(duplicates)} found)")

    # Everything the load operators created during the run.
    run_files = db.session.execute(select(Application.id, Application.status).where(
        Application.created_by_id.in_(operator_ids), Application.created_at >= started)).all()
    run_status: dict[str, int] = {}
    for _, status in run_files:
        run_status[status.value] = run_status.get(status.value, 0) + 1
    lines.append(f"  files the load operators created during the run: {len(run_files)} "
                 f"({', '.join(f'{k} {v}' for k, v in sorted(run_status.items()))})")
    seen_ids = {f["id"] for f in filings if f["id"]}
    accepted_ids = set(ids)
    unseen = [aid for aid, status in run_files if aid not in seen_ids]
    filed_unconfirmed = [aid for aid, status in run_files if status != S.DRAFT and aid not in accepted_ids]
    verdict(not unseen, f"every one of them is a draft some user created ({len(unseen)} unknown to the users)")
    verdict(not filed_unconfirmed, f"filed without the user seeing its confirmation: {len(filed_unconfirmed)}"
            + (f" {filed_unconfirmed[:10]}" if filed_unconfirmed else ""))
    drafts = [aid for aid, status in run_files if status == S.DRAFT]
    by_id = {f["id"]: f for f in filings if f["id"]}
    half = []
    for aid in drafts:
        parts = [db.session.scalar(select(func.count()).select_from(model).where(model.application_id == aid))
                 for model in (Contact, GoodsLine, Undertaking, PublicationConsent)]
        if any(parts) and not all(parts):
            half.append((aid, parts))
    explained = [aid for aid in drafts if by_id.get(aid, {}).get("outcome") in ("failed", "interrupted")]
    verdict(not half, f"drafts left: {len(drafts)} ({len(explained)} after a failed or interrupted flow), none "
            f"half-written (content all or nothing){': ' + str(half[:5]) if half else ''}")
    for aid in drafts[:10]:
        f = by_id.get(aid, {})
        lines.append(f"      draft {aid}: {f.get('outcome')} at step {f.get('step')}: {f.get('error', '')[:150]}")

    decisions = results["decisions"]
    done = [d for d in decisions if d["outcome"] == "done"]
    status_of = dict(db.session.execute(select(Application.id, Application.status)
                                        .where(Application.id.in_([d["id"] for d in done]))).all())
    registrations = dict(db.session.execute(select(Registration.application_id, func.count())
                                            .where(Registration.application_id.in_([d["id"] for d in done]))
                                            .group_by(Registration.application_id)).all())
    grants = [d for d in done if d["action"] == "grant"]
    infos = [d for d in done if d["action"] != "grant"]
    bad_grants = [d["id"] for d in grants if status_of.get(d["id"]) != S.GRANTED or registrations.get(d["id"]) != 1]
    bad_infos = [d["id"] for d in infos if status_of.get(d["id"]) != S.INCOMPLETE]
    failed = [d for d in decisions if d["outcome"] != "done"]
    verdict(not bad_grants and not bad_infos,
            f"officers' decisions: {len(grants)} grants (granted, one registration each: "
            f"{len(grants) - len(bad_grants)}), {len(infos)} requests for information (incomplete: "
            f"{len(infos) - len(bad_infos)}); {len(failed)} failed or interrupted")

    emails = dict(db.session.execute(select(OutboxEmail.status, func.count()).where(OutboxEmail.created_at >= started)
                                     .group_by(OutboxEmail.status)).all())
    submitted_mail = db.session.scalar(select(func.count()).select_from(OutboxEmail).where(
        OutboxEmail.created_at >= started, OutboxEmail.template == "submitted"))
    filed_in_run = sum(v for k, v in run_status.items() if k != "draft")
    verdict(submitted_mail == filed_in_run,
            f"one 'submitted' email per filing ({submitted_mail} for {filed_in_run}); emails of the run by status: "
            f"{emails}")
    transmissions = dict(db.session.execute(select(RexTransmission.state, func.count())
                                            .where(RexTransmission.created_at >= started)
                                            .group_by(RexTransmission.state)).all())
    lines.append(f"  REX transmissions of the run by state: {transmissions}")
    return ok, lines


# --- single-request profile ------------------------------------------------------------------------

class SqlTimer:
    def __init__(self, engine):
        self.active, self.count, self.seconds = False, 0, 0.0
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, conn, cursor, statement, parameters, context, executemany):
        if self.active:
            conn.info["bench_t0"] = time.perf_counter()

    def _after(self, conn, cursor, statement, parameters, context, executemany):
        if self.active and "bench_t0" in conn.info:
            self.count += 1
            self.seconds += time.perf_counter() - conn.info.pop("bench_t0")


def profile(url: str, schema: str, redis_url: str, config: dict, repeat: int) -> list[tuple]:
    """Each route once per repetition, in this process with the Flask test client, on the same data, the
    machine otherwise quiet: wall and CPU ms, statements and their ms (median over the repetitions)."""
    app = make_app(url, schema)
    app.config.update(REDIS_URL=redis_url, PUBLIC_RATE_LIMIT=LIFTED, REX_CENTRAL_URL=None, SERVER_NAME=None,
                      LOGIN_RATE_LIMIT_ACCOUNT=LIFTED, LOGIN_RATE_LIMIT_ADDRESS=LIFTED)
    with app.app_context():
        timer = SqlTimer(db.engine)
    samples: dict[str, list[tuple[float, float, int, float]]] = {}

    def call(client, method: str, path: str, name: str, expect=(200,), **kw):
        timer.count, timer.seconds, timer.active = 0, 0.0, True
        c0, t0 = time.process_time(), time.perf_counter()
        response = client.open(path, method=method, **kw)
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        timer.active = False
        if response.status_code not in expect:
            raise AssertionError(f"profile {method} {path}: {response.status_code} "
                                 f"{response.get_data(as_text=True)[:300]}")
        samples.setdefault(f"{method} {name}", []).append((wall * 1000, cpu * 1000, timer.count,
                                                           timer.seconds * 1000))
        return response

    officer = config["officers"][0]
    office = officer["office_id"]
    # The last account: locust's users take the accounts in order, so it files nothing unless -u is over 100.
    operator = {"username": config["operators"][-1]["username"], "companies": []}
    with app.app_context():  # companies still free after the load (it used some of those of the config)
        user_id = db.session.scalar(select(User.id).where(User.username == operator["username"]))
        for _, company in db.session.execute(population.free_companies_query([user_id])).all():
            operator["companies"].append({k: getattr(company, k) for k in
                                          ("id", "address", "postcode", "city", "phone", "email")})
        db.session.remove()
    unassigned, status = config["filters"]["unassigned"], config["filters"]["status"]
    filed = []
    for i in range(repeat + 1):  # the first round warms up (templates, imports) and is dropped
        op, of, pub = app.test_client(), app.test_client(), app.test_client()
        call(op, "GET", "/connexion", "/connexion")
        call(op, "POST", "/connexion", "/connexion", (302,),
             data={"username": operator["username"], "password": config["password"]})
        call(op, "GET", "/rex/demandes/en-cours", "/rex/demandes/en-cours")
        if operator["companies"]:
            company = operator["companies"].pop()
            call(op, "GET", "/rex/deposer", "/rex/deposer")
            location = call(op, "POST", "/rex/deposer", "/rex/deposer", (302,)).headers["Location"]
            aid = int(re.search(r"/demandes/(\d+)/", location).group(1))
            base = f"/rex/demandes/{aid}"
            page = call(op, "GET", f"{base}/formulaire", "/rex/demandes/[id]/formulaire").get_data(as_text=True)
            version = re.search(r'name="version"[^>]*value="(\d+)"', page).group(1)
            data = {"version": version, "action": "validate", "office_id": office, "company_id": company["id"],
                    "exporter_address": company["address"], "exporter_postcode": company["postcode"],
                    "exporter_city": company["city"], "exporter_country": "FR", "exporter_phone": company["phone"],
                    "exporter_email": company["email"], "main_activity": "production",
                    "contacts-0-full_name": "Paul Lefèvre", "contacts-0-address": company["address"],
                    "contacts-0-postcode": company["postcode"], "contacts-0-city": company["city"],
                    "contacts-0-country": "FR", "contacts-0-phone": company["phone"],
                    "contacts-0-email": "paul@charge.example", "goods-0-heading": "4202",
                    "goods-0-description": "Sacs", "relations": "JP", "undertaking_accepted": "y",
                    "undertaking_signatory_name": "Paul Lefèvre", "undertaking_signatory_function": "Gérant",
                    "undertaking_place": "Pau", "consent": "yes", "consent_signatory_name": "Paul Lefèvre",
                    "consent_signatory_function": "Gérant", "consent_place": "Pau"}
            call(op, "POST", f"{base}/formulaire", "/rex/demandes/[id]/formulaire", (302,), data=data)
            page = call(op, "GET", f"{base}/recapitulatif", "/rex/demandes/[id]/recapitulatif").get_data(as_text=True)
            version = re.search(r'name="version"[^>]*value="(\d+)"', page).group(1)
            call(op, "POST", f"{base}/recapitulatif", "/rex/demandes/[id]/recapitulatif", (302,),
                 data={"version": version})
            call(op, "GET", f"{base}/confirmation", "/rex/demandes/[id]/confirmation")
            call(op, "GET", base, "/rex/demandes/[id]")
            filed.append(aid)
        elif i == 0:
            log(f"  (profile: {operator['username']} has no free company left: no filing, no officer action)")
        call(of, "POST", "/connexion", "/connexion", (302,),
             data={"username": officer["username"], "password": config["password"]})
        call(of, "GET", "/admin/a_traiter/", "/admin/a_traiter/")
        call(of, "GET", "/admin/a_traiter/?page=20", "/admin/a_traiter/?page=[n]")
        call(of, "GET", f"/admin/a_traiter/?flt0_{unassigned}=1", "/admin/a_traiter/?non_affecte=1")
        call(of, "GET", f"/admin/tous/?flt0_{status}=rejected&page=10", "/admin/tous/?statut=[s]&page=[n]")
        if filed:
            aid = filed.pop()
            page = call(of, "GET", f"/admin/dossier/{aid}", "/admin/dossier/[id]").get_data(as_text=True)
            version = re.search(r'name="version" value="(\d+)"', page).group(1)
            if i % 2:
                call(of, "POST", f"/admin/dossier/{aid}/octroyer", "/admin/dossier/[id]/octroyer", (302,),
                     data={"version": version})
            else:
                call(of, "POST", f"/admin/dossier/{aid}/demander-informations",
                     "/admin/dossier/[id]/demander-informations", (302,),
                     data={"version": version, "message": "Merci de préciser."})
        call(pub, "GET", f"/api/public/rex/{random.choice(config['rex_known'])}", "/api/public/rex/[number]")
        call(pub, "GET", "/api/public/rex/FRREXFR80000000000001", "/api/public/rex/[number] (unknown)", (404,))
        call(pub, "GET", f"/api/public/eori/{random.choice(config['eori_known'])}", "/api/public/eori/[number]")
        call(pub, "GET", f"/registre?number={quote(random.choice(config['rex_known']))}",
             "/registre?number=[number]")
        if i == 0:
            samples.clear()
    with app.app_context():
        db.engine.dispose()
    rows = []
    for name, values in samples.items():
        rows.append((name, statistics.median(v[0] for v in values), statistics.median(v[1] for v in values),
                     max(v[2] for v in values), statistics.median(v[3] for v in values)))
    return rows


# --- main -----------------------------------------------------------------------------------------

def child_env(args, port: int, standin_port: int, tmp: Path, app_name: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PG", "DATABASE_", "REDIS_", "MAIL_"))}
    options = quote(f"-csearch_path={args.schema}", safe="")
    env.update({
        # The app adds its random_page_cost to the URL's options (app/__init__.py, _tune_postgresql).
        "DATABASE_URL": f"{args.url}?application_name={app_name}&options={options}",
        "REDIS_URL": args.redis_url,
        "SECRET_KEY": f"bench-load-{random.randrange(10**12)}",
        "PUBLIC_RATE_LIMIT": LIFTED,
        "LOGIN_RATE_LIMIT_ACCOUNT": LIFTED,
        "LOGIN_RATE_LIMIT_ADDRESS": LIFTED,
        "PASSWORD_RESET_RATE_LIMIT": LIFTED,
        # Plain http on loopback: no Secure cookie, no redirect to https (gunicorn.conf.py says production otherwise).
        "APP_ENV": "development",
        "SESSION_COOKIE_SECURE": "0",
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "MAIL_FILE_DIR": str(tmp / "mail"),
        "REX_CENTRAL_URL": f"http://127.0.0.1:{standin_port}/rex/registrations",
        "PYTHONUNBUFFERED": "1",
    })
    return env


def verify_env(env: dict, schema: str) -> str:
    """The app built from that environment really connects to the schema (psycopg 3, URL options)."""
    code = ("from app import create_app\nfrom app.extensions import db\nfrom sqlalchemy import text\n"
            "app = create_app()\nwith app.app_context():\n"
            "    print(db.session.execute(text('SELECT current_setting(\\'search_path\\') || \\' \\' || "
            "current_setting(\\'random_page_cost\\') || \\' \\' || current_setting(\\'application_name\\')'))"
            ".scalar())\n"
            "    print(app.config['SESSION_COOKIE_SECURE'], app.config['PUBLIC_RATE_LIMIT'])\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=60)
    if out.returncode:
        raise RuntimeError(f"the app does not start with the load environment:\n{out.stderr[-2000:]}")
    first = out.stdout.strip().splitlines()
    if not first or first[0].split()[0] != schema:
        raise RuntimeError(f"the app's connections do not use the schema {schema!r}: {out.stdout}")
    return " / ".join(first)


def env_names_read_by_config() -> set[str]:
    return set(re.findall(r"os\.environ\.get\(\s*\"([A-Z_]+)\"", (ROOT / "config.py").read_text())) | \
        set(re.findall(r"_env_bool\(\s*\"([A-Z_]+)\"", (ROOT / "config.py").read_text()))


def drain(redis, timeout: float) -> dict:
    """Wait for the worker to empty the queues; return what is left (queued, started, failed per queue)."""
    from rq import Queue
    from rq.registry import FailedJobRegistry, StartedJobRegistry

    names = ("periodic", "emails", "rex", "batch", "default")
    deadline = time.time() + timeout
    while True:
        left = {n: (len(Queue(n, connection=redis)), len(StartedJobRegistry(n, connection=redis)),
                    len(FailedJobRegistry(n, connection=redis))) for n in names}
        if all(q == 0 and s == 0 for q, s, _ in left.values()) or time.time() > deadline:
            return {n: v for n, v in left.items() if any(v)}
        time.sleep(0.5)


def warm_up(args, config: dict, config_path: Path, out: Path, port: int, procs: Processes) -> None:
    """A short locust run of 10 users before the measured one, with its own companies and files: every gunicorn
    worker has compiled its templates and opened its connections, as a server in service has. Not measured."""
    warm = json.loads(json.dumps(config))
    for w, o in zip(warm["operators"], config["operators"]):
        w["companies"], o["companies"] = o["companies"][:1], o["companies"][1:]
    for office, ids in config["pending_files"].items():
        warm["pending_files"][office], config["pending_files"][office] = ids[:10], ids[10:]
    warm["results"] = str(out / "warmup-filings.json")
    warm_path = out / "warmup-config.json"
    warm_path.write_text(json.dumps(warm, ensure_ascii=False))
    config_path.write_text(json.dumps(config, indent=1, ensure_ascii=False))
    users = min(10, args.users)
    locust = procs.start("warmup-locust", [
        str(BIN / "locust"), "-f", str(ROOT / "bench" / "load" / "locustfile.py"), "--headless", "-u", str(users),
        "-r", str(users), "-t", f"{args.warmup}s", "--stop-timeout", "30", "--host", f"http://127.0.0.1:{port}",
        "--csv", str(out / "warmup"), "--only-summary", "--loglevel", "WARNING"],
        {**os.environ, "BENCH_LOAD_CONFIG": str(warm_path)})
    locust.wait(timeout=args.warmup + 120)
    total = next((r for r in read_stats(out / "warmup") if r["Name"] == "Aggregated"), {})
    log(f"warm-up: {users} users for {args.warmup} s, {total.get('Request Count')} requests, "
        f"{total.get('Failure Count')} failures (not in the figures below)")


def log_worker_jobs(path: Path) -> None:
    """How long the rq worker took per job, from its log."""
    durations: dict[str, list[float]] = {}
    for match in re.finditer(r"Successfully completed (\S+?)\(.*?\) job in (\d+):(\d+):([\d.]+)s",
                             path.read_text(errors="replace")):
        h, m, sec = int(match.group(2)), int(match.group(3)), float(match.group(4))
        durations.setdefault(match.group(1), []).append(h * 3600 + m * 60 + sec)
    log("\nrq worker jobs completed during the run (from its log):" + ("" if durations else " none"))
    for name, values in sorted(durations.items()):
        log(f"  {name:40} {len(values):5d} jobs, median {statistics.median(values):6.2f} s, "
            f"max {max(values):6.2f} s, total {sum(values):7.1f} s")


class Tee:
    def __init__(self, *streams):
        self.streams = streams

    def write(self, data):
        for stream in self.streams:
            stream.write(data)

    def flush(self):
        for stream in self.streams:
            stream.flush()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default=os.environ.get("DATABASE_URL", "postgresql://127.0.0.1/test"),
                        help="postgresql://host/database, without a query string")
    parser.add_argument("--schema", default="bench_load")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/9")
    parser.add_argument("--files", type=int, default=100_000, help="bulk files (bench/queues.py loader)")
    parser.add_argument("--reload", action="store_true", help="drop the schema and build it again")
    parser.add_argument("--prepare-only", action="store_true")
    parser.add_argument("-u", "--users", type=int, default=50)
    parser.add_argument("-r", "--spawn-rate", type=float, default=10)
    parser.add_argument("-t", "--duration", type=int, default=60, help="seconds")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1), help="gunicorn workers")
    parser.add_argument("--weights", default="operator=2,officer=1,public=2")
    parser.add_argument("--operators", type=int, default=50)
    parser.add_argument("--officers", type=int, default=10)
    parser.add_argument("--free", type=int, default=10, help="companies each operator may file for, per run")
    parser.add_argument("--registrations", type=int, default=200)
    parser.add_argument("--pending", type=int, default=150, help="files under review for the officers")
    parser.add_argument("--target-ms", type=float, default=300.0, help="p95 target of every route")
    parser.add_argument("--warmup", type=int, default=15,
                        help="seconds of a 10-user run before the measured one (0: none), not measured")
    parser.add_argument("--no-worker", action="store_true",
                        help="diagnosis only: start no rq worker (jobs wait in Redis), to see what it costs the web")
    parser.add_argument("--profile-repeat", type=int, default=5, help="0: no single-request profile")
    parser.add_argument("--out", help="directory of the locust CSV, logs and results "
                        "(default bench/results/load-<time>)")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", args.schema) or args.schema in FORBIDDEN_SCHEMAS:
        parser.error(f"--schema: a lower-case identifier other than {', '.join(sorted(FORBIDDEN_SCHEMAS))}")
    if not args.url.startswith(("postgresql://", "postgres://")) or "?" in args.url:
        parser.error("--url: a postgresql:// URL without a query string (the script adds the schema's options)")
    redis_db = re.fullmatch(r"redis://[^/]+/(\d+)", args.redis_url)
    if not redis_db or int(redis_db.group(1)) == 0:
        parser.error("--redis-url: redis://host:port/N with a dedicated database (not 0)")
    weights = dict((k, int(v)) for k, v in (w.split("=") for w in args.weights.split(",")))

    out = Path(args.out) if args.out else ROOT / "bench" / "results" / f"load-{datetime.now():%Y%m%d-%H%M%S}"
    out.mkdir(parents=True, exist_ok=True)
    tmp = out / "files"  # the emails the worker writes (.eml), what the REX stand-in receives
    tmp.mkdir(exist_ok=True)
    sys.stdout = Tee(sys.__stdout__, open(out / "report.txt", "w"))
    head = subprocess.run(["git", "log", "-1", "--format=%h %s"], cwd=ROOT, capture_output=True, text=True).stdout
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, capture_output=True,
                           text=True).stdout.splitlines()
    log(f"{datetime.now():%Y-%m-%d %H:%M}; code: {head.strip()[:90]} + {len(dirty)} modified files in the work tree")
    log(f"load average before: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f} "
        f"({os.cpu_count()} cores); results in {out}")

    # 1. the schema and the data.
    app = make_app(args.url, args.schema)
    app.config["REX_CENTRAL_URL"] = None  # preparation transmits nothing; the worker of the run will
    t0 = time.perf_counter()
    if args.reload or not population.is_built(args.url, args.schema):
        log(f"building schema {args.schema!r} ({args.files:,} bulk files)")
        population.build_schema(app, args.url, args.schema, args.files, args.seed)
    else:
        from flask_migrate import upgrade
        with app.app_context():
            upgrade()
            db.session.remove()
    with app.app_context():
        added = population.ensure_population(args.operators, args.officers, args.free, args.registrations,
                                             args.pending, args.seed)
        config = population.load_config(args.operators, random.Random(args.seed))
        config["filters"] = {
            "unassigned": filter_arg(app, "a_traiter", lambda f: isinstance(f, UnassignedFilter)),
            "status": filter_arg(app, "tous", lambda f: isinstance(f, ScopedEqual)
                                 and f.column is Application.status)}
        operator_ids = list(db.session.scalars(select(User.id).where(
            User.username.in_(population.operator_names(args.operators)))))
        counts = {"files": db.session.scalar(select(func.count()).select_from(Application)),
                  "registrations": db.session.scalar(select(func.count()).select_from(Registration))}
        db.session.remove()
        db.engine.dispose()
    config.update(weights=weights, results=str(out / "filings.json"))
    config_path = out / "locust-config.json"
    config_path.write_text(json.dumps(config, indent=1, ensure_ascii=False))
    free = sum(len(o["companies"]) for o in config["operators"])
    log(f"data ready in {time.perf_counter() - t0:.1f} s (added {added}): {counts['files']:,} files, "
        f"{counts['registrations']} registrations, {len(config['operators'])} operators ({free} free companies), "
        f"{len(config['officers'])} officers of offices {config['offices']}, "
        f"{sum(len(v) for v in config['pending_files'].values())} files under review to instruct")
    if args.prepare_only:
        return 0

    from redis import Redis
    redis = Redis.from_url(args.redis_url)
    redis.flushdb()
    procs = Processes(out)
    interrupted = {"signal": None}

    def on_signal(signum, frame):
        interrupted["signal"] = signum
        raise KeyboardInterrupt

    # SIGINT too: a script started in the background of a shell inherits SIGINT ignored.
    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        port, standin_port = free_port(), free_port()
        env = child_env(args, port, standin_port, tmp, f"{args.schema}_web")
        worker_env = child_env(args, port, standin_port, tmp, f"{args.schema}_worker")
        log(f"app environment checked: {verify_env(env, args.schema)}")
        read = env_names_read_by_config()
        lifted = [n for n in ("PUBLIC_RATE_LIMIT", "LOGIN_RATE_LIMIT_ACCOUNT", "LOGIN_RATE_LIMIT_ADDRESS",
                              "PASSWORD_RESET_RATE_LIMIT", "APP_ENV", "SESSION_COOKIE_SECURE") if n in read]
        log(f"settings given by environment and read by config.py: {', '.join(lifted)}")

        standin = procs.start("rex-standin", [str(APP_BIN / "flask"), "--app", "wsgi", "rex-standin", "--port",
                                              str(standin_port), "--record", str(tmp / "rex-standin.jsonl")], env)
        web = procs.start("gunicorn", [str(APP_BIN / "gunicorn"), "--workers", str(args.workers), "--bind",
                                       f"127.0.0.1:{port}", "wsgi:app"], env)
        worker = None if args.no_worker else procs.start(
            "rq-worker", [str(APP_BIN / "rq"), "worker", "-w", "jobs.worker.AppWorker", "--url", args.redis_url,
                          "--with-scheduler", "--dequeue-strategy", "round_robin", "periodic", "emails", "rex",
                          "batch", "default"], worker_env)
        wait_http(f"http://127.0.0.1:{standin_port}/rex/registrations", standin)
        wait_http(f"http://127.0.0.1:{port}/healthz", web)
        log(f"serving http://127.0.0.1:{port} (gunicorn {args.workers} workers, pid {web.pid}), "
            + (f"rq worker pid {worker.pid}" if worker else "NO rq worker (--no-worker)")
            + f", REX stand-in :{standin_port}")

        if args.warmup:
            warm_up(args, config, config_path, out, port, procs)

        from sqlalchemy import create_engine
        meter_engine = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
        started = datetime.now(timezone.utc)
        prefix = out / "locust"
        # The users arrive at the spawn rate; the measured window is the `duration` seconds once all are in.
        ramp = math.ceil(args.users / args.spawn_rate)
        locust_args = [str(BIN / "locust"), "-f", str(ROOT / "bench" / "load" / "locustfile.py"), "--headless",
                       "-u", str(args.users), "-r", str(args.spawn_rate), "-t", f"{ramp + args.duration}s",
                       "--stop-timeout", "30", "--host", f"http://127.0.0.1:{port}", "--csv", str(prefix),
                       "--only-summary", "--loglevel", "WARNING"]
        log(f"load average at the start of the load: {os.getloadavg()[0]:.2f}\n$ {' '.join(locust_args[1:])}")
        locust = procs.start("locust", locust_args, {**os.environ, "BENCH_LOAD_CONFIG": str(config_path)})
        launched = time.time()
        measured = {"gunicorn (master + workers)": web, "locust": locust}
        if worker:
            measured["rq worker (+ work horses)"] = worker
        meter = CpuMeter(measured, meter_engine, f"{args.schema}_")
        # CPU is measured over the measured window: from the end of the ramp to the end of -t.
        time.sleep(max(0.0, launched + ramp - time.time()))
        before = meter.sample()
        while locust.poll() is None and time.time() < launched + ramp + args.duration:
            time.sleep(0.2)
        after = meter.sample()
        try:
            locust.wait(timeout=ramp + args.duration + 120)
        except subprocess.TimeoutExpired:
            raise RuntimeError("locust did not finish in time") from None
        load_end = os.getloadavg()
        log(f"locust exited with status {locust.returncode}; load average at the end: "
            f"{load_end[0]:.2f} {load_end[1]:.2f} {load_end[2]:.2f}")
        backlog = drain(redis, 0)
        left = drain(redis, 60 if worker else 0)
        log(f"worker queues (queued, started, failed) at the end of the load: {backlog or 'empty'}; "
            f"60 s later: {left or 'empty'}")

        results = json.loads((out / "filings.json").read_text())
        since, until = measured_window(results, args.duration)
        window = route_stats(results, since, until)
        ramp_stats = route_stats(results, results["times"]["test_start"], since)
        everything = route_stats(results, 0, float("inf"))["TOTAL"]
        log(f"\n{args.users} users ({', '.join(f'{k} weight {v}' for k, v in weights.items())}) arriving at "
            f"{args.spawn_rate:g}/s (ramp of {since - results['times']['test_start']:.1f} s), then {args.duration} s "
            f"with all of them: the measured window. gunicorn {args.workers} workers. Exact response times in ms "
            f"of the requests started in the window; ramp p95: the same route while the users were arriving:\n")
        slow = print_table(window, ramp_stats, args.duration, args.target_ms)
        print_timeline(results)
        print_cpu(CpuMeter.report(before, after))
        failures = Path(f"{prefix}_failures.csv")
        if failures.exists():
            rows = list(csv.DictReader(failures.open()))
            if rows:
                log("\nFailures:")
                for row in rows:
                    log(f"  {row['Occurrences']:>5} x {row['Method']} {row['Name']}: {row['Error'][:300]}")
        if worker:
            log_worker_jobs(out / "rq-worker.log")
        errors = [line for line in (out / "gunicorn.log").read_text(errors="replace").splitlines()
                  if "Traceback" in line or "ERROR" in line or "WORKER TIMEOUT" in line]
        log(f"\ngunicorn log: {len(errors)} error lines" + "".join(f"\n  {e[:200]}" for e in errors[:10]))
        total = window["TOTAL"]
        target = not slow and not everything["failures"] and locust.returncode == 0
        log(f"\nTarget ({args.users} concurrent users for {args.duration} s, no failure, p95 under "
            f"{args.target_ms:.0f} ms on every route): " + ("HOLDS" if target else "MISSED") +
            f" — {total['requests']} requests in the window, {total['requests'] / args.duration:.1f}/s, p95 "
            f"{total['p95']:.0f} ms; {everything['failures']} failures in the whole run "
            f"({everything['requests']} requests)" +
            (f"; p95 over target on: {', '.join(slow)}" if slow else ""))
        ramp_slow = sorted(k for k, v in ramp_stats.items() if k != "TOTAL" and v["p95"] >= args.target_ms)
        log(f"Ramp ({ramp_stats['TOTAL']['requests']} requests while the users arrived): p95 "
            f"{ramp_stats['TOTAL']['p95']:.0f} ms; "
            + (f"over target on {len(ramp_slow)} routes: {', '.join(ramp_slow)}" if ramp_slow
               else "under target on every route"))

        with app.app_context():
            ok, lines = check_database(results, started, operator_ids)
            db.session.remove()
            db.engine.dispose()
        log("\nDatabase check:\n" + "\n".join(lines))
        log(f"Database check: {'PASSED' if ok else 'FAILED'}")

        if args.profile_repeat:
            rows = profile(args.url, args.schema, args.redis_url, config, args.profile_repeat)
            log(f"\nSingle requests, one at a time, in this process (Flask test client, same data, median of "
                f"{args.profile_repeat}), for comparison with the p50 under load:")
            p50 = {name: row["p50"] for name, row in window.items()}
            log(f"  {'route':52} {'wall ms':>8} {'CPU ms':>7} {'SQL stmts':>9} {'SQL ms':>7} {'p50 load':>9}")
            for name, wall, cpu, count, sql in sorted(rows, key=lambda r: -r[1]):
                under = p50.get(name.replace(" (unknown)", ""))
                log(f"  {name:52} {wall:8.1f} {cpu:7.1f} {count:9d} {sql:7.1f} "
                    f"{'' if under is None else f'{under:9.0f}'}")
        if worker:
            drain(redis, 30)
        return 0 if target and ok else 1
    except KeyboardInterrupt:
        log(f"\ninterrupted ({signal.Signals(interrupted['signal']).name if interrupted['signal'] else 'Ctrl-C'}): "
            "stopping")
        return 130
    finally:
        procs.stop_all()
        try:
            redis.flushdb()
        except Exception as exc:  # Redis gone: nothing to clean there
            log(f"could not empty {args.redis_url}: {exc}")
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        log(f"processes stopped, {args.redis_url} emptied; schema {args.schema!r} kept (--reload rebuilds it); "
            f"logs in {out}")


if __name__ == "__main__":
    sys.exit(main())
