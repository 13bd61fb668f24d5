"""One place that renders email: templates/email/<name>.txt, whose first line is the subject."""
import uuid
from collections.abc import Iterable

from flask import current_app

from app.extensions import db
from app.models import OutboxEmail


def _split(template: str, text: str) -> tuple[str, str]:
    first, _, body = text.partition("\n")
    if not first.startswith("Subject:"):
        raise ValueError(f"email/{template}.txt must start with a 'Subject:' line")
    # No carriage return may reach a header, whatever a name rendered into the subject contains.
    return " ".join(first.removeprefix("Subject:").split()), body.lstrip("\n")


def render_email(template: str, **context) -> tuple[str, str]:
    # The Jinja environment directly: no request context processors, so jobs render as fast as views.
    return _split(template, current_app.jinja_env.get_template(f"email/{template}.txt").render(**context))


def _message_domain() -> str:
    return current_app.config["MAIL_DEFAULT_SENDER"].rsplit("@", 1)[-1].rstrip(">")


def email_row(template: str, recipient: str, **context) -> dict:
    """The outbox row of one email, rendered now."""
    subject, body = render_email(template, **context)
    return {"template": template, "recipient": recipient, "subject": subject, "body": body,
            "message_id": f"<{uuid.uuid4().hex}@{_message_domain()}>"}


def email_rows(template: str, messages: Iterable[tuple[str, dict]]) -> list[dict]:
    """The outbox rows of many emails of one template, for bulk writers: the template is looked up once
    (a lookup may stat the file when templates auto-reload), each (recipient, context) rendered."""
    compiled = current_app.jinja_env.get_template(f"email/{template}.txt")
    domain = _message_domain()
    rows = []
    for recipient, context in messages:
        subject, body = _split(template, compiled.render(**context))
        rows.append({"template": template, "recipient": recipient, "subject": subject, "body": body,
                     "message_id": f"<{uuid.uuid4().hex}@{domain}>"})
    return rows


# Set in the session when a transaction adds an email; read (and cleared) when it commits or rolls back.
_EMAILS_QUEUED = "emails_queued"


def queue_email(template: str, recipient: str | None, **context) -> OutboxEmail | None:
    """Add an email to the outbox in the current transaction; delivery happens after commit."""
    if not recipient:
        return None
    email = OutboxEmail(**email_row(template, recipient, **context))
    db.session.add(email)
    db.session.info[_EMAILS_QUEUED] = True
    return email


def emails_were_queued() -> bool:
    """Whether the transaction just ended queued an email (and forget it): only then is a delivery enqueued."""
    return db.session.info.pop(_EMAILS_QUEUED, False)
