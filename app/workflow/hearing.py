"""The right to be heard before a revocation (issue 17, item 3; docs/decisions.md).

    granted | modification_requested --notify_revocation_intent--> (same status) « Révocation envisagée »:
        the holder receives the grounds and a period to answer (the office's hearing_days, 15 by default)
    … --present_observations--> (same status) the holder's observations, once
    … --end_hearing_period (scheduler)--> (same status) the period is over: the officer may decide
    … --revoke--> revoked, the observations quoted in the decision (app/workflow/registrations.py)
    … --abandon_revocation--> (same status) the procedure ends, nothing is revoked

A revocation at the holder's request does not go through it (confirm_deregistration stays immediate). The
registration's status does not change during the hearing: it stays valid, and the public register says so.
"""
from datetime import datetime, timedelta

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from app import background
from app.extensions import db
from app.models import HistoryEvent, Registration, RevocationGround, User
from app.models._time import utcnow
from app.models.registrations import ACTIVE_REGISTRATION_STATUSES
from app.notifications import email_context, queue_email
from app.workflow.errors import WorkflowError
from app.workflow.history import post, record
from app.workflow.kernel import bulk_transition, required_text, transition
from app.workflow.subjects import HOLDER, OFFICE, REGISTRATION

LIVE = ACTIVE_REGISTRATION_STATUSES
# The reminder goes to a holder who has not answered this long before the end of the period.
REMINDER_BEFORE = timedelta(days=3)
BATCH_SIZE = 500


def intended_ground(value, field_name) -> RevocationGround:
    """A ground of IA Art. 89 other than the holder's own request (which needs no hearing)."""
    try:
        ground = RevocationGround(value)
    except ValueError:
        ground = None
    if ground is None or ground == RevocationGround.HOLDER_REQUEST:
        raise WorkflowError(_l("Choisissez le motif de la révocation envisagée."), field=field_name)
    return ground


intended_ground.field = "hearing_ground"


def under_way(registration: Registration) -> bool:
    return registration.hearing_notified_at is not None


def _aware(moment: datetime | None) -> datetime | None:
    if moment is not None and moment.tzinfo is None:  # SQLite hands back naive UTC
        return moment.replace(tzinfo=utcnow().tzinfo)
    return moment


def may_decide(registration: Registration, now: datetime | None = None) -> bool:
    """The holder answered, or their period is over."""
    if not under_way(registration):
        return False
    return (registration.hearing_answered_at is not None or registration.hearing_period_ended_at is not None
            or _aware(registration.hearing_deadline) <= (now or utcnow()))


def no_hearing(actor: User, registration: Registration):
    """no revocation procedure under way"""
    if under_way(registration):
        return _l("Une procédure de révocation est déjà en cours pour cet enregistrement.")
    return None


def hearing_open(actor: User, registration: Registration):
    """a revocation procedure under way"""
    if not under_way(registration):
        return _l("Aucune procédure de révocation n'est en cours pour cet enregistrement.")
    return None


def awaiting_observations(actor: User, registration: Registration):
    """a revocation procedure under way, the holder has not answered and the period runs"""
    if not under_way(registration):
        return _l("Aucune procédure de révocation n'est en cours pour cet enregistrement.")
    if registration.hearing_answered_at is not None:
        return _l("Vous avez déjà présenté vos observations.")
    if not _aware(registration.hearing_deadline) > utcnow():
        return _l("Le délai pour présenter vos observations est expiré.")
    return None


def heard(actor: User, registration: Registration):
    """the holder was heard: they answered or their period is over (right to be heard)"""
    if not under_way(registration):
        return _l("Notifiez d'abord l'intention de révoquer : le titulaire doit pouvoir présenter ses observations.")
    if not may_decide(registration):
        return _l("Le titulaire peut présenter ses observations jusqu'au %(date)s : la décision ne peut être prise "
                  "qu'après sa réponse ou à l'issue de ce délai.",
                  date=f"{_aware(registration.hearing_deadline):%d/%m/%Y}")
    return None


def _notify(template: str, registration: Registration, **extra) -> None:
    application = registration.application
    queue_email(template, application.exporter_email,
                **email_context(application, registration=registration, **extra))


def clear(registration: Registration) -> None:
    """The procedure is over (revoked, abandoned): its record stays in the history and the thread."""
    for column in ("hearing_ground", "hearing_grounds", "hearing_notified_at", "hearing_deadline", "hearing_answer",
                   "hearing_answered_at", "hearing_reminder_sent_at", "hearing_period_ended_at"):
        setattr(registration, column, None)


def carry_over(old: Registration, new: Registration) -> None:
    """A modification validated during the hearing: the procedure follows the new version."""
    for column in ("hearing_ground", "hearing_grounds", "hearing_notified_at", "hearing_deadline", "hearing_answer",
                   "hearing_answered_at", "hearing_reminder_sent_at", "hearing_period_ended_at"):
        setattr(new, column, getattr(old, column))
    clear(old)


@transition(REGISTRATION, "notify_revocation_intent", source=LIVE, target=None, by=(OFFICE,),
            label=_l("Notifier l'intention de révoquer"), guard=no_hearing,
            events=("revocation_intended",), emails=("revocation_intended",),
            inputs={"ground": intended_ground,
                    "grounds": required_text(_l("Exposez au titulaire les motifs de la révocation envisagée."),
                                             field="hearing_grounds")})
def notify_revocation_intent(actor: User, registration: Registration, ground, grounds: str) -> Registration:
    """IA Art. 89 read with the right to be heard (Charter Art. 41): the holder receives the grounds and a period
    to present observations before any revocation on grounds other than their own request."""
    from app.workflow.registrations import ground_label
    now = utcnow()
    registration.hearing_ground = ground
    registration.hearing_grounds = grounds
    registration.hearing_notified_at = now
    registration.hearing_deadline = now + timedelta(days=registration.office.hearing_days)
    registration.updated_at = now
    text = f"{ground_label(ground)}. {grounds}"
    record(registration.application, "revocation_intended", actor, comment=text, registration=registration)
    post(registration.application, actor, text, "revocation_intended", registration=registration)
    _notify("revocation_intended", registration, ground=ground_label(ground), grounds=grounds,
            deadline=registration.hearing_deadline)
    return registration


@transition(REGISTRATION, "present_observations", source=LIVE, target=None, by=(HOLDER,),
            label=_l("Présenter mes observations"), guard=awaiting_observations,
            events=("observations_presented",), emails=("observations_received",),
            inputs={"answer": required_text(_l("Vos observations sont vides."))})
def present_observations(actor: User, registration: Registration, answer: str) -> Registration:
    """The holder's answer, once, within the period; the officer may then decide without waiting for its end."""
    now = utcnow()
    registration.hearing_answer = answer
    registration.hearing_answered_at = now
    registration.updated_at = now
    record(registration.application, "observations_presented", actor, comment=answer, registration=registration)
    post(registration.application, actor, answer, "observations_presented", registration=registration)
    _notify("observations_received", registration, answer=answer)
    return registration


@transition(REGISTRATION, "abandon_revocation", source=LIVE, target=None, by=(OFFICE,),
            label=_l("Abandonner la procédure de révocation"), guard=hearing_open,
            events=("revocation_abandoned",), emails=("revocation_abandoned",),
            inputs={"comment_text": required_text(_l("Indiquez pourquoi la procédure est abandonnée."),
                                                  field="abandon_comment")})
def abandon_revocation(actor: User, registration: Registration, comment_text: str) -> Registration:
    """The officer is convinced by the answer (or no longer has grounds): nothing is revoked."""
    clear(registration)
    registration.updated_at = utcnow()
    record(registration.application, "revocation_abandoned", actor, comment=comment_text, registration=registration)
    _notify("revocation_abandoned", registration, comment=comment_text)
    return registration


# --- the scheduler ----------------------------------------------------------------------------------------

@bulk_transition(REGISTRATION, "end_hearing_period", source=LIVE, target=None,
                 label=_l("Action automatique : fin du délai pour présenter des observations"),
                 events=("hearing_period_ended",))
def end_periods(now: datetime | None = None, batch_size: int = BATCH_SIZE) -> dict:
    """Mark the hearings whose period is over, once each (claimed by UPDATE … WHERE … IS NULL): a history event
    without an actor, and the file appears to the officer as ready for a decision."""
    now = now or utcnow()
    ended = 0
    with force_locale("fr"):
        while True:
            window = (Registration.hearing_deadline <= now, Registration.hearing_period_ended_at.is_(None),
                      Registration.status.in_(LIVE))
            claimable = (select(Registration.id).where(*window).limit(batch_size)
                         .with_for_update(skip_locked=True))
            try:
                rows = db.session.execute(
                    update(Registration).where(Registration.id.in_(claimable.scalar_subquery()), *window)
                    .values(hearing_period_ended_at=now)
                    .returning(Registration.id, Registration.application_id, Registration.office_id,
                               Registration.hearing_answered_at)
                    .execution_options(synchronize_session=False)).all()
                for row in rows:
                    db.session.add(HistoryEvent(
                        application_id=row.application_id, registration_id=row.id, kind="hearing_period_ended",
                        office_id=row.office_id, at=now,
                        comment=None if row.hearing_answered_at else str(_l("Le titulaire n'a pas présenté "
                                                                            "d'observations."))))
                background.commit()
            except Exception:
                db.session.rollback()
                raise
            ended += len(rows)
            if len(rows) < batch_size:
                break
    return {"ended": ended}


def send_reminders(now: datetime | None = None, batch_size: int = BATCH_SIZE) -> dict:
    """Remind a holder who has not answered, once, REMINDER_BEFORE the end of their period."""
    now = now or utcnow()
    sent = 0
    with force_locale("fr"):
        while True:
            window = (Registration.hearing_deadline > now, Registration.hearing_deadline <= now + REMINDER_BEFORE,
                      Registration.hearing_answered_at.is_(None), Registration.hearing_reminder_sent_at.is_(None),
                      Registration.status.in_(LIVE))
            claimable = (select(Registration.id).where(*window).limit(batch_size)
                         .with_for_update(skip_locked=True))
            try:
                ids = db.session.scalars(
                    update(Registration).where(Registration.id.in_(claimable.scalar_subquery()), *window)
                    .values(hearing_reminder_sent_at=now).returning(Registration.id)
                    .execution_options(synchronize_session=False)).all()
                for registration in db.session.scalars(select(Registration).where(Registration.id.in_(ids))):
                    _notify("hearing_reminder", registration, deadline=_aware(registration.hearing_deadline))
                background.commit()
            except Exception:
                db.session.rollback()
                raise
            sent += len(ids)
            if len(ids) < batch_size:
                break
    return {"reminders": sent}
