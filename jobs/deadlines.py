"""The scheduler's jobs around the 30-day answer period: the workflow's own set-based functions
(app/workflow/deadlines.py), run in an application context and logged."""
import logging
from datetime import datetime

from app.workflow import deadlines
from jobs.app_context import with_app_context

log = logging.getLogger(__name__)


@with_app_context
def sweep_deadlines(now: datetime | None = None, batch_size: int = deadlines.BATCH_SIZE) -> dict:
    """Reject automatically every incomplete file whose answer period has ended."""
    result = deadlines.reject_expired(now, batch_size)
    log.info("deadline sweep: %(due)s due, %(rejected)s rejected, %(skipped)s skipped", result)
    return result


@with_app_context
def send_deadline_reminders(now: datetime | None = None, batch_size: int = deadlines.BATCH_SIZE) -> dict:
    """Email the 7-day and 1-day reminders of the incomplete files, each once."""
    counts = deadlines.send_reminders(now, batch_size)
    log.info("deadline reminders: %s", counts)
    return counts
