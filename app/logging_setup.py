"""The one logging configuration of every process: gunicorn (gunicorn.conf.py), `rq worker`
(jobs/worker.py), the scheduler and the other flask commands (create_app).

One line per event on stderr, from the app's loggers, rq's and gunicorn's (its access log included): text by
default, one JSON object per line with LOG_FORMAT=json, at LOG_LEVEL (INFO by default).
"""
import logging.config
import os

from pythonjsonlogger.json import JsonFormatter

from app.environment import UnsafeSettings

TEXT_FORMAT = "%(asctime)s %(levelname)s [%(process)d] %(name)s: %(message)s"
# gunicorn's access atoms (gunicorn/glogging.py): what a JSON line of the access log carries as fields.
ACCESS_FIELDS = {"h": "remote_addr", "m": "method", "U": "path", "q": "query", "s": "status", "B": "bytes",
                 "M": "duration_ms", "a": "user_agent"}


class JsonLineFormatter(JsonFormatter):
    """python-json-logger's formatter; a request of gunicorn's access log also gets its atoms as fields."""

    def add_fields(self, log_record, record, message_dict):
        super().add_fields(log_record, record, message_dict)
        if record.name == "gunicorn.access" and isinstance(record.args, dict):
            for atom, field in ACCESS_FIELDS.items():
                if record.args.get(atom) not in (None, "-", ""):
                    log_record[field] = record.args[atom]


def logging_config(log_format: str | None = None, level: str | None = None) -> dict:
    """A logging.config.dictConfig() dictionary from LOG_FORMAT (text|json) and LOG_LEVEL."""
    log_format = (log_format or os.environ.get("LOG_FORMAT") or "text").lower()
    level = (level or os.environ.get("LOG_LEVEL") or "INFO").upper()
    formatters = {
        "text": {"format": TEXT_FORMAT},
        "json": {"()": JsonLineFormatter, "fmt": ["asctime", "levelname", "name", "process", "message"],
                 "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"}},
    }
    if log_format not in formatters:
        raise UnsafeSettings(f"Refusing to start: LOG_FORMAT must be text or json, not {log_format!r}.")
    if level not in logging.getLevelNamesMapping():
        raise UnsafeSettings(f"Refusing to start: LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR, not {level!r}.")
    # Loggers that bring handlers of their own (rq's worker, gunicorn's) hand their lines to the root's instead.
    own = {"level": level, "handlers": [], "propagate": True}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {log_format: formatters[log_format]},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "stream": "ext://sys.stderr",
                                "formatter": log_format}},
        "root": {"level": level, "handlers": ["stderr"]},
        "loggers": {"rq.worker": own, "rq.scheduler": own, "gunicorn.error": own,
                    "gunicorn.access": {**own, "level": "INFO"}},
    }


def configure_logging() -> None:
    logging.config.dictConfig(logging_config())
