"""One place that renders email: templates/email/<name>.txt, whose first line is the subject."""
import uuid

from flask import current_app, render_template

from app.extensions import db
from app.models import OutboxEmail


def render_email(template: str, **context) -> tuple[str, str]:
    text = render_template(f"email/{template}.txt", **context)
    first, _, body = text.partition("\n")
    if not first.startswith("Subject:"):
        raise ValueError(f"email/{template}.txt must start with a 'Subject:' line")
    return first.removeprefix("Subject:").strip(), body.lstrip("\n")


def queue_email(template: str, recipient: str | None, **context) -> OutboxEmail | None:
    """Add an email to the outbox in the current transaction; delivery happens after commit."""
    if not recipient:
        return None
    subject, body = render_email(template, **context)
    domain = current_app.config["MAIL_DEFAULT_SENDER"].rsplit("@", 1)[-1].rstrip(">")
    email = OutboxEmail(template=template, recipient=recipient, subject=subject, body=body,
                        message_id=f"<{uuid.uuid4().hex}@{domain}>")
    db.session.add(email)
    return email
