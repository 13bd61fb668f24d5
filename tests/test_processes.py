"""The processes of the Procfile as an operations team runs them: gunicorn with gunicorn.conf.py (production by
default, one JSON line per event with LOG_FORMAT=json, the client restored behind TRUSTED_PROXIES) and the
release step that migrates. The rq worker's logging is checked in tests/jobs/test_rq_workers.py."""
import json
import os
import shlex
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests
from sqlalchemy import create_engine, text

from tests.servers import free_port
from tests.test_environment import PRODUCTION, SETTINGS

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def procfile() -> dict[str, str]:
    lines = (ROOT / "Procfile").read_text().splitlines()
    return dict((name, command.strip()) for name, command in (line.split(":", 1) for line in lines if line))


def environment(**env) -> dict:
    clean = {k: v for k, v in os.environ.items() if k not in SETTINGS}
    return {**clean, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}", "PYTHONPATH": str(ROOT), **env}


def gunicorn(tmp_path, **env) -> subprocess.Popen:
    """The Procfile's web process, run from elsewhere than the code (its paths come from PYTHONPATH)."""
    command = shlex.split(procfile()["web"].replace("gunicorn.conf.py", str(ROOT / "gunicorn.conf.py")))
    return subprocess.Popen(command, cwd=tmp_path, env=environment(**env), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def wait_for_port(port: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60  # a readiness wait; nothing is asserted about time
    while time.monotonic() < deadline and process.poll() is None:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    process.kill()
    raise AssertionError(f"gunicorn did not listen on {port}: {process.communicate()}")


def test_gunicorn_serves_production_behind_its_proxy_and_logs_one_json_line_per_event(tmp_path):
    port = free_port()
    # The login page reads no database: nothing needs to listen at DATABASE_URL.
    web = gunicorn(tmp_path, **{**PRODUCTION, "DATABASE_URL": "postgresql://127.0.0.1:1/rex"}, PORT=str(port),
                   WEB_CONCURRENCY="1", LOG_FORMAT="json", TRUSTED_PROXIES="1")
    try:
        wait_for_port(port, web)
        plain = requests.get(f"http://127.0.0.1:{port}/connexion", allow_redirects=False, timeout=30)
        proxied = requests.get(f"http://127.0.0.1:{port}/connexion", timeout=30,
                               headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"})
    finally:
        web.send_signal(signal.SIGTERM)
        out, err = web.communicate(timeout=60)

    assert plain.status_code == 302 and plain.headers["Location"].startswith("https://")
    assert proxied.status_code == 200 and "Strict-Transport-Security" in proxied.headers
    assert "Secure" in proxied.headers["Set-Cookie"]
    assert web.returncode == 0 and out == ""
    lines = [json.loads(line) for line in err.splitlines()]  # every line is one JSON object
    assert all({"time", "level", "logger", "message"} <= line.keys() for line in lines)
    access = [line for line in lines if line["logger"] == "gunicorn.access"]
    assert [(a["path"], a["status"], a["remote_addr"]) for a in access] == [
        ("/connexion", "302", "127.0.0.1"), ("/connexion", "200", "203.0.113.7")]
    assert any(line["message"] == "Shutting down: Master" for line in lines)


def test_gunicorn_refuses_to_start_when_production_settings_are_missing(tmp_path):
    web = gunicorn(tmp_path, PORT=str(free_port()), WEB_CONCURRENCY="1")  # no APP_ENV: gunicorn says production
    out, err = web.communicate(timeout=60)

    assert web.returncode == 1
    assert [line.split(" needs ")[0] for line in err.splitlines()] == [
        "Refusing to start: APP_ENV=production"] * 3
    assert "Booting worker" not in err


def test_the_release_step_migrates_the_database(tmp_path):
    release = procfile()["release"]
    assert ".venv" not in "".join(procfile().values())
    database = tmp_path / "released.sqlite"

    done = subprocess.run(release, shell=True, cwd=tmp_path, env=environment(DATABASE_URL=f"sqlite:///{database}"),
                          capture_output=True, text=True, timeout=300)

    assert done.returncode == 0, done.stderr
    engine = create_engine(f"sqlite:///{database}")
    with engine.connect() as connection:
        [head] = connection.execute(text("SELECT version_num FROM alembic_version")).scalars()
        assert connection.execute(text("SELECT count(*) FROM application")).scalar() == 0
    engine.dispose()
    heads = subprocess.run([str(BIN / "flask"), "--app", "wsgi", "db", "heads"], cwd=tmp_path, capture_output=True,
                           text=True, env=environment(DATABASE_URL=f"sqlite:///{database}"), check=True).stdout
    assert heads.split()[0] == head
