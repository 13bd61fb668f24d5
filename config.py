"""Settings. Every value can be overridden from the environment (and from a .env file, read by create_app
before this module is imported: app/__init__.py)."""
import os
from pathlib import Path

from app.environment import DEFAULT_SECRET_KEY

BASE_DIR = Path(__file__).resolve().parent


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


class Config:
    # development (make run: plain http) or production (https only; refuses unsafe settings, app/environment.py)
    APP_ENV = os.environ.get("APP_ENV", "development").strip().lower()
    SECRET_KEY = os.environ.get("SECRET_KEY", DEFAULT_SECRET_KEY)
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL")  # default set in create_app (instance folder)
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    REDIS_URL = os.environ.get("REDIS_URL")  # unset: jobs run in-process
    # Modules that extend the product at start-up (their init_app(app)): the background jobs (jobs/__init__.py).
    PLUGINS = ("jobs",)
    # PostgreSQL planner cost of a random page read. The default (4) models spinning disks and makes the
    # planner prefer a global index over the per-office queue indexes on deep pages (bench/queues.py).
    PG_RANDOM_PAGE_COST = os.environ.get("PG_RANDOM_PAGE_COST", "1.1")
    # Parallel workers per query. A queue page reads a few dozen rows; a parallel plan costs the launch of its
    # workers (a frequent word's search: 37.6 ms with them, 3.8 ms without, bench/queues.py); "" leaves the server's.
    PG_MAX_PARALLEL_WORKERS_PER_GATHER = os.environ.get("PG_MAX_PARALLEL_WORKERS_PER_GATHER", "0")

    BABEL_DEFAULT_LOCALE = "fr"
    BABEL_DEFAULT_TIMEZONE = "Europe/Paris"
    LANGUAGES = ("fr", "en")

    # Long-open officer and operator forms must not expire after an hour.
    WTF_CSRF_TIME_LIMIT = None

    # The address of the site in links (emails), https in production. make run sets it from PORT.
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000")
    # Reverse proxies in front of the app whose X-Forwarded-For/-Proto/-Host/-Port headers are trusted (ProxyFix).
    TRUSTED_PROXIES = os.environ.get("TRUSTED_PROXIES", "0")

    # Production: cookies are Secure, http is redirected to https and HSTS is sent. Development serves plain http.
    FORCE_HTTPS = APP_ENV == "production"  # redirect http to https, and send HSTS (over https only)
    SESSION_COOKIE_SECURE = FORCE_HTTPS
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    # Signed-in sessions live on the server (app/auth/sessions.py): each ends after this many minutes without
    # a request (officers, supervisors and administrators; operators and representatives), and in any case
    # this many hours after login.
    SESSION_IDLE_MINUTES_STAFF = int(os.environ.get("SESSION_IDLE_MINUTES_STAFF", "30"))
    SESSION_IDLE_MINUTES_OPERATOR = int(os.environ.get("SESSION_IDLE_MINUTES_OPERATOR", "120"))
    # Sent emails are purged this many days after their sending (app/workflow/retention.py, issue 17).
    SENT_EMAIL_RETENTION_DAYS = int(os.environ.get("SENT_EMAIL_RETENTION_DAYS", "365"))
    SESSION_LIFETIME_HOURS = int(os.environ.get("SESSION_LIFETIME_HOURS", "12"))
    # No "remember me" box today; should one come, its cookie follows the session cookie.
    REMEMBER_COOKIE_SECURE = FORCE_HTTPS
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"

    # Failed logins (wrong identifier or password) allowed per identifier tried and per client IP,
    # counted in the limiter's storage (Redis with REDIS_URL). Beyond, the login form answers 429.
    LOGIN_RATE_LIMIT_ACCOUNT = os.environ.get("LOGIN_RATE_LIMIT_ACCOUNT", "5 per 15 minutes")
    LOGIN_RATE_LIMIT_ADDRESS = os.environ.get("LOGIN_RATE_LIMIT_ADDRESS", "20 per 15 minutes")
    # "Mot de passe oublié": requests per client IP and per email address (every request counts, so the
    # limit says nothing about whether the address has an account), lest the form flood a mailbox.
    PASSWORD_RESET_RATE_LIMIT = os.environ.get("PASSWORD_RESET_RATE_LIMIT", "5 per hour")
    PASSWORD_RESET_MAX_AGE = 3600
    # Sign-ups sent (each mails the address) per client IP and per email address, as for the reset above.
    SIGN_UP_RATE_LIMIT = os.environ.get("SIGN_UP_RATE_LIMIT", "5 per hour")
    # Activation emails sent again to a never-activated account that logs in with its right password.
    ACTIVATION_RESEND_RATE_LIMIT = os.environ.get("ACTIVATION_RESEND_RATE_LIMIT", "3 per hour")

    # Mail: without MAIL_SERVER, messages are written as .eml files to MAIL_FILE_DIR.
    MAIL_SERVER = os.environ.get("MAIL_SERVER")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USE_TLS = _env_bool("MAIL_USE_TLS", False)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "SOPRANO-REX <ne-pas-repondre@douane.example>")
    MAIL_TIMEOUT_SECONDS = int(os.environ.get("MAIL_TIMEOUT_SECONDS", "30"))
    MAIL_FILE_DIR = os.environ.get("MAIL_FILE_DIR")  # default: <instance>/mail

    # Transmission of registrations to the Commission's central REX (jobs/rex.py). Empty: rows wait, unsent.
    # The default is the stand-in server: flask --app wsgi rex-standin --port 8765
    REX_CENTRAL_URL = os.environ.get("REX_CENTRAL_URL", "http://127.0.0.1:8765/rex/registrations") or None
    REX_TIMEOUT_SECONDS = float(os.environ.get("REX_TIMEOUT_SECONDS", "10"))
    # With Redis, a commit that leaves emails or transmissions to send starts their delivery this many seconds
    # later (rq's scheduler, `--with-scheduler`), and the commits of that interval share the one job: a busy
    # minute costs a few jobs, not one per transition (bench/load). 0: at once.
    DELIVERY_DELAY_SECONDS = float(os.environ.get("DELIVERY_DELAY_SECONDS", "2"))

    # Public register (/registre, /api/public/...): requests per client IP, shared by its three routes.
    PUBLIC_RATE_LIMIT = os.environ.get("PUBLIC_RATE_LIMIT", "60 per minute")
    # Redis down: count in this process's memory meanwhile rather than answer 500 to the public.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True

    # The assistance shown in every page footer and on every error page. ASSISTANCE_HOURS unset: the default
    # hours, in the reader's language (app/help/__init__.py).
    ASSISTANCE_EMAIL = os.environ.get("ASSISTANCE_EMAIL", "assistance-soprano@douane.example")
    ASSISTANCE_PHONE = os.environ.get("ASSISTANCE_PHONE", "01 99 00 12 34")  # 01 99 00: numbers kept for fiction
    ASSISTANCE_HOURS = os.environ.get("ASSISTANCE_HOURS") or None

    # Documents
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_UPLOAD_BYTES", str(10 * 1024 * 1024)))

    # Business rules from the seed guide
    INCOMPLETE_ANSWER_DAYS = 30
    ACTIVATION_TOKEN_MAX_AGE = 3 * 24 * 3600

    PASSWORD_HASH_METHOD = "argon2id"  # app/auth/passwords.py; werkzeug methods (scrypt, pbkdf2:...) also accepted


class TestConfig(Config):
    TESTING = True
    APP_ENV = "development"  # whatever the shell says: a test that needs production sets it
    SECRET_KEY = "test"
    WTF_CSRF_ENABLED = False
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1"
    DELIVERY_DELAY_SECONDS = 0  # tests/jobs/test_rq_workers.py sets one to follow the delayed path
    REX_CENTRAL_URL = None  # no transmission unless a test points it at a stand-in (tests/jobs/test_rex_transmission.py)
    # Limits stay on; tests/public lowers this one to prove the 429. Concurrent runs sharing one Redis
    # keep their own counters (as PG_SCHEMA in tests/conftest.py), so limiter.reset() clears only this run's.
    PUBLIC_RATE_LIMIT = "1000 per minute"
    RATELIMIT_STORAGE_OPTIONS = {"key_prefix": f"LIMITS-test-{os.getpid()}"}
    # One address (127.0.0.1) for the whole suite, whose counters are reset only by the tests that lower
    # these limits (tests/auth/test_account_security.py): deliberate failures elsewhere must not add up.
    LOGIN_RATE_LIMIT_ACCOUNT = "1000 per 15 minutes"
    LOGIN_RATE_LIMIT_ADDRESS = "1000 per 15 minutes"
    PASSWORD_RESET_RATE_LIMIT = "1000 per hour"
    SIGN_UP_RATE_LIMIT = "1000 per hour"
    # The test client and the end-to-end live server speak plain http.
    FORCE_HTTPS = False
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False
