"""What the administrators' operations page (app/admin_views/operations.py) reads and does.

- RQ: per queue, the jobs queued, started, scheduled (retries waiting for their delay included), deferred
  and failed, and the workers listening; the failed jobs with their traceback, and requeueing them.
- The email outbox and the REX transmissions: counts by status, each table read by one GROUP BY on its
  status index (plus one bounded query), so the page stays cheap on big tables.
"""
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import case, func, select

from app.extensions import db
from app.models import OutboxEmail, RexTransmission
from app.models.outbox import OUTBOX_FAILED, OUTBOX_PENDING, OUTBOX_SENDING, OUTBOX_SENT
from app.models.transmissions import REX_ACKNOWLEDGED, REX_ERROR, REX_SENT, REX_TO_SEND

# Every queue jobs/ enqueues to: the worker line of the Procfile.
QUEUES = ("periodic", "emails", "rex", "batch", "default")
FAILED_LIMIT = 50
# RQ job ids are uuids or [A-Za-z0-9_-] (rq 2.8); anything else from a form is not looked up in Redis.
JOB_ID = re.compile(r"[A-Za-z0-9_-]{1,100}")


def redis_connection():
    """The Redis of the RQ queues, or None in the embedded mode (jobs run in the web process)."""
    url = current_app.config.get("REDIS_URL")
    if not url:
        return None
    from redis import Redis

    # Short timeouts: a Redis outage makes the page say so instead of hanging a web worker.
    return Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)


@dataclass
class QueueStats:
    name: str
    queued: int
    started: int
    scheduled: int
    deferred: int
    failed: int
    workers: dict[str, int]  # worker state (idle, busy, suspended, started) -> number of workers


def queue_stats(connection) -> list[QueueStats]:
    from rq import Queue, Worker

    stats = []
    for name in QUEUES:
        queue = Queue(name, connection=connection)
        workers: dict[str, int] = {}
        for worker in Worker.all(queue=queue):
            state = worker.get_state()
            state = getattr(state, "value", state)  # a WorkerStatus, or its text as read from Redis
            workers[state] = workers.get(state, 0) + 1
        stats.append(QueueStats(name, queue.count, queue.started_job_registry.count,
                                queue.scheduled_job_registry.count, queue.deferred_job_registry.count,
                                queue.failed_job_registry.count, workers))
    return stats


@dataclass
class FailedJob:
    id: str
    queue: str
    function: str | None
    enqueued_at: datetime | None
    ended_at: datetime | None
    traceback: str

    @property
    def error(self) -> str:
        """The exception line: the last line of the traceback."""
        lines = self.traceback.strip().splitlines()
        return lines[-1] if lines else ""


def failed_jobs(connection, queue_name: str, limit: int = FAILED_LIMIT) -> list[FailedJob]:
    """The `limit` most recent failures of a queue, most recent first."""
    from rq import Queue
    from rq.exceptions import DeserializationError
    from rq.job import Job

    registry = Queue(queue_name, connection=connection).failed_job_registry
    # Scores are failure time + failure_ttl: with one TTL for all jobs, the highest are the latest failures.
    ids = registry.get_job_ids(0, limit - 1, desc=True)
    jobs = []
    for job in Job.fetch_many(ids, connection=connection):
        if job is None:  # expired between the two reads
            continue
        try:
            function = job.func_name
        except DeserializationError:
            function = None
        result = job.latest_result()
        jobs.append(FailedJob(job.id, queue_name, function, job.enqueued_at, job.ended_at,
                              (result.exc_string if result else None) or ""))
    return sorted(jobs, key=lambda j: j.ended_at or j.enqueued_at or datetime.min, reverse=True)


def requeue(connection, queue_name: str, job_id: str) -> bool:
    """Put a failed job back on its queue; False when no such failed job (unknown, expired, already
    requeued)."""
    from rq import Queue
    from rq.exceptions import InvalidJobOperation, NoSuchJobError

    if queue_name not in QUEUES or not JOB_ID.fullmatch(job_id or ""):
        return False
    try:
        Queue(queue_name, connection=connection).failed_job_registry.requeue(job_id)
    except (NoSuchJobError, InvalidJobOperation):
        return False
    return True


def requeue_all(connection, queue_name: str) -> int:
    """Requeue every failed job of a queue; returns how many went back."""
    from rq import Queue

    if queue_name not in QUEUES:
        return 0
    registry = Queue(queue_name, connection=connection).failed_job_registry
    return sum(requeue(connection, queue_name, job_id) for job_id in registry.get_job_ids())


def outbox_backlog(now: datetime) -> dict:
    """Emails not yet delivered, by status; pending ones split into due now and waiting for their backoff."""
    waiting = OutboxEmail.next_attempt_at > now
    rows = db.session.execute(
        select(OutboxEmail.status, func.count(),
               func.sum(case((waiting, 1), else_=0)),
               func.min(case((waiting, OutboxEmail.next_attempt_at))))
        .where(OutboxEmail.status.in_((OUTBOX_PENDING, OUTBOX_SENDING, OUTBOX_FAILED)))
        .group_by(OutboxEmail.status))
    counts = {status: (total, waiting_count or 0, next_attempt) for status, total, waiting_count, next_attempt in rows}
    pending, pending_waiting, next_attempt = counts.get(OUTBOX_PENDING, (0, 0, None))
    # Sent rows are most of the table: the recent ones are found by ix_outbox_email_sent_at.
    sent_last_day = db.session.scalar(
        select(func.count()).select_from(OutboxEmail)
        .where(OutboxEmail.status == OUTBOX_SENT, OutboxEmail.sent_at >= now - timedelta(days=1)))
    return {
        "pending_due": pending - pending_waiting,
        "pending_waiting": pending_waiting,
        "next_attempt_at": next_attempt,
        "sending": counts.get(OUTBOX_SENDING, (0,))[0],
        "sent_last_day": sent_last_day,
        "failed": counts.get(OUTBOX_FAILED, (0,))[0],
    }


def rex_backlog() -> dict:
    """Transmissions by state, the errors left for an officer's 'Renvoyer', and the oldest not acknowledged."""
    # count(next_attempt_at): an error with no next attempt has used its automatic retries (jobs/rex.py).
    # Both columns are in ix_rex_transmission_state_next_attempt: an index-only scan on PostgreSQL.
    rows = db.session.execute(
        select(RexTransmission.state, func.count(), func.count(RexTransmission.next_attempt_at))
        .group_by(RexTransmission.state))
    counts = {state: 0 for state in (REX_TO_SEND, REX_SENT, REX_ACKNOWLEDGED, REX_ERROR)}
    errors_without_retry = 0
    for state, total, with_next_attempt in rows:
        counts[state] = total
        if state == REX_ERROR:
            errors_without_retry = total - with_next_attempt
    oldest = db.session.scalars(
        select(RexTransmission).where(RexTransmission.state.in_((REX_TO_SEND, REX_SENT, REX_ERROR)))
        .order_by(RexTransmission.created_at, RexTransmission.id).limit(1)).first()
    return {"counts": counts, "errors_without_retry": errors_without_retry, "oldest": oldest}
