"""Background tasks (app/background_tasks.py): a batch of instruction actions too large for a request, or an
export over EXPORT_MAX_ROWS rows, with its progress written as it goes."""
import csv
import io
import logging

from flask import current_app, g
from sqlalchemy import update

from app.background_tasks import cancel_requested, purge_expired
from app.extensions import db
from app.models import BackgroundTask, BackgroundTaskItem, User
from app.models._time import utcnow
from app.models.officer_work import TASK_CANCELLED, TASK_DONE, TASK_FAILED, TASK_FINISHED, TASK_RUNNING
from app.workflow.batch import apply_to_file, targets
from jobs.app_context import with_app_context

log = logging.getLogger(__name__)
PROGRESS_EVERY_ROWS = 1_000  # an export writes its progress every so many rows


@with_app_context
def run_task(task_id: int) -> dict | None:
    """Run a task to its end (or its cancellation); returns its final counts."""
    task = db.session.get(BackgroundTask, task_id)
    if task is None or task.state in TASK_FINISHED:
        return None
    task.state = TASK_RUNNING
    db.session.commit()
    try:
        if task.kind == "batch":
            _run_batch(task)
        else:
            _run_export(task)
    except Exception as exc:  # the task says it failed, with the reason, rather than staying "en cours"
        log.exception("background task %s failed", task_id)
        db.session.rollback()
        db.session.execute(update(BackgroundTask).where(BackgroundTask.id == task_id)
                           .values(state=TASK_FAILED, error=str(exc)[:2000], finished_at=utcnow()))
        db.session.commit()
    task = db.session.get(BackgroundTask, task_id)
    return {"state": task.state, "done": task.done, "failed": task.failed, "total": task.total}


def _finish(task_id: int, state: str, **values) -> None:
    db.session.execute(update(BackgroundTask).where(BackgroundTask.id == task_id)
                       .values(state=state, finished_at=utcnow(), **values))
    db.session.commit()


def _run_batch(task: BackgroundTask) -> None:
    task_id, params = task.id, task.params
    actor = db.session.get(User, task.user_id)
    action, ids, action_params = params["action"], params["ids"], params["params"]
    target = targets(action, action_params)
    for application_id in ids[task.done + task.failed:]:  # a re-run (a worker restarted) resumes
        if cancel_requested(task_id):
            _finish(task_id, TASK_CANCELLED)
            return
        application, reason = apply_to_file(actor, action, application_id, action_params, target)
        ok = application is not None and reason is None
        if application is None:
            reason = "Dossier hors de votre périmètre ou introuvable."
        db.session.add(BackgroundTaskItem(task_id=task_id, application_id=application.id if application else None,
                                          reference=application.reference if application else None,
                                          ok=ok, reason=reason))
        counter = BackgroundTask.done if ok else BackgroundTask.failed
        db.session.execute(update(BackgroundTask).where(BackgroundTask.id == task_id)
                           .values({counter.key: counter + 1}))
        db.session.commit()
    _finish(task_id, TASK_DONE)


def _export_view(endpoint: str):
    admin = current_app.extensions["back_office"]
    view = next((v for v in admin._views if getattr(v, "endpoint", None) == endpoint), None)
    if view is None or not hasattr(view, "_export_query"):
        raise LookupError(f"no export for {endpoint}")
    return view


def _run_export(task: BackgroundTask) -> None:
    """The list's own query (scope, filters, search, sort) as its requester sees it, written to the task."""
    from flask_babel import force_locale

    from app.admin_views.exports import csv_cell, xlsx_cell
    from app.notifications import queue_email

    task_id, params = task.id, task.params
    user = db.session.get(User, task.user_id)
    email, label = user.email, task.label
    view = _export_view(params["endpoint"])
    export_type = params["export_type"]
    with current_app.test_request_context(f"/admin/{params['endpoint']}/?{params['query']}"), \
            force_locale(params.get("locale", "fr")):
        g._login_user = user  # the list's scope is its requester's, as on the page
        query = view._export_query()
        columns = [(name, str(label)) for name, label in view._export_columns]
        written = 0
        if export_type == "csv":
            out = io.StringIO()
            writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
            out.write("\ufeff")
            writer.writerow([csv_cell(label) for _, label in columns])
            sink = lambda row: writer.writerow([csv_cell(view.get_export_value(row, n)) for n, _ in columns])  # noqa: E731
        else:
            from openpyxl import Workbook

            book = Workbook(write_only=True)
            sheet = book.create_sheet(title="export")
            sheet.append([xlsx_cell(sheet, label) for _, label in columns])
            sink = lambda row: sheet.append([xlsx_cell(sheet, view.get_export_value(row, n)) for n, _ in columns])  # noqa: E731
        # The ids first, in the list's order (one read, a consistent selection), then the rows a chunk at a
        # time: progress is committed between chunks, with no cursor held open across commits.
        model = view.model
        ids = [row[0] for row in query.with_entities(model.id)]
        db.session.execute(update(BackgroundTask).where(BackgroundTask.id == task_id).values(total=len(ids)))
        db.session.commit()
        for start in range(0, len(ids), PROGRESS_EVERY_ROWS):
            chunk = ids[start:start + PROGRESS_EVERY_ROWS]
            rows = {row.id: row for row in view.get_query().filter(model.id.in_(chunk))}
            for row_id in chunk:
                if row_id in rows:
                    sink(rows[row_id])
                    written += 1
            for row in rows.values():
                db.session.expunge(row)
            db.session.execute(update(BackgroundTask).where(BackgroundTask.id == task_id).values(done=written))
            db.session.commit()
            if cancel_requested(task_id):
                _finish(task_id, TASK_CANCELLED, done=written)
                return
        if export_type == "csv":
            content = out.getvalue().encode("utf-8")
        else:
            body = io.BytesIO()
            book.save(body)
            content = body.getvalue()
        filename = view._filename(export_type)
    _finish(task_id, TASK_DONE, done=written, content=content, filename=filename)
    queue_email("export_ready", email, task_id=task_id, label=label, filename=filename,
                base_url=current_app.config["PUBLIC_BASE_URL"])
    from app import background

    background.commit()


@with_app_context
def purge_tasks() -> int:
    """Results older than their 7 days go (jobs/schedule.py)."""
    return purge_expired()
