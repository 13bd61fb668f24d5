"""The state machine. Views, jobs and the CLI change a status only through the transitions declared here
(app/workflow/kernel.py); `flask --app wsgi workflow` prints their table (docs/workflow.md).

Importing the package declares every transition: each module below adds its own to the table.
"""
from app.workflow import (  # noqa: F401
    certifications, clock, consent, deadlines, documents, eori, four_eyes, hearing, instruction, registrations, retention,
)
from app.workflow.applications import (
    abandon, abandon_draft, cancel_complement, comment, complete, create_draft, duplicate, grant, may_duplicate, reject,
    request_information, save_draft, submit, validation_errors,
)
from app.workflow.content import ApplicationContent, content_of
from app.workflow.errors import Incomplete, NotAllowed, StaleFile, WorkflowError, WrongStatus
from app.workflow.history import record
from app.workflow.kernel import allowed, may

__all__ = [
    "ApplicationContent", "Incomplete", "NotAllowed", "StaleFile", "WorkflowError", "WrongStatus",
    "abandon", "abandon_draft", "allowed", "cancel_complement", "comment", "complete", "content_of", "create_draft", "duplicate",
    "grant", "may", "may_duplicate", "record", "reject", "request_information", "save_draft", "submit",
    "validation_errors",
]
