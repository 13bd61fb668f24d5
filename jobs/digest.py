"""The officers' daily digest (Mon travail by email): sent once a day by the scheduler to every officer who chose it
in Mon travail, when they have news on their files or files nearing their deadline.

The scheduler runs the job hourly (jobs/schedule.py, one run per hour slot across schedulers); it sends during
DIGEST_HOUR, Paris time, only, so once a day."""
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select

from app import background
from app.extensions import db
from app.models import Role, User
from app.notifications import queue_email
from app.workflow.news import my_news, near_deadline
from jobs.app_context import with_app_context


DIGEST_HOUR = 7  # 7 h in Paris: before the officers' day starts


@with_app_context
def send_daily_digests(force: bool = False) -> int:
    """Queue the digests (force: whatever the hour, for the tests and the CLI)."""
    paris = datetime.now(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"]))
    if not force and paris.hour != DIGEST_HOUR:
        return 0
    sent = 0
    officers = db.session.scalars(select(User).where(User.daily_digest.is_(True), User.is_enabled.is_(True),
                                                     User.role.in_((Role.OFFICER, Role.SUPERVISOR)))).all()
    for officer in officers:
        news, due = my_news(officer), near_deadline(officer)
        if not news and not due:
            continue
        queue_email("daily_digest", officer.email, officer=officer, news=news, due=due,
                    base_url=current_app.config["PUBLIC_BASE_URL"])
        sent += 1
    background.commit()
    return sent
