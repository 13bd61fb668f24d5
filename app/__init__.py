"""Application factory."""
import importlib
import os
from pathlib import Path

from dotenv import find_dotenv, load_dotenv
from flask import Flask, has_request_context, jsonify, request, session
from flask_babel import lazy_gettext as _l
from sqlalchemy import event, text
from sqlalchemy.engine import Engine, make_url

from app import environment
from app.extensions import babel, csrf, db, limiter, login_manager, mail, migrate
from app.identifiers import IdConverter
from app.security_headers import init_security_headers

ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict | None = None) -> Flask:
    """The app of a process (gunicorn, rq worker, flask commands) or, with test_config, of a test."""
    if test_config is None:
        # A .env file (in the working directory or above) fills what the environment leaves unset, as the flask
        # command does; before config.py is imported, which reads the environment once.
        load_dotenv(find_dotenv(usecwd=True))
        from app.logging_setup import configure_logging

        configure_logging()
    app = Flask(__name__, instance_relative_config=True, template_folder=str(ROOT / "templates"),
                static_folder=str(ROOT / "static"))
    app.config.from_object("config.TestConfig" if test_config and test_config.get("TESTING") else "config.Config")
    if test_config:
        app.config.update(test_config)
    app.config["SQLALCHEMY_DATABASE_URI"] = database_uri(app.config.get("SQLALCHEMY_DATABASE_URI"),
                                                         Path(app.instance_path))
    environment.check(app)
    environment.trust_proxies(app)
    os.makedirs(app.instance_path, exist_ok=True)
    _tune_postgresql(app)
    app.config["MAIL_FILE_DIR"] = app.config.get("MAIL_FILE_DIR") or str(Path(app.instance_path) / "mail")

    app.url_map.converters["int"] = IdConverter
    register_extensions(app)
    register_blueprints(app)
    register_admin(app)
    init_security_headers(app)
    register_template_helpers(app)
    register_errorhandlers(app)
    register_commands(app)
    register_plugins(app)
    return app


def database_uri(configured: str | None, instance: Path) -> str:
    """SQLite in the instance folder by default; postgresql:// URLs use the psycopg 3 driver."""
    if not configured:
        return f"sqlite:///{instance / 'douane.sqlite'}"
    if configured.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + configured.split("://", 1)[1]
    return configured


# Session settings of the app's connections and the configuration key of each; one the URL sets is kept.
_PLANNER_SETTINGS = {"random_page_cost": "PG_RANDOM_PAGE_COST",
                     "max_parallel_workers_per_gather": "PG_MAX_PARALLEL_WORKERS_PER_GATHER"}


def _tune_postgresql(app: Flask) -> None:
    """Session settings for the app's PostgreSQL connections (the planner's, see config.py)."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        return
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    connect_args = dict(options.get("connect_args") or {})
    # connect_args["options"] replaces the URL's own ?options=... (a search_path, say): start from both.
    url_options = make_url(app.config["SQLALCHEMY_DATABASE_URI"]).query.get("options", "")
    given = " ".join(o for o in (url_options if isinstance(url_options, str) else " ".join(url_options),
                                 connect_args.get("options", "")) if o)
    for setting, key in _PLANNER_SETTINGS.items():
        if setting not in given and app.config.get(key):
            given = f"{given} -c {setting}={app.config[key]}".strip()
    if given:
        connect_args["options"] = given
    # A server that hangs instead of refusing must not hang the request: it gets the 503 page instead.
    connect_args.setdefault("connect_timeout", app.config.get("PG_CONNECT_TIMEOUT", 10))
    options["connect_args"] = connect_args
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


@event.listens_for(Engine, "connect")
def _sqlite_foreign_keys(dbapi_connection, connection_record):
    if dbapi_connection.__class__.__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


def remember_language():
    """?lang=fr|en on any URL, redirects included, sets the language for the session."""
    lang = request.args.get("lang")
    if lang in ("fr", "en"):
        session["lang"] = lang


def select_locale():
    if not has_request_context():  # jobs and the CLI speak French, as the guide's emails do
        return "fr"
    lang = request.args.get("lang")
    return lang if lang in ("fr", "en") else session.get("lang") or "fr"


def register_extensions(app: Flask) -> None:
    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Veuillez vous authentifier pour accéder à cette page.")
    login_manager.login_message_category = "info"
    mail.init_app(app)
    babel.init_app(app, locale_selector=select_locale, default_translation_directories=str(ROOT / "translations"))
    csrf.init_app(app)
    # Redis shares the counts between web workers; read at init, hence set here rather than per request.
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config.get("REDIS_URL") or "memory://")
    limiter.init_app(app)
    app.before_request(remember_language)

    from app.auth.sessions import check_session, load_user

    # The server decides at the start of each request whether the session is alive (app/auth/sessions.py).
    app.before_request(check_session)
    login_manager.user_loader(load_user)
    login_manager.unauthorized_handler(_to_login_page)


def _to_login_page():
    """Flask-Login's redirection to the login page, keeping `next`; after an expired session the page says
    so (check_session flashed it) instead of the usual invitation to sign in."""
    from flask import flash, redirect
    from flask_login.utils import login_url

    if not getattr(request, "session_expired", False):
        flash(str(login_manager.login_message), login_manager.login_message_category)
    return redirect(login_url(login_manager.login_view, next_url=request.url))


def register_blueprints(app: Flask) -> None:
    from app.auth.views import bp as auth_bp
    from app.help.views import bp as help_bp
    from app.operator import common as operator
    from app.public.views import bp as public_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(operator.bp)
    app.register_blueprint(public_bp)
    app.register_blueprint(help_bp)

    @app.get("/favicon.ico")
    def favicon():
        # Browsers ask for it at the root whatever the page says.
        return app.send_static_file("favicon.ico")

    @app.get("/healthz")
    def healthz():
        status = {"database": "ok", "queue": "in-process"}
        code = 200
        try:
            db.session.execute(text("SELECT 1"))
        except Exception as exc:  # report, never raise: this page exists to say what is down
            status["database"] = f"error: {type(exc).__name__}"
            code = 503
        if app.config.get("REDIS_URL"):
            try:
                from redis import Redis

                Redis.from_url(app.config["REDIS_URL"], socket_connect_timeout=2).ping()
                status["queue"] = "ok"
            except Exception as exc:
                status["queue"] = f"error: {type(exc).__name__}"
                code = 503
        status["status"] = "ok" if code == 200 else "degraded"
        return jsonify(status), code


def register_admin(app: Flask) -> None:
    from app.admin_views import init_admin

    app.extensions["back_office"] = init_admin(app)


PROCEDURES = {"REX": "numéro REX", "REX_MODIFICATION": "modification d'enregistrement REX",
              "EORI": "numéro EORI"}


def register_template_helpers(app: Flask) -> None:
    from flask_babel import get_locale

    from app.change_labels import change_label, change_value
    from app.help import assistance
    from app.reference.countries import country_name
    from app.workflow.access import company_label
    from app.workflow.events import event_label, history_comment, kind_label, status_label
    from app.workflow.kernel import allowed, may

    @app.template_filter("datetime_fr")
    def datetime_fr(value, fmt="%d/%m/%Y - %H:%M:%S"):
        from zoneinfo import ZoneInfo

        if value is None:
            return ""
        if value.tzinfo is None:
            from datetime import timezone
            value = value.replace(tzinfo=timezone.utc)
        return value.astimezone(ZoneInfo(app.config["BABEL_DEFAULT_TIMEZONE"])).strftime(fmt)

    @app.template_filter("procedure")
    def procedure(kind) -> str:
        """What an email calls a file of this kind: "numéro REX", "numéro EORI"... (always French)."""
        return PROCEDURES.get(getattr(kind, "value", kind), PROCEDURES["REX"])

    @app.template_filter("teleservice")
    def teleservice(kind) -> str:
        """The subject prefix of an email about a file of this kind (the guide's 'SOPRANO-REX')."""
        return "SOPRANO-EORI" if getattr(kind, "value", kind) == "EORI" else "SOPRANO-REX"

    @app.template_filter("date_fr")
    def date_fr(value):
        if value is None:
            return ""
        if hasattr(value, "hour"):
            return datetime_fr(value, "%d/%m/%Y")
        return value.strftime("%d/%m/%Y")

    @app.template_filter("days_left")
    def days_left(deadline):
        """Whole days left before a deadline, counting a started day (as SOPRANO shows it)."""
        import math
        from datetime import datetime, timezone

        if deadline.tzinfo is None:
            deadline = deadline.replace(tzinfo=timezone.utc)
        seconds = (deadline - datetime.now(timezone.utc)).total_seconds()
        return max(0, math.ceil(seconds / 86400))

    def chapter_label(chapter: str) -> str:
        from app.extensions import db
        from app.models import TariffHeading

        # A refused form shows what was typed: only two digits can name a chapter (a NUL byte would even make
        # PostgreSQL refuse the lookup).
        if not (len(chapter) == 2 and chapter.isascii() and chapter.isdigit()):
            return ""
        heading = db.session.get(TariffHeading, chapter)
        return heading.description if heading else ""

    def page_url(number: int) -> str:
        """This list's URL at page `number`, its other parameters (filters, sort, search) kept."""
        from flask import url_for

        args = request.args.to_dict(flat=False)
        args["page"] = [str(number)]
        return url_for(request.endpoint, **(request.view_args or {}), **args)

    app.jinja_env.globals.update(
        allowed=allowed, may=may, chapter_label=chapter_label, company_label=company_label, assistance=assistance,
        page_url=page_url, status_label=status_label, event_label=event_label, kind_label=kind_label,
        history_comment=history_comment, change_label=change_label, change_value=change_value,
        country_name=lambda code: country_name(code, str(get_locale() or "fr")),
        current_locale=lambda: str(get_locale() or "fr"))


def register_errorhandlers(app: Flask) -> None:
    from flask import g, render_template
    from redis.exceptions import ConnectionError as RedisConnectionError, TimeoutError as RedisTimeoutError
    from sqlalchemy.exc import OperationalError

    from app.forms import refuse_unchecked_nul

    def render_error(error):
        code = getattr(error, "code", 500)
        return render_template("error.html", code=code), code

    def unavailable(error):
        """The database or Redis cannot be reached: a 503 to retry later, not a 500. The transaction is rolled
        back, so nothing of the request is half-written; the page is drawn as for a visitor, since the
        signed-in user may not be readable from the database."""
        app.logger.warning("service unavailable (%s): %s", request.path, error)
        db.session.rollback()
        g._login_user = login_manager.anonymous_user()
        return render_template("error.html", code=503), 503

    app.before_request(refuse_unchecked_nul)

    for code in (400, 403, 404, 405, 413, 429, 500):
        app.errorhandler(code)(render_error)
    for exception in (OperationalError, RedisConnectionError, RedisTimeoutError):
        app.errorhandler(exception)(unavailable)


def register_commands(app: Flask) -> None:
    from app.commands import register

    register(app)


def register_plugins(app: Flask) -> None:
    """The modules named in PLUGINS extend the product at start-up (``init_app(app)``), as the jobs layer does:
    it delivers what commits made due and adds its commands and pages, without the product importing it."""
    for name in app.config["PLUGINS"]:
        importlib.import_module(name).init_app(app)
