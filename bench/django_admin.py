"""Our queue pages against Django's admin over the same rows, in one run, interleaved (bench-only Django).

    .bench-venv/bin/python bench/django_admin.py --url postgresql://127.0.0.1/test_19 [--repeat 15] [--rounds 3]

Needs bench/queues.py's schema (``bench``, 1,000,000 files; loaded by that script) and Django in a venv of its own
(bench/requirements.txt). Django's models (bench/djangoadmin) are unmanaged views of the same tables; its own
tables (auth, sessions, admin log) go to the schema ``bench_django``, the only one this script creates, first on
the search_path. Both sides are logged in (our officer of the busiest office, a Django superuser) and timed with
their test clients: for each page, `--rounds` rounds of `--repeat` requests alternating ours and Django's; the
median of all, the ratio Django / ours, and the statements each side ran.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import quote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import django  # noqa: E402
from django.conf import settings  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402


def configure_django(url: str, schema: str, django_schema: str) -> None:
    parts = urlsplit(url)
    settings.configure(
        DEBUG=False, SECRET_KEY="bench", ALLOWED_HOSTS=["*"], ROOT_URLCONF="bench.django_admin", USE_TZ=True,
        TIME_ZONE="Europe/Paris", LANGUAGE_CODE="fr",
        INSTALLED_APPS=["django.contrib.admin", "django.contrib.auth", "django.contrib.contenttypes",
                        "django.contrib.sessions", "django.contrib.messages", "bench.djangoadmin"],
        MIDDLEWARE=["django.contrib.sessions.middleware.SessionMiddleware",
                    "django.middleware.common.CommonMiddleware", "django.middleware.csrf.CsrfViewMiddleware",
                    "django.contrib.auth.middleware.AuthenticationMiddleware",
                    "django.contrib.messages.middleware.MessageMiddleware"],
        TEMPLATES=[{"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True,
                    "OPTIONS": {"context_processors": ["django.template.context_processors.request",
                                                       "django.contrib.auth.context_processors.auth",
                                                       "django.contrib.messages.context_processors.messages"]}}],
        DATABASES={"default": {
            "ENGINE": "django.db.backends.postgresql", "NAME": parts.path.lstrip("/"),
            "HOST": parts.hostname or "", "PORT": parts.port or "", "USER": parts.username or "",
            "PASSWORD": parts.password or "", "CONN_MAX_AGE": None,
            "OPTIONS": {"options": f"-csearch_path={django_schema},{schema}"}}},
        DEFAULT_AUTO_FIELD="django.db.models.AutoField",
    )
    django.setup()


def _urls():
    from django.contrib import admin
    from django.urls import path

    return [path("admin/", admin.site.urls)]


def __getattr__(name):  # ROOT_URLCONF = this module; urlpatterns built once Django is set up
    if name == "urlpatterns":
        return _urls()
    raise AttributeError(name)


def timed(get, path: str, repeat: int, statements) -> tuple[list[float], int]:
    times = []
    for _ in range(repeat):
        statements.clear()
        start = time.perf_counter()
        response = get(path)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    return times, len(statements)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default=os.environ.get("DATABASE_URL", "postgresql://127.0.0.1/test"))
    parser.add_argument("--schema", default="bench")
    parser.add_argument("--django-schema", default="bench_django")
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    if args.django_schema in ("public", args.schema):
        parser.error("--django-schema: a schema of its own")

    engine = create_engine(args.url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA IF NOT EXISTS {args.django_schema}"))
    configure_django(args.url, args.schema, args.django_schema)

    from django.contrib.auth.models import User as DjangoUser
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    import bench.djangoadmin.admin as dj_admin
    from bench.queues import PASSWORD, filter_arg, make_app, pick_office, search_terms
    from app.admin_views.filters import ScopedEqual, UnassignedFilter
    from app.extensions import db
    from app.models import Application
    from sqlalchemy import event

    call_command("migrate", verbosity=0)
    admin_user = DjangoUser.objects.filter(username="bench").first() or DjangoUser.objects.create_superuser(
        "bench", "bench@example.com", "Bench-2026!")
    dj = Client()
    dj.force_login(admin_user)
    dj_statements: list = []
    connection.execute_wrappers.append(lambda execute, sql, params, many, context: (
        dj_statements.append(sql), execute(sql, params, many, context))[1])

    app = make_app(args.url, args.schema)
    with app.app_context():
        office_id, code = pick_office(db.engine, None)
        terms = search_terms(db.engine, office_id)
        unassigned = filter_arg(app, "a_traiter", lambda f: isinstance(f, UnassignedFilter))
        status = filter_arg(app, "tous", lambda f: isinstance(f, ScopedEqual) and f.column is Application.status)
        ours_statements: list = []
        event.listen(db.engine, "before_cursor_execute",
                     lambda conn, cur, stmt, params, ctx, many: ours_statements.append(stmt))
    dj_admin.OFFICE_ID = office_id
    ours = app.test_client()
    assert ours.post("/connexion", data={"username": f"agent.{code.lower()}", "password": PASSWORD}).status_code == 302

    name = quote(terms["name"])
    pages = [  # (label, ours, Django's)
        ("À traiter, page 1", "/admin/a_traiter/", "/admin/djangoadmin/toinstruct/"),
        ("À traiter, non affecté", f"/admin/a_traiter/?flt0_{unassigned}=1",
         "/admin/djangoadmin/toinstruct/?assigned_officer__isempty=1"),
        ("Tous, statut = rejetée", f"/admin/tous/?flt0_{status}=rejected",
         "/admin/djangoadmin/allfiles/?status__exact=rejected"),
        ("Tous, recherche n°", f"/admin/tous/?search={quote(terms['reference'])}",
         f"/admin/djangoadmin/allfiles/?q={quote(terms['reference'])}"),
        ("À traiter, page 200", "/admin/a_traiter/?page=199", "/admin/djangoadmin/toinstruct/?p=200"),
        ("À traiter, page 1, 50 rows", "/admin/a_traiter/?page_size=50", None),  # Django: list_per_page is fixed
        ("Tous, recherche nom fréquent", f"/admin/tous/?search={name}", f"/admin/djangoadmin/allfiles/?q={name}"),
        ("Tous, recherche nom absent", "/admin/tous/?search=Zyzzyva", "/admin/djangoadmin/allfiles/?q=Zyzzyva"),
    ]
    with os.popen("cat /proc/loadavg") as f:
        load_start = f.read().split()[:3]
    print(f"office {code} (id {office_id}); {args.rounds} rounds x {args.repeat} requests per side and page, "
          f"interleaved; load average at start {' '.join(load_start)}")
    header = "| page | ours p50 ms | Django p50 ms | Django / ours | ours statements | Django statements |"
    print(header + "\n|---|---|---|---|---|---|")
    for label, ours_path, dj_path in pages:
        for _ in range(2):  # warm-up
            ours.get(ours_path)
            if dj_path:
                dj.get(dj_path)
        ours_times, dj_times, n_ours, n_dj = [], [], 0, 0
        for _ in range(args.rounds):
            t, n_ours = timed(ours.get, ours_path, args.repeat, ours_statements)
            ours_times += t
            if dj_path:
                t, n_dj = timed(dj.get, dj_path, args.repeat, dj_statements)
                dj_times += t
        o = statistics.median(ours_times)
        if dj_path:
            d = statistics.median(dj_times)
            print(f"| {label} | {o:.1f} | {d:.1f} | {d / o:.1f}× | {n_ours} | {n_dj} |", flush=True)
        else:
            print(f"| {label} | {o:.1f} | – | – | {n_ours} | – |", flush=True)
    with os.popen("cat /proc/loadavg") as f:
        print(f"load average at the end {' '.join(f.read().split()[:3])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
