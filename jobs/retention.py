"""The scheduler's retention job (app/workflow/retention.py), daily; `flask --app wsgi purge-retention --dry-run`
says what it would purge."""
import logging
from datetime import datetime

from app.workflow import retention
from jobs.app_context import with_app_context

log = logging.getLogger(__name__)


@with_app_context
def purge_retention(now: datetime | None = None, dry_run: bool = False) -> dict:
    """Purge the personal data past their retention, and the old sent emails."""
    result = retention.purge(now, dry_run)
    log.info("retention%s: %s registration period(s), %s EORI number(s), %s sent email(s)",
             " (dry run)" if dry_run else "", len(result["registrations"]), len(result["eori_numbers"]),
             result["sent_emails"])
    return result
