"""What the page of one file or one registration shows besides the row itself: history, thread, documents,
transmissions, the registration a file yielded."""
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.models import DiscussionMessage, Document, HistoryEvent, Registration, RexTransmission


def history_of(application_id: int):
    return db.session.scalars(select(HistoryEvent).where(HistoryEvent.application_id == application_id)
                              .options(joinedload(HistoryEvent.actor), joinedload(HistoryEvent.office))
                              .order_by(HistoryEvent.at.desc(), HistoryEvent.id.desc())).all()


def thread_of(application_id: int):
    return db.session.scalars(select(DiscussionMessage).where(DiscussionMessage.application_id == application_id)
                              .options(joinedload(DiscussionMessage.author))
                              .order_by(DiscussionMessage.at, DiscussionMessage.id)).all()


def registration_history(registration_id: int):
    """'Historique de l'autorisation': the events recorded on this version."""
    return db.session.scalars(select(HistoryEvent).where(HistoryEvent.registration_id == registration_id)
                              .options(joinedload(HistoryEvent.actor), joinedload(HistoryEvent.office))
                              .order_by(HistoryEvent.at.desc(), HistoryEvent.id.desc())).all()


def registration_thread(registration_id: int):
    return db.session.scalars(select(DiscussionMessage).where(DiscussionMessage.registration_id == registration_id)
                              .options(joinedload(DiscussionMessage.author))
                              .order_by(DiscussionMessage.at, DiscussionMessage.id)).all()


def documents_of(application_id: int):
    return db.session.scalars(select(Document).where(Document.application_id == application_id)
                              .options(joinedload(Document.uploaded_by)).order_by(Document.uploaded_at)).all()


def registration_of_application(application_id: int):
    return db.session.scalar(select(Registration).where(Registration.application_id == application_id))


def transmissions_of_application(application_id: int) -> list[RexTransmission]:
    """Every transmission of the registrations a file yielded."""
    return list(db.session.scalars(select(RexTransmission).join(Registration)
                                   .where(Registration.application_id == application_id)
                                   .order_by(RexTransmission.id)))


def transmissions_of_registration(registration_id: int) -> list[RexTransmission]:
    return list(db.session.scalars(select(RexTransmission).where(RexTransmission.registration_id == registration_id)
                                   .order_by(RexTransmission.id)))
