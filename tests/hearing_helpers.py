"""Reach a registration the office may revoke: the holder was heard (issue 17, app/workflow/hearing.py)."""
from datetime import timedelta

from app.models._time import utcnow
from app.workflow import hearing, registrations

GROUNDS = "Motifs exposés au titulaire lors du contrôle."


def heard(officer, registration, ground="conditions_not_met", answer_by=None, answer=None):
    """Notify the intention to revoke on `ground`; then the holder `answer_by` answers, or the period ends."""
    hearing.notify_revocation_intent(officer, registration, ground, GROUNDS)
    if answer_by is not None:
        hearing.present_observations(answer_by, registration, answer or "Nos observations.")
    else:
        hearing.end_periods(utcnow() + timedelta(days=registration.office.hearing_days, minutes=1))
    return registration


def revoke_after_hearing(officer, registration, ground="conditions_not_met", comment="Contrôle a posteriori"):
    """What `registrations.revoke(officer, registration, ground, comment)` did before the right to be heard."""
    heard(officer, registration, getattr(ground, "value", ground))
    return registrations.revoke(officer, registration, ground, comment)
