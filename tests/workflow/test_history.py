"""The history of a file is append-only: the session refuses to change or delete an event."""
import pytest
from sqlalchemy import delete, select, update

from app.extensions import db
from app.models import HistoryEvent
from app.models.history import HistoryIsAppendOnly
from tests.workflow.helpers import events


def _submitted_event(application_id):
    return next(e for e in events(application_id) if e.kind == "submitted")


def test_changing_a_history_event_is_refused(under_review):
    event = _submitted_event(under_review.id)
    event.comment = "Réécrit"
    with pytest.raises(HistoryIsAppendOnly):
        db.session.commit()
    db.session.rollback()

    assert _submitted_event(under_review.id).comment is None


def test_deleting_a_history_event_is_refused(under_review):
    kinds = [e.kind for e in events(under_review.id)]
    db.session.delete(_submitted_event(under_review.id))
    with pytest.raises(HistoryIsAppendOnly):
        db.session.commit()
    db.session.rollback()

    assert [e.kind for e in events(under_review.id)] == kinds


def test_bulk_update_of_history_through_the_session_is_refused(under_review):
    with pytest.raises(HistoryIsAppendOnly):
        db.session.execute(update(HistoryEvent).where(HistoryEvent.application_id == under_review.id)
                           .values(comment="Réécrit"))
    db.session.rollback()

    assert [e.comment for e in events(under_review.id)] == [None, None]


def test_bulk_delete_of_history_through_the_session_is_refused(under_review):
    with pytest.raises(HistoryIsAppendOnly):
        db.session.execute(delete(HistoryEvent).where(HistoryEvent.application_id == under_review.id))
    db.session.rollback()

    assert [e.kind for e in events(under_review.id)] == ["draft_created", "submitted"]


def test_adding_history_events_is_still_allowed(operator, under_review):
    from app.workflow import record

    record(under_review, "comment", operator, comment="Ajout")
    db.session.commit()

    assert db.session.scalar(select(HistoryEvent.comment).where(HistoryEvent.kind == "comment")) == "Ajout"
