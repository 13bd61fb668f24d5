"""The 30-day answer period of an incomplete file: automatic rejection after it, reminders before it ends.

Both are set-based, the workflow's own bulk transitions, run by the scheduler (jobs/deadlines.py), idempotent and
safe when two workers run them at once:

- ``reject_expired`` selects the due files with one query on ix_application_incomplete_deadline (a partial index
  over the incomplete files: its cost grows with the files due, not with the table), then rejects them a batch at
  a time. Each batch is one transaction that claims its rows with ``FOR UPDATE SKIP LOCKED`` and re-checks, on the
  locked row, that the file is still incomplete and past its deadline. So a file another sweep holds is left to it
  (rejected once), and a file the operator is completing right now (its row is locked by the ``complete``
  transition) is skipped: once completed it is no longer incomplete and no later sweep selects it. The rejection
  writes what a transition writes: status rejected, deadline cleared, decided_at, version bumped (an open form
  becomes stale), a "rejected_automatically" history event without an actor ('Action automatique') and the email,
  and for a modification request its registration granted again, all committed together in a few statements per
  batch (no ORM load).
- ``send_reminders`` claims each reminder with ``UPDATE ... SET reminder_X_sent_at = now WHERE reminder_X_sent_at IS
  NULL ... RETURNING`` and queues its email in the same transaction: each reminder is sent once. The
  ``request_information`` transition resets both columns for a new answer period. A reminder is not a state
  change: no history event, no version bump.
"""
import math
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import insert, literal, literal_column, select, text, update

from app import background
from app.extensions import db
from app.models import Application, ApplicationStatus, HistoryEvent, OutboxEmail, Registration, RegistrationStatus
from app.models._time import utcnow
from app.notifications import email_context, email_rows, queue_file_emails
from app.workflow.kernel import bulk_transition
from app.workflow.subjects import APPLICATION

BATCH_SIZE = 1000
# Literal, not a bound parameter: the planner must see it to use the partial index, generic plans included.
IS_INCOMPLETE = Application.status == literal_column("'incomplete'")
# (days before the deadline, column claiming it, the window's near end): the 7-day reminder goes to files due
# in (1, 7] days, the 1-day reminder to files due within a day.
REMINDERS = ((7, "reminder_7_sent_at", timedelta(days=1)), (1, "reminder_1_sent_at", timedelta(0)))


def due_query(now: datetime):
    """The one selection of the sweep: the ids of incomplete files whose deadline has passed."""
    return (select(Application.id).where(IS_INCOMPLETE, Application.answer_deadline <= now)
            .order_by(Application.answer_deadline, Application.id))


def _reject_batch(ids: list[int], now: datetime) -> int:
    """Reject those of `ids` still incomplete and past their deadline, skipping rows another transaction holds.
    One transaction of three statements, whatever the batch size; returns how many were rejected."""
    claimable = (select(Application.id)
                 .where(Application.id.in_(ids), IS_INCOMPLETE, Application.answer_deadline <= now)
                 .with_for_update(skip_locked=True))
    try:
        if db.session.get_bind().dialect.name == "postgresql":
            # No wait for the WAL flush at each batch's commit (a few seconds over 100 batches on a busy disk).
            # A server crash within a fraction of a second after a commit may lose that batch: the next sweep
            # rejects those files again (at worst an email already delivered is sent twice). Nothing else is lost.
            db.session.execute(text("SET LOCAL synchronous_commit = off"))
        # What the history and the emails need comes back with the UPDATE: no ORM load of the batch.
        rejected = db.session.execute(
            update(Application)
            .where(Application.id.in_(claimable.scalar_subquery()), IS_INCOMPLETE,
                   Application.answer_deadline <= now)
            .values(status=ApplicationStatus.REJECTED, answer_deadline=None, decided_at=now, updated_at=utcnow(),
                    version=Application.version + 1)
            .returning(Application.id, Application.reference, Application.office_id, Application.exporter_email,
                       Application.registration_id, Application.kind)
            .execution_options(synchronize_session=False)).all()
        if rejected:
            ids = [row.id for row in rejected]
            db.session.execute(insert(HistoryEvent.__table__).from_select(
                ["application_id", "kind", "office_id", "at"],
                select(Application.id, literal("rejected_automatically"), Application.office_id, literal(now))
                .where(Application.id.in_(ids))))
            # The emails by INSERT ... SELECT, one statement per kind of file in the batch: rendered once each.
            base_url = current_app.config["PUBLIC_BASE_URL"]
            for kind in sorted({row.kind for row in rejected if row.exporter_email}, key=str):
                queue_file_emails("rejected_automatically", Application.id.in_(ids), kind, now, base_url=base_url)
            _restore_registrations([row for row in rejected if row.registration_id is not None], now)
        background.commit()
    except Exception:
        db.session.rollback()
        raise
    return len(rejected)


def _restore_registrations(requests: list, now: datetime) -> None:
    """A modification request rejected automatically leaves its registration as it was: granted (the
    'closed' step of app/workflow/registrations.py, set-wise)."""
    if not requests:
        return
    restored = db.session.scalars(
        update(Registration)
        .where(Registration.id.in_([row.registration_id for row in requests]),
               Registration.status == RegistrationStatus.MODIFICATION_REQUESTED)
        .values(status=RegistrationStatus.GRANTED, updated_at=now)
        .returning(Registration.id)
        .execution_options(synchronize_session=False)).all()
    if restored:
        restored = set(restored)
        db.session.execute(insert(HistoryEvent.__table__).values([
            {"application_id": row.id, "registration_id": row.registration_id, "actor_id": None,
             "kind": "modification_rejected_automatically", "office_id": row.office_id, "at": now}
            for row in requests if row.registration_id in restored]))


@bulk_transition(APPLICATION, "reject_automatically", source=(ApplicationStatus.INCOMPLETE,),
                 target=ApplicationStatus.REJECTED,
                 label=_l("Action automatique : rejet à l'échéance du délai de réponse"),
                 events=("rejected_automatically", "modification_rejected_automatically"),
                 emails=("rejected_automatically",))
def reject_expired(now: datetime | None = None, batch_size: int = BATCH_SIZE) -> dict:
    """Reject automatically every incomplete file whose answer period has ended. Returns the counts."""
    now = now or utcnow()
    with force_locale("fr"):
        # Batches in id order: each one then touches neighbouring heap and index pages rather than rows
        # scattered over the table (measured by bench/sweep.py: the UPDATE dominates at a million files).
        ids = sorted(db.session.scalars(due_query(now)))
        db.session.commit()  # no snapshot or lock kept between the selection and the batches
        rejected = 0
        for start in range(0, len(ids), batch_size):
            rejected += _reject_batch(ids[start:start + batch_size], now)
    return {"due": len(ids), "rejected": rejected, "skipped": len(ids) - rejected}


def _claim_reminders(days: int, column: str, near: timedelta, now: datetime, batch_size: int) -> int:
    sent_at = getattr(Application, column)
    window = (IS_INCOMPLETE, Application.answer_deadline > now + near,
              Application.answer_deadline <= now + timedelta(days=days), sent_at.is_(None))
    claimable = select(Application.id).where(*window).limit(batch_size).with_for_update(skip_locked=True)
    try:
        claimed = db.session.scalars(
            update(Application).where(Application.id.in_(claimable.scalar_subquery()), *window)
            .values({column: now}).returning(Application.id)
            .execution_options(synchronize_session=False)).all()
        files = list(db.session.scalars(select(Application).where(Application.id.in_(claimed))
                                        .order_by(Application.id)
                                        .execution_options(populate_existing=True))) if claimed else []
        messages = []
        for application in files:
            deadline = application.answer_deadline
            if deadline.tzinfo is None:  # SQLite hands back naive UTC
                deadline = deadline.replace(tzinfo=now.tzinfo)
            days_left = max(1, math.ceil((deadline - now) / timedelta(days=1)))
            if application.exporter_email:
                messages.append((application.exporter_email,
                                 email_context(application, days_left=days_left, deadline=deadline)))
        if messages:
            db.session.execute(insert(OutboxEmail.__table__), email_rows("deadline_reminder", messages))
            background.mark_due(background.EMAILS)
        background.commit()
    except Exception:
        db.session.rollback()
        raise
    return len(claimed)


def send_reminders(now: datetime | None = None, batch_size: int = BATCH_SIZE) -> dict:
    """Email the 7-day and 1-day reminders of the incomplete files, each once. Returns the counts."""
    now = now or utcnow()
    counts = {}
    with force_locale("fr"):
        for days, column, near in REMINDERS:
            total = 0
            while True:
                n = _claim_reminders(days, column, near, now, batch_size)
                total += n
                if n < batch_size:
                    break
            counts[f"reminder_{days}"] = total
    return counts
