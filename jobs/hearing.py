"""The scheduler's jobs around the right to be heard before a revocation (app/workflow/hearing.py): the end of the
holder's period and the reminder before it, both idempotent and safe twice at once."""
import logging
from datetime import datetime

from app.workflow import hearing
from jobs.app_context import with_app_context

log = logging.getLogger(__name__)


@with_app_context
def end_hearing_periods(now: datetime | None = None) -> dict:
    """Mark the hearings whose period to present observations is over: the officer may decide."""
    result = hearing.end_periods(now)
    log.info("hearing periods: %(ended)s ended", result)
    return result


@with_app_context
def send_hearing_reminders(now: datetime | None = None) -> dict:
    """Remind, once, the holders who have not answered as the end of their period nears."""
    result = hearing.send_reminders(now)
    log.info("hearing reminders: %(reminders)s sent", result)
    return result
