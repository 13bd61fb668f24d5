"""A batch of instruction actions too large for a request, run as a job (app/workflow/batch.py)."""
from app.extensions import db
from app.models import User
from app.workflow.batch import apply_to_files
from jobs.app_context import with_app_context


@with_app_context
def run_batch(actor_id: int, action: str, ids: list[int], params: dict) -> dict:
    return apply_to_files(db.session.get(User, actor_id), action, ids, params)
