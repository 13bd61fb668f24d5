"""One place that renders email: templates/email/<name>.txt, whose first line is the subject."""
import uuid

from flask import current_app

from app.extensions import db
from app.models import OutboxEmail


def render_email(template: str, **context) -> tuple[str, str]:
    # The Jinja environment directly: no request context processors, so jobs render as fast as views.
    text = current_app.jinja_env.get_template(f"email/{template}.txt").render(**context)
    first, _, body = text.partition("\n")
    if not first.startswith("Subject:"):
        raise ValueError(f"email/{template}.txt must start with a 'Subject:' line")
    return first.removeprefix("Subject:").strip(), body.lstrip("\n")


def email_row(template: str, recipient: str, **context) -> dict:
    """The outbox row of one email, rendered now; bulk writers insert these dicts directly."""
    subject, body = render_email(template, **context)
    domain = current_app.config["MAIL_DEFAULT_SENDER"].rsplit("@", 1)[-1].rstrip(">")
    return {"template": template, "recipient": recipient, "subject": subject, "body": body,
            "message_id": f"<{uuid.uuid4().hex}@{domain}>"}


def queue_email(template: str, recipient: str | None, **context) -> OutboxEmail | None:
    """Add an email to the outbox in the current transaction; delivery happens after commit."""
    if not recipient:
        return None
    email = OutboxEmail(**email_row(template, recipient, **context))
    db.session.add(email)
    return email
