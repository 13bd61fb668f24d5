"""Batch instruction actions: the same transitions, one file at a time, each its own transaction and history
event; a refusal of one file stops nothing else."""
from app.extensions import db
from app.models import Application, Office, User
from app.workflow.access import officer_may_instruct
from app.workflow.errors import WorkflowError
from app.workflow.instruction import assign, reassign


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
