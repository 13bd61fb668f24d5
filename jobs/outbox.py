"""Deliver the email outbox. Each message is claimed before it is sent, so it goes out once.

- A row is claimed by one atomic UPDATE (pending -> sending, or a claim older than CLAIM_EXPIRY); two workers,
  or a retried job, racing for the same row: only one UPDATE matches, the other sends nothing.
- A failed attempt goes back to pending with next_attempt_at = now + BACKOFF[attempts]; after MAX_ATTEMPTS the
  row is 'failed' with its last_error, shown to administrators (app/admin_views/outbox.py), who may retry it.
- The SMTP connection has a timeout (MAIL_TIMEOUT_SECONDS): a dead server ends as an error, not a hang.
- The Message-ID is stable across attempts. A worker killed between the SMTP send and the 'sent' commit leaves
  the row in 'sending'; it is sent again after CLAIM_EXPIRY with the same Message-ID (at least once).
"""
import logging
import smtplib
from datetime import datetime, timedelta
from pathlib import Path

from flask import current_app
from flask_mail import Connection, Message
from sqlalchemy import and_, or_, select, update

from app.extensions import db
from app.models import OutboxEmail
from app.models._time import utcnow
from app.models.outbox import OUTBOX_FAILED, OUTBOX_PENDING, OUTBOX_SENDING, OUTBOX_SENT
from jobs import run_started
from jobs.app_context import with_app_context

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 8
CLAIM_EXPIRY = timedelta(minutes=10)
# Delay before the next attempt, by number of attempts made so far (the last one repeats).
BACKOFF = (timedelta(seconds=30), timedelta(minutes=2), timedelta(minutes=10), timedelta(minutes=30),
           timedelta(hours=2), timedelta(hours=6), timedelta(hours=12))


def backoff(attempts: int) -> timedelta:
    return BACKOFF[min(max(attempts, 1), len(BACKOFF)) - 1]


def _due(now: datetime):
    """Rows a worker may claim at `now`: pending and due, or stuck in 'sending' past the claim expiry."""
    return or_(
        and_(OutboxEmail.status == OUTBOX_PENDING,
             or_(OutboxEmail.next_attempt_at.is_(None), OutboxEmail.next_attempt_at <= now)),
        and_(OutboxEmail.status == OUTBOX_SENDING, OutboxEmail.claimed_at < now - CLAIM_EXPIRY))


def _claim(email_id: int, now: datetime | None = None) -> bool:
    """Atomically move one message from pending to sending; False if another worker has it."""
    now = now or utcnow()
    result = db.session.execute(
        update(OutboxEmail)
        .where(OutboxEmail.id == email_id, _due(now))
        .values(status=OUTBOX_SENDING, claimed_at=now, attempts=OutboxEmail.attempts + 1)
        .execution_options(synchronize_session=False))
    db.session.commit()
    return result.rowcount == 1


def build_message(email: OutboxEmail) -> Message:
    msg = Message(subject=email.subject, recipients=[email.recipient], body=email.body,
                  sender=current_app.config["MAIL_DEFAULT_SENDER"])
    msg.msgId = email.message_id  # stable across retries, so a receiver can spot a duplicate
    return msg


class _TimeoutConnection(Connection):
    """Flask-Mail's connection, opened with a socket timeout (Flask-Mail opens it with none)."""

    def __init__(self, state, timeout: float):
        super().__init__(state)
        self.timeout = timeout

    def configure_host(self):
        smtp = smtplib.SMTP_SSL if self.mail.use_ssl else smtplib.SMTP
        host = smtp(self.mail.server, self.mail.port, timeout=self.timeout)
        host.set_debuglevel(int(self.mail.debug))
        if self.mail.use_tls:
            host.starttls()
        if self.mail.username and self.mail.password:
            host.login(self.mail.username, self.mail.password)
        return host


def _send(msg: Message) -> None:
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        folder = Path(config["MAIL_FILE_DIR"])
        folder.mkdir(parents=True, exist_ok=True)
        name = msg.msgId.strip("<>").replace("@", "_at_")
        (folder / f"{name}.eml").write_bytes(msg.as_bytes())
        return
    # Per connection, not socket.setdefaulttimeout(): that is process-wide and races between threads.
    with _TimeoutConnection(current_app.extensions["mail"], config["MAIL_TIMEOUT_SECONDS"]) as connection:
        msg.send(connection)


def deliver_one(email_id: int, now: datetime | None = None) -> bool:
    now = now or utcnow()
    if not _claim(email_id, now):
        return False
    email = db.session.get(OutboxEmail, email_id)
    try:
        _send(build_message(email))
    except Exception as exc:  # SMTP, socket, timeout... never leave the row in 'sending'
        email.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        if email.attempts >= MAX_ATTEMPTS:
            email.status = OUTBOX_FAILED
            email.next_attempt_at = None
        else:
            email.status = OUTBOX_PENDING
            email.next_attempt_at = now + backoff(email.attempts)
        db.session.commit()
        log.warning("delivery of outbox email %s failed (attempt %s): %s", email_id, email.attempts, exc)
        return False
    email.status = OUTBOX_SENT
    email.sent_at = utcnow()
    email.last_error = None
    email.next_attempt_at = None
    db.session.commit()
    return True


@with_app_context
def deliver_outbox(now: datetime | None = None, limit: int = 200) -> int:
    """Send the messages due at `now` (default: the current time); returns how many were sent.

    Safe to run twice at once: each row is claimed before it is sent."""
    run_started(deliver_outbox)
    now = now or utcnow()
    ids = db.session.scalars(select(OutboxEmail.id).where(_due(now)).order_by(OutboxEmail.id).limit(limit)).all()
    sent = sum(deliver_one(i, now) for i in ids)
    if ids:
        log.info("outbox delivery: %s of %s due sent", sent, len(ids))
    return sent
