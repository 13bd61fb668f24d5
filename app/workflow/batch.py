"""Batch instruction actions: the same transitions, one file at a time, each its own transaction and history
event; a refusal of one file stops nothing else."""
from app.extensions import db
from app.models import Application, Office, User
from app.workflow.access import officer_may_instruct
from app.workflow.errors import WorkflowError
from app.workflow.instruction import assign, reassign

ACTIONS = ("assign", "reassign")


def targets(action: str, params: dict) -> dict:
    """The officer or office a batch hands its files to, read once per batch."""
    return {"officer": db.session.get(User, params["officer_id"]) if action == "assign" else None,
            "office": db.session.get(Office, params["office_id"]) if action == "reassign" else None}


def apply_to_file(actor: User, action: str, application_id: int, params: dict, target: dict):
    """One file of a batch: (application, None) when done, (application, reason) when refused, (None, None)
    when the file is not the actor's to touch (reassigned meanwhile, or a crafted id: neither done nor named)."""
    application = db.session.get(Application, application_id)
    if application is None or not officer_may_instruct(actor, application):
        return None, None
    try:
        if action == "assign":
            assign(actor, application, target["officer"])
        else:
            reassign(actor, application, target["office"], params.get("comment", ""))
    except WorkflowError as exc:
        return application, str(exc.message)
    return application, None


def apply_to_files(actor: User, action: str, ids: list[int], params: dict) -> dict:
    """Returns counts of files done and refused (with the reason of each refusal)."""
    done, refused = 0, {}
    target = targets(action, params)
    for application_id in ids:
        application, reason = apply_to_file(actor, action, application_id, params, target)
        if application is None:
            continue
        if reason is None:
            done += 1
        else:
            refused[application.reference] = reason
    return {"done": done, "refused": refused}
