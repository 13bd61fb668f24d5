"""Deliver the email outbox. Each message is claimed before it is sent, so it goes out once."""
import logging
import socket
import smtplib
from datetime import timedelta
from pathlib import Path

from flask import current_app
from flask_mail import Message
from sqlalchemy import or_, select, update

from app.extensions import db, mail
from app.models import OutboxEmail
from app.models._time import utcnow
from app.models.outbox import OUTBOX_FAILED, OUTBOX_PENDING, OUTBOX_SENDING, OUTBOX_SENT
from jobs.app_context import with_app_context

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 8
CLAIM_EXPIRY = timedelta(minutes=10)


def _claim(email_id: int) -> bool:
    """Atomically move one message from pending to sending; False if another worker has it."""
    now = utcnow()
    result = db.session.execute(
        update(OutboxEmail)
        .where(OutboxEmail.id == email_id,
               or_(OutboxEmail.status == OUTBOX_PENDING,
                   (OutboxEmail.status == OUTBOX_SENDING) & (OutboxEmail.claimed_at < now - CLAIM_EXPIRY)))
        .values(status=OUTBOX_SENDING, claimed_at=now, attempts=OutboxEmail.attempts + 1)
        .execution_options(synchronize_session=False))
    db.session.commit()
    return result.rowcount == 1


def build_message(email: OutboxEmail) -> Message:
    msg = Message(subject=email.subject, recipients=[email.recipient], body=email.body,
                  sender=current_app.config["MAIL_DEFAULT_SENDER"])
    msg.msgId = email.message_id  # stable across retries, so a receiver can spot a duplicate
    return msg


def _send(msg: Message) -> None:
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        folder = Path(config["MAIL_FILE_DIR"])
        folder.mkdir(parents=True, exist_ok=True)
        name = msg.msgId.strip("<>").replace("@", "_at_")
        (folder / f"{name}.eml").write_bytes(msg.as_bytes())
        return
    # Flask-Mail opens its SMTP connection without a timeout; a dead server must not hang the worker.
    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(config["MAIL_TIMEOUT_SECONDS"])
    try:
        mail.send(msg)
    finally:
        socket.setdefaulttimeout(previous)


def deliver_one(email_id: int) -> bool:
    if not _claim(email_id):
        return False
    email = db.session.get(OutboxEmail, email_id)
    try:
        _send(build_message(email))
    except (OSError, smtplib.SMTPException, socket.timeout) as exc:
        email.status = OUTBOX_FAILED if email.attempts >= MAX_ATTEMPTS else OUTBOX_PENDING
        email.last_error = f"{type(exc).__name__}: {exc}"
        db.session.commit()
        log.warning("delivery of outbox email %s failed: %s", email_id, exc)
        return False
    email.status = OUTBOX_SENT
    email.sent_at = utcnow()
    email.last_error = None
    db.session.commit()
    return True


@with_app_context
def deliver_outbox(limit: int = 200) -> int:
    """Send pending messages; returns how many were sent."""
    ids = db.session.scalars(select(OutboxEmail.id).where(OutboxEmail.status == OUTBOX_PENDING)
                             .order_by(OutboxEmail.id).limit(limit)).all()
    return sum(deliver_one(i) for i in ids)
