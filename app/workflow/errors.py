"""Why a transition was refused. Each carries a message a person can read."""


class WorkflowError(Exception):
    """A transition cannot happen; nothing was changed."""

    def __init__(self, message, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field


class NotAllowed(WorkflowError):
    """The actor may not fire this transition on this file."""


class WrongStatus(WorkflowError):
    """The file is not in a status from which this transition starts."""


class StaleFile(WorkflowError):
    """Someone else changed the file meanwhile."""


class Incomplete(WorkflowError):
    """The content does not pass the rules; errors maps a field path to its message."""

    def __init__(self, message, errors: dict[str, str]):
        super().__init__(message)
        self.errors = errors
