"""The environment a process runs in (APP_ENV) and what it demands of the settings, checked by create_app.

Production fails closed: without its own SECRET_KEY (anyone could forge activation and reset links with the
public default), on SQLite (one machine's disk), or with links and cookies meant for plain http, the app
refuses to start and says why, one line per setting. Development (the default, `make run`) serves plain http.
"""
from urllib.parse import urlsplit

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

ENVIRONMENTS = ("development", "production")
DEFAULT_SECRET_KEY = "dev-only-change-me"


class UnsafeSettings(SystemExit):
    """Exits the process (no traceback) with one line per refused setting."""


def refusals(config) -> list[str]:
    """What the settings lack for their environment, one sentence each; empty when the app may start."""
    env = config.get("APP_ENV")
    problems = []
    if env not in ENVIRONMENTS:
        problems.append(f"APP_ENV must be production or development, not {env!r}.")
    if not _whole_number(config.get("TRUSTED_PROXIES")):
        problems.append(f"TRUSTED_PROXIES must be the number of reverse proxies in front of the app (0 or more), "
                        f"not {config.get('TRUSTED_PROXIES')!r}.")
    if env != "production":
        return problems
    if config.get("SECRET_KEY") in (None, "", DEFAULT_SECRET_KEY):
        problems.append("APP_ENV=production needs a SECRET_KEY of its own: the default is public and would let "
                        "anyone forge activation and password reset links.")
    if config.get("SQLALCHEMY_DATABASE_URI", "").startswith("sqlite"):
        problems.append("APP_ENV=production needs DATABASE_URL=postgresql://…: SQLite lives on one machine's "
                        "disk.")
    if urlsplit(config.get("PUBLIC_BASE_URL") or "").scheme != "https":
        problems.append(f"APP_ENV=production needs PUBLIC_BASE_URL=https://… (the address of the site in links "
                        f"and for Secure cookies), not {config.get('PUBLIC_BASE_URL')!r}.")
    return problems


def check(app: Flask) -> None:
    problems = refusals(app.config)
    if problems:
        raise UnsafeSettings("\n".join(f"Refusing to start: {p}" for p in problems))


def trust_proxies(app: Flask) -> None:
    """Behind TRUSTED_PROXIES reverse proxies, take the client address, scheme, host and port from the
    X-Forwarded-* headers they set (the rate limits count per client address, not per proxy)."""
    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies, x_port=proxies)


def _whole_number(value) -> bool:
    return value in (None, "") or str(value).strip().isdigit()
