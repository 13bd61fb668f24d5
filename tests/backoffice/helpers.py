"""Shared helpers of the back-office tests: re-read a file, snapshot what an action may change, read pages."""
import re
from urllib.parse import parse_qs, urlparse

from sqlalchemy import func, select

from app.extensions import db
from app.models import (
    Application, Contact, DiscussionMessage, GoodsLine, HistoryEvent, OutboxEmail, Registration,
)
from tests.operator.helpers import PDF  # noqa: F401  (re-exported for the back-office tests)
from tests.operator.html import parse

OFFICE_A, OFFICE_B, OFFICE_C = "FR000600", "FR002300", "FR003920"  # Bordeaux Mérignac, Le Havre, Rouen
STALE = "Ce dossier a changé"


def fresh(application_id: int) -> Application:
    """The file as the database holds it now, not as the shared session remembers it."""
    db.session.expire_all()
    return db.session.get(Application, application_id)


def count(model, **where) -> int:
    query = select(func.count()).select_from(model)
    for name, value in where.items():
        query = query.where(getattr(model, name) == value)
    return db.session.scalar(query)


def events(application_id: int, kind: str | None = None) -> list[HistoryEvent]:
    db.session.expire_all()
    query = select(HistoryEvent).where(HistoryEvent.application_id == application_id)
    if kind:
        query = query.where(HistoryEvent.kind == kind)
    return list(db.session.scalars(query.order_by(HistoryEvent.id)))


def emails(template: str | None = None, after: int = 0) -> list[OutboxEmail]:
    """The outbox rows (of one template), optionally only those written after row `after`."""
    db.session.expire_all()
    query = select(OutboxEmail).where(OutboxEmail.id > after)
    if template:
        query = query.where(OutboxEmail.template == template)
    return list(db.session.scalars(query.order_by(OutboxEmail.id)))


def last_email_id() -> int:
    return db.session.scalar(select(func.max(OutboxEmail.id))) or 0


def state(*application_ids: int, totals: bool = True) -> dict:
    """Everything a refused action must leave alone, re-read from the database: each file, and (totals)
    the whole outbox, registrations, history and discussion tables."""
    db.session.expire_all()
    snapshot = {"outbox": count(OutboxEmail), "registrations": count(Registration),
                "history": count(HistoryEvent), "messages": count(DiscussionMessage)} if totals else {}
    for application_id in application_ids:
        application = db.session.get(Application, application_id)
        snapshot[application_id] = {
            "status": application.status, "version": application.version,
            "assigned_officer_id": application.assigned_officer_id, "office_id": application.office_id,
            "updated_at": application.updated_at,
            "history": count(HistoryEvent, application_id=application_id),
            "contacts": [(c.full_name, c.phone, c.email) for c in db.session.scalars(
                select(Contact).where(Contact.application_id == application_id).order_by(Contact.id))],
            "goods": [(g.heading, g.description) for g in db.session.scalars(
                select(GoodsLine).where(GoodsLine.application_id == application_id).order_by(GoodsLine.id))],
        }
    return snapshot


def contact_form(application_id: int, **changes) -> dict:
    """The correction form of the file's first contact as the page fills it, with `changes` typed in."""
    from app.workflow.content import CONTACT_FIELDS

    contact = fresh(application_id).contacts[0]
    return {**{f: getattr(contact, f) or "" for f in CONTACT_FIELDS}, **changes}


def goods_form(application_id: int, **changes) -> dict:
    line = fresh(application_id).goods_lines[0]
    return {"heading": line.heading, "description": line.description, **changes}


def text_of(response) -> str:
    """The text a person reads on the page (entities decoded, spaces collapsed)."""
    return parse(response.data).text()


def login_redirect(response) -> bool:
    """An anonymous user is sent to the login page, with the page asked for as `next`."""
    if response.status_code != 302:
        return False
    location = urlparse(response.headers["Location"])
    return location.path == "/connexion" and "next" in parse_qs(location.query)


def error_beside(response, name: str) -> str:
    """The message shown right under the control `name` (Bootstrap: .is-invalid + .invalid-feedback)."""
    doc = parse(response.data)
    controls = [n for n in doc.iter() if n.tag in ("input", "select", "textarea") and n.attrs.get("name") == name]
    assert controls, f"no control named {name!r} on the page"
    control = controls[0]
    assert "is-invalid" in control.classes, f"{name!r} is not flagged invalid"
    siblings = control.parent.children
    after = siblings[siblings.index(control) + 1:]
    feedback = next((n for n in after if not isinstance(n, str) and "invalid-feedback" in n.classes), None)
    assert feedback is not None, f"no message beside {name!r}"
    return feedback.text()


def references_in(body: str) -> set[str]:
    return set(re.findall(r"FR-REX-\d{4}-\d{7}", body))
