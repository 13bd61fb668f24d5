"""Background jobs. One enqueue helper: RQ when REDIS_URL is set, in-process otherwise."""
import logging

from flask import current_app

log = logging.getLogger(__name__)


def enqueue(func, *args, queue: str = "default", **kwargs):
    """Run func(*args) as a job: on an RQ queue in production, right away in the embedded mode."""
    redis_url = current_app.config.get("REDIS_URL")
    if redis_url:
        from redis import Redis
        from rq import Queue, Retry

        q = Queue(queue, connection=Redis.from_url(redis_url, socket_connect_timeout=5, socket_timeout=10))
        return q.enqueue(func, *args, retry=Retry(max=5, interval=[10, 30, 60, 300, 900]), **kwargs)
    try:
        return func(*args, **kwargs)
    except Exception:  # an in-process job must not break the request that caused it
        log.exception("in-process job %s failed", getattr(func, "__name__", func))
        return None


def _enqueue_after_commit(func, queue: str):
    """Enqueue the delivery of rows just committed. Redis unreachable: the rows stay pending and the periodic
    job (jobs/schedule.py) delivers them once it is back; the change is done, so the request must not fail."""
    from redis.exceptions import RedisError

    try:
        return enqueue(func, queue=queue)
    except RedisError:
        log.warning("queue %s unreachable: %s left to the periodic run", queue, func.__name__, exc_info=True)
        return None


def enqueue_outbox_delivery():
    from jobs.outbox import deliver_outbox

    return _enqueue_after_commit(deliver_outbox, "emails")


def enqueue_rex_transmissions():
    """Push the registrations waiting for the Commission's central REX (called after the commit)."""
    from jobs.rex import transmit_pending

    return _enqueue_after_commit(transmit_pending, "rex")
