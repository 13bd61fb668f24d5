"""Batch instruction actions: one workflow call, one transaction and one history event per file."""
from app.extensions import db
from app.models import Application, Office, User
from app.workflow import WorkflowError
from app.workflow.access import officer_may_instruct
from app.workflow.instruction import assign, reassign
from jobs.app_context import with_app_context


def apply_to_files(actor: User, action: str, ids: list[int], params: dict) -> dict:
    """Returns counts of files done and refused (with the reason of each refusal)."""
    done, refused = 0, {}
    target_officer = db.session.get(User, params["officer_id"]) if action == "assign" else None
    target_office = db.session.get(Office, params["office_id"]) if action == "reassign" else None
    for application_id in ids:
        application = db.session.get(Application, application_id)
        # Selected within the actor's scope, but reassigned meanwhile, or a crafted id: neither done nor named.
        if application is None or not officer_may_instruct(actor, application):
            continue
        try:
            if action == "assign":
                assign(actor, application, target_officer)
            else:
                reassign(actor, application, target_office, params.get("comment", ""))
            done += 1
        except WorkflowError as exc:
            refused[application.reference] = str(exc.message)
    return {"done": done, "refused": refused}


@with_app_context
def run_batch(actor_id: int, action: str, ids: list[int], params: dict) -> dict:
    """The job form of apply_to_files, for batches too large to run within a request."""
    return apply_to_files(db.session.get(User, actor_id), action, ids, params)
