"""Background jobs. One enqueue helper: RQ when REDIS_URL is set, in-process otherwise."""
import functools
import logging
from datetime import timedelta

from flask import Flask, current_app
from redis import Redis
from redis.exceptions import RedisError

from app import background

log = logging.getLogger(__name__)
# How long a "run pending" mark may outlive a job that never started (a worker down, a Redis restart): after
# that, the next commit enqueues a run again. The periodic run delivers in the meantime. Longer than any
# DELIVERY_DELAY_SECONDS.
PENDING_MARK_SECONDS = 120


@functools.lru_cache(maxsize=None)
def redis_client(url: str) -> Redis:
    """One client (and connection pool) per URL and process; redis-py renews the pool after a fork."""
    return Redis.from_url(url, socket_connect_timeout=5, socket_timeout=10)


def enqueue(func, *args, queue: str = "default", delay: float = 0, **kwargs):
    """Run func(*args) as a job: on an RQ queue in production (`delay` seconds from now, by the worker's
    scheduler), right away in the embedded mode."""
    redis_url = current_app.config.get("REDIS_URL")
    if redis_url:
        from rq import Queue, Retry

        q = Queue(queue, connection=redis_client(redis_url))
        retry = Retry(max=5, interval=[10, 30, 60, 300, 900])
        if delay:
            return q.enqueue_in(timedelta(seconds=delay), func, *args, retry=retry, **kwargs)
        return q.enqueue(func, *args, retry=retry, **kwargs)
    try:
        return func(*args, **kwargs)
    except Exception:  # an in-process job must not break the request that caused it
        log.exception("in-process job %s failed", getattr(func, "__name__", func))
        return None


def _pending_mark(func) -> str:
    return f"douane:pending:{func.__module__}.{func.__name__}"


def _enqueue_after_commit(func, queue: str):
    """Enqueue the delivery of rows just committed, DELIVERY_DELAY_SECONDS from now, unless a run of `func` is
    already waiting: that run has not started, so it will see these rows too (one job per burst of
    transitions, not one per transition). Redis unreachable: the rows stay pending and the periodic job
    (jobs/schedule.py) delivers them once it is back; the change is done, so the request must not fail."""
    redis_url = current_app.config.get("REDIS_URL")
    try:
        if redis_url and not redis_client(redis_url).set(_pending_mark(func), "1", nx=True,
                                                         ex=PENDING_MARK_SECONDS):
            return None
        return enqueue(func, queue=queue, delay=current_app.config.get("DELIVERY_DELAY_SECONDS", 0))
    except RedisError:
        log.warning("queue %s unreachable: %s left to the periodic run", queue, func.__name__, exc_info=True)
        return None


def run_started(func) -> None:
    """Called by a delivery job before it selects its rows: a commit from now on needs a run of its own."""
    redis_url = current_app.config.get("REDIS_URL")
    if not redis_url:
        return
    try:
        redis_client(redis_url).delete(_pending_mark(func))
    except RedisError:  # the mark expires by itself; the rows are selected below all the same
        log.warning("could not clear the pending mark of %s", func.__name__, exc_info=True)


def enqueue_outbox_delivery():
    from jobs.outbox import deliver_outbox

    return _enqueue_after_commit(deliver_outbox, "emails")


def enqueue_rex_transmissions():
    """Push the registrations waiting for the Commission's central REX (called after the commit)."""
    from jobs.rex import transmit_pending

    return _enqueue_after_commit(transmit_pending, "rex")


def enqueue_certificate_rendering():
    """After a registration version is created, revoked or restored: render its certificate in a worker. In the
    embedded mode (no REDIS_URL) nothing is rendered inside the request: the first download renders it."""
    if not current_app.config.get("REDIS_URL"):
        return None
    from jobs.certificates import render_certificates

    return _enqueue_after_commit(render_certificates, "default")


def _start_task(task_id: int):
    """A background task (app/background_tasks.py): on the "batch" RQ queue with REDIS_URL; otherwise in a thread
    of this process (BACKGROUND_TASKS_IN_THREAD, the default), so that the request returns at once and the
    progress page shows the work advance, or right away in the request when that setting is off."""
    from jobs.batch import run_task

    if current_app.config.get("REDIS_URL"):
        from rq import Queue

        # No automatic retry: a re-run resumes where the task stopped, but a retry would hide a real failure.
        return Queue("batch", connection=redis_client(current_app.config["REDIS_URL"])).enqueue(
            run_task, task_id, job_timeout=6 * 3600)
    if current_app.config.get("BACKGROUND_TASKS_IN_THREAD", True):
        import threading

        app = current_app._get_current_object()

        def work():
            with app.app_context():
                run_task(task_id)

        thread = threading.Thread(target=work, name=f"background-task-{task_id}", daemon=True)
        thread.start()
        return thread
    return run_task(task_id)


def _connect_once() -> None:
    """Receivers and runners are per process; every app built in it shares them."""
    if background.available("background_task"):
        return
    background.on_due(background.EMAILS, lambda app: enqueue_outbox_delivery())
    background.on_due(background.REX_TRANSMISSIONS, lambda app: enqueue_rex_transmissions())
    # The transitions that transmit a registration (grant, modification validated, revocation and its
    # cancellation) are those that make a new certificate.
    background.on_due(background.REX_TRANSMISSIONS, lambda app: enqueue_certificate_rendering())
    background.register_task("background_task", _start_task)


def init_app(app: Flask) -> None:
    """The jobs layer as a plugin of the product (create_app loads the modules of PLUGINS): it delivers what a
    commit made due, runs batches, and adds its commands and its page ("Exploitation") to the app."""
    from jobs import admin, cli

    _connect_once()
    cli.register(app)
    admin.register(app.extensions["back_office"])
