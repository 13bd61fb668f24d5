"""Shared helpers for the workflow tests: read the database afresh, compare before and after."""
from datetime import datetime, timezone

from sqlalchemy import func, select

from app.extensions import db
from app.models import (
    Application, ApplicationRelation, Contact, DiscussionMessage, Document, GoodsLine, HistoryEvent, OutboxEmail,
    PublicationConsent, Registration, Undertaking,
)

SECTION2_EMAIL = "rubrique2@exportateur.example"
GUIDE_INCOMPLETE_SENTENCE = "Sans action de votre part avant un délai de 30 jours"


def aware(value: datetime | None) -> datetime | None:
    """SQLite hands timestamps back naive (they were stored in UTC); PostgreSQL hands them back aware."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=timezone.utc)


def fresh(application_id: int) -> Application:
    """The file as the database holds it now, not as the session remembers it."""
    db.session.expire_all()
    return db.session.get(Application, application_id)


def count(model, **where) -> int:
    query = select(func.count()).select_from(model)
    for name, value in where.items():
        query = query.where(getattr(model, name) == value)
    return db.session.scalar(query)


def events(application_id: int) -> list[HistoryEvent]:
    db.session.expire_all()
    return list(db.session.scalars(select(HistoryEvent).where(HistoryEvent.application_id == application_id)
                                   .order_by(HistoryEvent.id)))


def last_event(application_id: int) -> HistoryEvent:
    return events(application_id)[-1]


def outbox() -> list[OutboxEmail]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxEmail).order_by(OutboxEmail.id)))


def messages(application_id: int) -> list[DiscussionMessage]:
    db.session.expire_all()
    return list(db.session.scalars(select(DiscussionMessage).where(DiscussionMessage.application_id == application_id)
                                   .order_by(DiscussionMessage.id)))


def snapshot(application_id: int) -> dict:
    """Everything a transition may change, re-read from the database."""
    application = fresh(application_id)
    return {
        "status": application.status,
        "version": application.version,
        "company_id": application.company_id,
        "answer_deadline": application.answer_deadline,
        "received_complete_at": application.received_complete_at,
        "decided_at": application.decided_at,
        "history_events": count(HistoryEvent),
        "outbox": count(OutboxEmail),
        "messages": count(DiscussionMessage),
        "registrations": count(Registration),
        "applications": count(Application),
        "documents": count(Document),
        "contacts": count(Contact, application_id=application_id),
        "goods": count(GoodsLine, application_id=application_id),
        "relations": count(ApplicationRelation, application_id=application_id),
        "undertakings": count(Undertaking, application_id=application_id),
        "consents": count(PublicationConsent, application_id=application_id),
    }


def with_section2_email(factory, application, email=SECTION2_EMAIL, **changes):
    """A complete content whose section 2 email differs from the company's and the account's."""
    content = factory.content(application, **changes)
    content.exporter = dict(content.exporter, email=email)
    return content


def assert_refused(call, error, application_id: int, field: str | None = None):
    """The transition raises `error` (with `field` if given) and the database is exactly as before."""
    import pytest

    before = snapshot(application_id)
    with pytest.raises(error) as raised:
        call()
    if field is not None:
        assert raised.value.field == field
    assert str(raised.value)
    assert snapshot(application_id) == before
    return raised.value


MINIMAL_PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
               b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
               b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>endobj\n"
               b"trailer<</Root 1 0 R>>\n%%EOF\n")


def minimal_png() -> bytes:
    """A real 1x1 PNG."""
    import struct
    import zlib

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b""))
