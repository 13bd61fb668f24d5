"""The state machine. Views, jobs and the CLI change a file's status only through these functions."""
from app.workflow.applications import (
    abandon, abandon_draft, comment, complete, create_draft, duplicate, grant, may_duplicate, record,
    reject, reject_expired, request_information, save_draft, submit, validation_errors,
)
from app.workflow.content import ApplicationContent, content_of
from app.workflow.errors import Incomplete, NotAllowed, StaleFile, WorkflowError, WrongStatus

__all__ = [
    "ApplicationContent", "Incomplete", "NotAllowed", "StaleFile", "WorkflowError", "WrongStatus",
    "abandon", "abandon_draft", "comment", "complete", "content_of", "create_draft", "duplicate", "grant",
    "may_duplicate", "record", "reject", "reject_expired", "request_information", "save_draft", "submit",
    "validation_errors",
]
