"""gunicorn's settings (Procfile: gunicorn -c gunicorn.conf.py wsgi:app), each from the environment."""
import os

from dotenv import find_dotenv, load_dotenv

from app.logging_setup import logging_config

# gunicorn serves production: unless the environment (or .env) says otherwise, APP_ENV=production, so a
# deployment that forgets it refuses unsafe settings instead of serving plain http with the public SECRET_KEY.
load_dotenv(find_dotenv(usecwd=True))
os.environ.setdefault("APP_ENV", "production")

bind = os.environ.get("GUNICORN_BIND") or f"0.0.0.0:{os.environ.get('PORT', '8000')}"
# Synchronous workers: WEB_CONCURRENCY of them (the platforms' usual variable), else two per core plus one.
workers = int(os.environ.get("WEB_CONCURRENCY") or 2 * (os.cpu_count() or 1) + 1)
# A request taking longer (an export, a PDF) is killed and its worker replaced.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
# On SIGTERM (a deploy, a scale-down) the requests under way get this long to finish.
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = 5
# Workers are replaced now and then, so a slow leak cannot grow for ever.
max_requests = 1000
max_requests_jitter = 100
# The app is built once, in the master, before the workers fork: unsafe settings stop gunicorn at once
# (app/environment.py) instead of failing in every worker it would start again and again. create_app() opens no
# database connection (tests/test_processes.py starts it with nothing listening at DATABASE_URL), so the workers
# share none.
preload_app = True

# One line per request on gunicorn.access, and gunicorn's own messages, through the app's logging
# configuration (text, or JSON with LOG_FORMAT=json).
logconfig_dict = logging_config()
access_log_format = '%(h)s "%(r)s" %(s)s %(B)s %(M)sms "%(a)s"'
