"""APP_ENV: production refuses to start on unsafe settings, one line each; .env files are read; TRUSTED_PROXIES
restores the client's address and scheme (ProxyFix)."""
import os
import subprocess
import sys
from pathlib import Path

from flask import jsonify, request

from app import create_app
from app.extensions import db

ROOT = Path(__file__).resolve().parent.parent
# What a process reads from its environment here; each test says which of them it sets.
SETTINGS = ("APP_ENV", "SECRET_KEY", "DATABASE_URL", "PUBLIC_BASE_URL", "TRUSTED_PROXIES", "REDIS_URL", "FLASK_DEBUG",
            "LOG_FORMAT", "LOG_LEVEL")
PRODUCTION = {"APP_ENV": "production", "SECRET_KEY": "a-secret-of-this-deployment-3f9c2e7a1b",
              "DATABASE_URL": "postgresql://db.douane.example/rex", "PUBLIC_BASE_URL": "https://rex.douane.example"}
STARTED = ("from app import create_app; app = create_app(); "
           "print(app.config['APP_ENV'], app.config['SECRET_KEY'], app.config['FORCE_HTTPS'])")


def start(cwd: Path, **env) -> subprocess.CompletedProcess:
    """A process that builds the app as gunicorn, rq worker and the flask commands do (create_app())."""
    clean = {k: v for k, v in os.environ.items() if k not in SETTINGS}
    return subprocess.run([sys.executable, "-c", STARTED], cwd=cwd, capture_output=True, text=True, timeout=60,
                          env={**clean, "PYTHONPATH": str(ROOT), **env})


def refused(result) -> list[str]:
    assert result.returncode == 1, result.stdout
    assert "Traceback" not in result.stderr
    return result.stderr.splitlines()


def test_production_refuses_the_public_default_secret_key(tmp_path):
    result = start(tmp_path, **{**PRODUCTION, "SECRET_KEY": ""})
    assert refused(result) == ["Refusing to start: APP_ENV=production needs a SECRET_KEY of its own: the default "
                               "is public and would let anyone forge activation and password reset links."]
    result = start(tmp_path, **{**PRODUCTION, "SECRET_KEY": "dev-only-change-me"})
    assert len(refused(result)) == 1 and "SECRET_KEY" in result.stderr


def test_production_refuses_sqlite(tmp_path):
    without = {k: v for k, v in PRODUCTION.items() if k != "DATABASE_URL"}  # the default: SQLite in instance/
    assert refused(start(tmp_path, **without)) == [
        "Refusing to start: APP_ENV=production needs DATABASE_URL=postgresql://…: SQLite lives on one machine's "
        "disk."]
    result = start(tmp_path, **{**PRODUCTION, "DATABASE_URL": f"sqlite:///{tmp_path / 'rex.sqlite'}"})
    assert len(refused(result)) == 1 and "DATABASE_URL" in result.stderr


def test_production_refuses_a_public_base_url_without_https(tmp_path):
    result = start(tmp_path, **{**PRODUCTION, "PUBLIC_BASE_URL": "http://rex.douane.example"})
    assert refused(result) == [
        "Refusing to start: APP_ENV=production needs PUBLIC_BASE_URL=https://… (the address of the site in links "
        "and for Secure cookies), not 'http://rex.douane.example'."]
    without = {k: v for k, v in PRODUCTION.items() if k != "PUBLIC_BASE_URL"}
    assert len(refused(start(tmp_path, **without))) == 1


def test_production_names_every_refusal_at_once(tmp_path):
    lines = refused(start(tmp_path, APP_ENV="production"))
    assert [line.split(" of its own")[0].split("=…")[0].split("://")[0] for line in lines] == [
        "Refusing to start: APP_ENV=production needs a SECRET_KEY",
        "Refusing to start: APP_ENV=production needs DATABASE_URL=postgresql",
        "Refusing to start: APP_ENV=production needs PUBLIC_BASE_URL=https"]


def test_an_unknown_environment_proxy_count_or_log_setting_is_refused(tmp_path):
    assert refused(start(tmp_path, APP_ENV="prod")) == [
        "Refusing to start: APP_ENV must be production or development, not 'prod'."]
    assert refused(start(tmp_path, TRUSTED_PROXIES="yes")) == [
        "Refusing to start: TRUSTED_PROXIES must be the number of reverse proxies in front of the app (0 or more), "
        "not 'yes'."]
    assert refused(start(tmp_path, LOG_FORMAT="xml")) == [
        "Refusing to start: LOG_FORMAT must be text or json, not 'xml'."]
    assert refused(start(tmp_path, LOG_LEVEL="loud")) == [
        "Refusing to start: LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR, not 'LOUD'."]


def test_production_with_its_own_settings_starts(tmp_path):
    result = start(tmp_path, **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["production", PRODUCTION["SECRET_KEY"], "True"]


def test_development_is_the_default_and_starts_with_the_defaults(tmp_path):
    result = start(tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["development", "dev-only-change-me", "False"]


def test_a_dotenv_file_fills_what_the_environment_leaves_unset(tmp_path):
    (tmp_path / ".env").write_text("".join(f"{k}={v}\n" for k, v in PRODUCTION.items()))
    result = start(tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["production", PRODUCTION["SECRET_KEY"], "True"]

    result = start(tmp_path, SECRET_KEY="set-by-the-environment-wins")
    assert result.stdout.split()[1] == "set-by-the-environment-wins"


def _app_reporting_the_client(app, proxies: str):
    built = create_app({"TESTING": True, "TRUSTED_PROXIES": proxies, "REDIS_URL": None,
                        "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                        "SQLALCHEMY_ENGINE_OPTIONS": app.config["SQLALCHEMY_ENGINE_OPTIONS"]})
    built.add_url_rule("/client", "client", lambda: jsonify(address=request.remote_addr, scheme=request.scheme,
                                                            host=request.host))
    return built


def test_trusted_proxies_restore_the_client_address_scheme_and_host(app):
    headers = {"X-Forwarded-For": "198.51.100.9, 203.0.113.7", "X-Forwarded-Proto": "https",
               "X-Forwarded-Host": "rex.douane.example"}
    behind_one = _app_reporting_the_client(app, "1")
    direct = _app_reporting_the_client(app, "0")

    # The proxy appended the address it saw; what the client itself wrote before it is not believed.
    assert behind_one.test_client().get("/client", headers=headers).get_json() == {
        "address": "203.0.113.7", "scheme": "https", "host": "rex.douane.example"}
    assert direct.test_client().get("/client", headers=headers).get_json() == {
        "address": "127.0.0.1", "scheme": "http", "host": "localhost"}
    for built in (behind_one, direct):
        with built.app_context():
            db.engine.dispose()
