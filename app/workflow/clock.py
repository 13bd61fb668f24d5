"""The answer period's clock can be extended and suspended (issue 17, item 2; docs/decisions.md).

    incomplete --extend_deadline--> incomplete: the deadline moves by N days (at most the office's
        max_extension_days over one answer period), reminders and the automatic rejection follow it
    under_review | incomplete --suspend_clock--> (same status): the file awaits an outside answer; an
        incomplete file's deadline is taken off (answer_deadline NULL: no sweep, no reminder) and what was left of
        the period is kept
    under_review | incomplete --resume_clock--> (same status): the deadline is what was left from now on; the
        time suspended is shown and does not count

The deadline sweep and the reminders (app/workflow/deadlines.py) need nothing more: they read answer_deadline.
"""
from datetime import timedelta

from flask_babel import lazy_gettext as _l

from app.models import Application, ApplicationStatus, User
from app.models._time import utcnow
from app.notifications import email_context, queue_email
from app.workflow.errors import WorkflowError
from app.workflow.history import record, touch
from app.workflow.kernel import optional_text, required_text, transition
from app.workflow.subjects import APPLICATION, OFFICE

S = ApplicationStatus


def _aware(moment):
    if moment is not None and moment.tzinfo is None:  # SQLite hands back naive UTC
        return moment.replace(tzinfo=utcnow().tzinfo)
    return moment


def extension_left(application: Application) -> int:
    return max(0, application.office.max_extension_days - (application.deadline_extension_days or 0))


def suspended_days(application: Application) -> int:
    """Whole days the clock was suspended in the current period, the suspension under way included."""
    seconds = application.clock_suspended_seconds or 0
    if application.clock_suspended_at is not None:
        seconds += (utcnow() - _aware(application.clock_suspended_at)).total_seconds()
    return int(seconds // 86400)


def remaining_days(application: Application) -> int | None:
    """While suspended: the whole days the holder will have when the clock resumes (a started day counts)."""
    if application.clock_remaining_seconds is None:
        return None
    return -(-application.clock_remaining_seconds // 86400)


def end_clock(application: Application) -> None:
    """The answer period is over (completed, decided, abandoned) or a new one starts: no suspension, no
    extension carried over."""
    application.clock_suspended_at = None
    application.clock_remaining_seconds = None
    application.deadline_extension_days = 0
    application.clock_suspended_seconds = 0


def _days(value, field_name) -> int:
    try:
        days = int(str(value).strip())
    except (TypeError, ValueError):
        raise WorkflowError(_l("Indiquez un nombre de jours."), field=field_name) from None
    if days < 1:
        raise WorkflowError(_l("Indiquez un nombre de jours."), field=field_name)
    return days


_days.field = "extension_days"


def may_extend(actor: User, application: Application):
    """the clock runs and the office's maximum extension is not reached"""
    if application.clock_suspended_at is not None:
        return _l("Le délai est suspendu : reprenez-le avant de le prolonger.")
    if extension_left(application) <= 0:
        return _l("Le délai de réponse a déjà été prolongé du maximum autorisé par le service (%(days)s jours).",
                  days=application.office.max_extension_days)
    return None


def not_suspended(actor: User, application: Application):
    """the clock is not suspended"""
    if application.clock_suspended_at is not None:
        return _l("Le délai de ce dossier est déjà suspendu.")
    return None


def suspended(actor: User, application: Application):
    """the clock is suspended"""
    if application.clock_suspended_at is None:
        return _l("Le délai de ce dossier n'est pas suspendu.")
    return None


@transition(APPLICATION, "extend_deadline", source=(S.INCOMPLETE,), target=None, by=(OFFICE,),
            label=_l("Prolonger le délai de réponse"), guard=may_extend,
            events=("deadline_extended",), emails=("deadline_extended",),
            inputs={"days": _days,
                    "reason": required_text(_l("Indiquez le motif de la prolongation."), field="extension_reason")})
def extend_deadline(actor: User, application: Application, days: int, reason: str,
                    at_holders_request: bool = False) -> Application:
    """The officer grants more time to answer, on the holder's request (in the thread) or on their own
    initiative, up to the office's maximum over the period."""
    left = extension_left(application)
    if days > left:
        raise WorkflowError(_l("Le délai peut encore être prolongé de %(days)s jours au plus.", days=left),
                            field="extension_days")
    application.answer_deadline = _aware(application.answer_deadline) + timedelta(days=days)
    application.deadline_extension_days = (application.deadline_extension_days or 0) + days
    # The reminders follow the new date: a reminder already sent is sent again when the new date nears.
    application.reminder_7_sent_at = application.reminder_1_sent_at = None
    touch(application)
    origin = _l("à la demande de l'opérateur") if at_holders_request else _l("à l'initiative du service")
    comment = str(_l("Délai prolongé de %(days)s jours (%(origin)s), jusqu'au %(date)s : %(reason)s", days=days,
                     origin=origin, date=f"{application.answer_deadline:%d/%m/%Y}", reason=reason))
    record(application, "deadline_extended", actor, comment=comment)
    queue_email("deadline_extended", application.exporter_email,
                **email_context(application, days=days, reason=reason))
    return application


@transition(APPLICATION, "suspend_clock", source=(S.UNDER_REVIEW, S.INCOMPLETE), target=None, by=(OFFICE,),
            label=_l("Suspendre le délai"), guard=not_suspended,
            events=("clock_suspended",), emails=("clock_suspended",),
            inputs={"reason": required_text(_l("Indiquez le motif de la suspension."), field="suspension_reason")})
def suspend_clock(actor: User, application: Application, reason: str) -> Application:
    """The file awaits an outside answer (another administration, a verification): its clock stops."""
    now = utcnow()
    application.clock_suspended_at = now
    if application.answer_deadline is not None:
        application.clock_remaining_seconds = max(0, int((_aware(application.answer_deadline) - now)
                                                         .total_seconds()))
        application.answer_deadline = None
    touch(application)
    record(application, "clock_suspended", actor, comment=reason)
    queue_email("clock_suspended", application.exporter_email, **email_context(application, reason=reason))
    return application


@transition(APPLICATION, "resume_clock", source=(S.UNDER_REVIEW, S.INCOMPLETE), target=None, by=(OFFICE,),
            label=_l("Reprendre le délai"), guard=suspended,
            events=("clock_resumed",), emails=("clock_resumed",),
            inputs={"comment_text": optional_text(field="resume_comment")})
def resume_clock(actor: User, application: Application, comment_text: str | None = None) -> Application:
    """The outside answer came: the clock runs again with what was left; the time suspended does not count."""
    now = utcnow()
    application.clock_suspended_seconds = (application.clock_suspended_seconds or 0) + int(
        (now - _aware(application.clock_suspended_at)).total_seconds())
    if application.clock_remaining_seconds is not None:
        application.answer_deadline = now + timedelta(seconds=application.clock_remaining_seconds)
    application.clock_suspended_at = None
    application.clock_remaining_seconds = None
    touch(application)
    record(application, "clock_resumed", actor, comment=comment_text)
    queue_email("clock_resumed", application.exporter_email, **email_context(application, comment=comment_text))
    return application
