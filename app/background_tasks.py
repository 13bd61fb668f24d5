"""Background work with progress (issue 20): batch actions over many files and exports over EXPORT_MAX_ROWS.

A task is a row of `background_task` (app/models/officer_work.py) written before anything runs; the runner
(jobs.batch.run_task, on an RQ worker with REDIS_URL, in a thread of the web process otherwise) updates its
progress as it goes, file by file, each file in its own transaction with its own history event. A cancelled
batch stops before its next file: the files already done stay done. Results are kept RETENTION days, then
purged by the scheduler (jobs.batch.purge_tasks). An export's file is given to the officer who asked for it only.
"""
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import delete, select, update

from app import background
from app.extensions import db
from app.models import BackgroundTask, BackgroundTaskItem, User
from app.models._time import utcnow
from app.models.officer_work import (
    TASK_CANCELLED, TASK_DONE, TASK_FAILED, TASK_FINISHED, TASK_QUEUED, TASK_RUNNING,
)

RETENTION = timedelta(days=7)
TASK = "background_task"


def create(user: User, kind: str, label: str, total: int, params: dict) -> BackgroundTask:
    """Write the task (committed), then hand it to the runner."""
    task = BackgroundTask(user_id=user.id, kind=kind, label=label[:200], total=total, params=params,
                          state=TASK_QUEUED, expires_at=utcnow() + RETENTION)
    db.session.add(task)
    db.session.commit()
    try:
        background.start(TASK, task.id)
    except Exception:
        # The runner could not take it (Redis unreachable): no task that would never run stays behind.
        db.session.rollback()
        db.session.execute(delete(BackgroundTask).where(BackgroundTask.id == task.id))
        db.session.commit()
        raise
    return task


def visible_to(user: User, task_id: int) -> BackgroundTask | None:
    """A task is its requester's only: anyone else gets nothing (a 404), an export's file included."""
    task = db.session.get(BackgroundTask, task_id)
    if task is None or task.user_id != user.id or _aware(task.expires_at) <= utcnow():
        return None
    return task


def of_user(user: User) -> list[BackgroundTask]:
    return list(db.session.scalars(select(BackgroundTask).where(BackgroundTask.user_id == user.id,
                                                                BackgroundTask.expires_at > utcnow())
                                   .order_by(BackgroundTask.created_at.desc(), BackgroundTask.id.desc())))


def request_cancel(task: BackgroundTask) -> bool:
    """Ask the runner to stop before its next file. False when the task has already finished."""
    if task.state in TASK_FINISHED:
        return False
    db.session.execute(update(BackgroundTask).where(BackgroundTask.id == task.id,
                                                    BackgroundTask.state.in_((TASK_QUEUED, TASK_RUNNING)))
                       .values(cancel_requested=True))
    db.session.commit()
    return True


def cancel_requested(task_id: int) -> bool:
    return bool(db.session.scalar(select(BackgroundTask.cancel_requested).where(BackgroundTask.id == task_id)))


def progress(task: BackgroundTask) -> dict:
    """What the progress page shows and polls (JSON)."""
    return {"state": task.state, "done": task.done, "failed": task.failed, "total": task.total,
            "finished": task.state in TASK_FINISHED, "cancel_requested": bool(task.cancel_requested)}


def items(task: BackgroundTask, ok: bool | None = None, limit: int | None = None) -> list[BackgroundTaskItem]:
    query = select(BackgroundTaskItem).where(BackgroundTaskItem.task_id == task.id)
    if ok is not None:
        query = query.where(BackgroundTaskItem.ok.is_(ok))
    query = query.order_by(BackgroundTaskItem.id)
    if limit:
        query = query.limit(limit)
    return list(db.session.scalars(query))


def state_label(state: str) -> str:
    return {TASK_QUEUED: _("En attente"), TASK_RUNNING: _("En cours"), TASK_DONE: _("Terminé"),
            TASK_CANCELLED: _("Annulé"), TASK_FAILED: _("Échec")}.get(state, state)


def purge_expired() -> int:
    result = db.session.execute(delete(BackgroundTask).where(BackgroundTask.expires_at <= utcnow()))
    db.session.commit()
    return result.rowcount or 0


def _aware(value):
    from datetime import timezone
    return value if value is None or value.tzinfo else value.replace(tzinfo=timezone.utc)

