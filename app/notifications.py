"""One place that renders email: templates/email/<name>.txt, whose first line is the subject."""
import uuid
from collections.abc import Iterable

from flask import current_app
from sqlalchemy import String, cast, func, insert, literal, select, update

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


class _FieldTokens:
    """Stands for a file in a template rendered once for many files: each attribute the template reads is a
    token the INSERT ... SELECT replaces with the file's column. An attribute not declared is an error, never
    an empty string in someone's email."""

    def __init__(self, values: dict):
        self._values = values

    def __getattr__(self, name):
        try:
            return self._values[name]
        except KeyError:
            raise RuntimeError(f"this email template reads application.{name}, which the bulk "
                               f"outbox insert does not provide") from None


def queue_file_emails(template: str, where, kind, now, **context) -> int:
    """The emails of `template` for every file of kind `kind` matching `where` that has a section 2 email,
    written by one INSERT ... SELECT: the template is rendered once, with tokens for the file's id and
    reference, which the statement replaces per row. The same subject and body as email_rows(); no row
    crosses into Python (the deadline sweep: 100,000 emails in one statement per batch, not 100,000 renders)."""
    from app.models import Application

    tokens = {"id": "\u2983id\u2984", "reference": "\u2983reference\u2984"}
    columns = {"id": cast(Application.id, String), "reference": Application.reference}
    subject, body = render_email(template, application=_FieldTokens({**tokens, "kind": kind}), **context)

    def filled(text: str):
        expression = literal(text, String)
        for name, token in tokens.items():
            if token in text:
                expression = func.replace(expression, token, columns[name])
        return expression

    if db.session.get_bind().dialect.name == "postgresql":
        random_hex = func.replace(cast(func.gen_random_uuid(), String), "-", "")
    else:
        random_hex = func.lower(func.hex(func.randomblob(16)))
    rows = select(literal(template, String), Application.exporter_email, filled(subject), filled(body),
                  literal("<", String) + random_hex + literal(f"@{_message_domain()}>", String),
                  literal(OUTBOX_PENDING, String), literal(0), literal(now, OutboxEmail.created_at.type)).where(
        where, Application.kind == kind, Application.exporter_email.is_not(None), Application.exporter_email != "")
    result = db.session.execute(insert(OutboxEmail.__table__).from_select(
        ["template", "recipient", "subject", "body", "message_id", "status", "attempts", "created_at"], rows))
    if result.rowcount:
        background.mark_due(background.EMAILS)
    return result.rowcount


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
