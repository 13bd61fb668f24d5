"""The officers' queue pages served by gunicorn, timed over HTTP (issue 19: "through gunicorn").

    .venv/bin/python bench/queues_http.py --url postgresql://127.0.0.1/test [--repeat 30] [--workers 1]

Needs bench/queues.py's schema (``bench``, 1,000,000 files; loaded by that script). Starts gunicorn with the
product's configuration (gunicorn.conf.py) on a free loopback port, connected to that schema, logs in over HTTP
as the officer of the busiest office (CSRF token and all), then requests the same pages as bench/queues.py, one
at a time: `--warmup` then `--repeat` requests per page. For each page: the median and p95 of the round trip
seen by the client (a new connection per request, as gunicorn's synchronous workers close it), and the CPU
the gunicorn worker spent on the page (its /proc stat before and after, divided by the requests).
"""
from __future__ import annotations

import argparse
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))

import queues  # noqa: E402

CSRF = re.compile(r'<input[^>]*\bname="csrf_token"[^>]*\bvalue="([^"]+)"')
TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def worker_pids(master: int) -> list[int]:
    found = subprocess.run(["pgrep", "-P", str(master)], capture_output=True, text=True).stdout.split()
    return [int(pid) for pid in found]


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / TICKS


def start_gunicorn(url: str, schema: str, port: int, workers: int) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PG", "DATABASE_", "REDIS_"))}
    env.update({
        "DATABASE_URL": f"{url}?options={quote(f'-csearch_path={schema}', safe='')}",
        "SECRET_KEY": "bench-http", "APP_ENV": "development", "SESSION_COOKIE_SECURE": "0",
        "GUNICORN_BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": str(workers),
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}", "LOGIN_RATE_LIMIT_ACCOUNT": "1000000 per minute",
        "LOGIN_RATE_LIMIT_ADDRESS": "1000000 per minute",
    })
    process = subprocess.Popen([str(ROOT / ".venv/bin/gunicorn"), "-c", "gunicorn.conf.py", "--access-logfile",
                                "/dev/null", "wsgi:app"], cwd=ROOT, env=env, start_new_session=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    for _ in range(100):
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return process
        except requests.ConnectionError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("gunicorn did not start: " + process.stderr.read().decode()[-2000:])


def log_in(base: str, username: str) -> requests.Session:
    session = requests.Session()
    page = session.get(f"{base}/connexion")
    response = session.post(f"{base}/connexion", allow_redirects=False, data={
        "csrf_token": CSRF.search(page.text).group(1), "username": username, "password": queues.PASSWORD})
    assert response.status_code == 302, response.text[:500]
    return session


def measure(session: requests.Session, base: str, path: str, pids: list[int], repeat: int, warmup: int) -> dict:
    for _ in range(warmup):
        assert session.get(base + path).status_code == 200
    times = []
    cpu_before = cpu_seconds(pids)
    for _ in range(repeat):
        start = time.perf_counter()
        response = session.get(base + path, headers={"Connection": "close"})
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    cpu = (cpu_seconds(pids) - cpu_before) * 1000 / repeat
    return {"median": statistics.median(times), "p95": queues.percentile(times, 95), "cpu": cpu}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default=os.environ.get("DATABASE_URL", "postgresql://127.0.0.1/test"))
    parser.add_argument("--schema", default="bench")
    parser.add_argument("--office", help="office code of the officer (default: the busiest office)")
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--workers", type=int, default=1, help="gunicorn workers (one: its CPU is the page's)")
    args = parser.parse_args(argv)

    setup = queues.page_setup(queues.make_app(args.url, args.schema), args.office)
    port = free_port()
    server = start_gunicorn(args.url, args.schema, port, args.workers)
    try:
        base = f"http://127.0.0.1:{port}"
        session = log_in(base, f"agent.{setup['code'].lower()}")
        pids = worker_pids(server.pid)
        load = os.getloadavg()
        queues.log(f"gunicorn {args.workers} worker(s) on {base}, office {setup['code']}, {args.repeat} requests "
                   f"per page after {args.warmup}; load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
        queues.log("| page | p50 ms | p95 ms | worker CPU ms per request |")
        queues.log("|---|---|---|---|")
        for label, path, _expect, _target in setup["pages"]:
            result = measure(session, base, path, pids, args.repeat, args.warmup)
            queues.log(f"| {label} | {result['median']:.1f} | {result['p95']:.1f} | {result['cpu']:.1f} |")
        load = os.getloadavg()
        queues.log(f"load average at the end {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
