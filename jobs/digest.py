"""The officers' daily digest (Mon travail by email): sent once a day by the scheduler (jobs/schedule.py) to every
officer who chose it in Mon travail, when they have news on their files or files nearing their deadline."""
from flask import current_app
from sqlalchemy import select

from app import background
from app.extensions import db
from app.models import Role, User
from app.notifications import queue_email
from app.workflow.news import my_news, near_deadline
from jobs.app_context import with_app_context


@with_app_context
def send_daily_digests() -> int:
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
