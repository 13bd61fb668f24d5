"""One place that renders email: templates/email/<name>.txt, whose first line is the subject."""
import uuid
from collections.abc import Iterable

from flask import current_app
from sqlalchemy import update

from app import background
from app.extensions import db
from app.models import OutboxEmail
from app.models.outbox import OUTBOX_FAILED, OUTBOX_PENDING


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


def email_context(application, **extra) -> dict:
    """What every email about a file may use: the file and the address of the service."""
    return {"application": application, "base_url": current_app.config["PUBLIC_BASE_URL"], **extra}


def queue_email(template: str, recipient: str | None, **context) -> OutboxEmail | None:
    """Add an email to the outbox in the current transaction; its delivery is due once it commits
    (app/background.py), and only then: a saved draft that queues nothing starts no delivery."""
    if not recipient:
        return None
    email = OutboxEmail(**email_row(template, recipient, **context))
    db.session.add(email)
    background.mark_due(background.EMAILS)
    return email


def retry_failed(ids) -> int:
    """Administrators' 'Relancer': failed messages go back to pending, attempts reset, due now."""
    result = db.session.execute(
        update(OutboxEmail)
        .where(OutboxEmail.id.in_(list(ids)), OutboxEmail.status == OUTBOX_FAILED)
        .values(status=OUTBOX_PENDING, attempts=0, next_attempt_at=None, claimed_at=None)
        .execution_options(synchronize_session=False))
    if result.rowcount:
        background.mark_due(background.EMAILS)
    background.commit()
    return result.rowcount
