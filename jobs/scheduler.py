"""The periodic scheduler: enqueues each job of jobs/schedule.py at its interval.

With Redis, a lock per job and per time slot makes a second scheduler process
harmless (the job is enqueued once); without Redis, the jobs run in this process.
"""
import importlib
import logging
import time

from flask import Flask

from jobs import enqueue, redis_client

log = logging.getLogger(__name__)


def _function(dotted: str):
    module, _, name = dotted.rpartition(".")
    return getattr(importlib.import_module(module), name)


def _claim_slot(app: Flask, name: str, interval: int, now: float) -> bool:
    """True if this process may enqueue `name` for the current slot of `interval` seconds."""
    redis_url = app.config.get("REDIS_URL")
    if not redis_url:
        return True
    slot = int(now // interval)
    return bool(redis_client(redis_url).set(f"douane:schedule:{name}:{slot}", "1", nx=True, ex=interval * 2))


def run_due(app: Flask, last_run: dict, now: float | None = None) -> list[str]:
    """Enqueue every job whose interval has elapsed since it last ran here; returns their names."""
    from jobs.schedule import PERIODIC

    now = time.time() if now is None else now
    started = []
    for name, dotted, interval in PERIODIC:
        if now - last_run.get(name, 0) < interval:
            continue
        last_run[name] = now
        if _claim_slot(app, name, interval, now):
            with app.app_context():
                enqueue(_function(dotted), queue="periodic")
            started.append(name)
    return started


def run_forever(app: Flask, tick_seconds: float = 5.0) -> None:
    last_run: dict[str, float] = {}
    log.info("scheduler started")
    while True:
        try:
            for name in run_due(app, last_run):
                log.info("enqueued %s", name)
        except Exception:  # keep scheduling: one failing tick must not stop deadlines and mail for good
            log.exception("scheduler tick failed")
        time.sleep(tick_seconds)
