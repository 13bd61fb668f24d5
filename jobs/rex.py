"""Deliver registrations to the Commission's central REX (domain.md sections 7 and 9).

Each due row is claimed with one atomic UPDATE (its next attempt moves past the send, as a lease), so two
workers never post it twice; then it is POSTed as JSON to REX_CENTRAL_URL with a timeout.

- 2xx: sent; acknowledged when the answer says {"status": "acknowledged"}.
- anything else (refusal, timeout, unreachable): error, a history event on the file ("Action
  automatique"), and a retry after 30 s, 2 min, 10 min, 1 h, 6 h. After MAX_ATTEMPTS the row waits for
  an officer's "Renvoyer" (app/workflow/instruction.py: resend_transmission).
"""
import logging
from datetime import datetime, timedelta

import requests
from flask import current_app
from sqlalchemy import and_, or_, select, update

from app.extensions import db
from app.models import RexTransmission
from app.models._time import utcnow
from app.models.transmissions import REX_ACKNOWLEDGED, REX_ERROR, REX_SENT, REX_TO_SEND
from jobs import run_started
from jobs.app_context import with_app_context

log = logging.getLogger(__name__)
BACKOFF = (timedelta(seconds=30), timedelta(minutes=2), timedelta(minutes=10), timedelta(hours=1),
           timedelta(hours=6))
MAX_ATTEMPTS = len(BACKOFF) + 1  # the first try and one retry per backoff step
MIN_LEASE = timedelta(minutes=5)


def backoff(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failed try."""
    return BACKOFF[min(attempts, len(BACKOFF)) - 1]


def _due(now: datetime):
    """Waiting to be sent (new, or resent by an officer), or failed with retries left and its time come."""
    return or_(
        and_(RexTransmission.state == REX_TO_SEND,
             or_(RexTransmission.next_attempt_at.is_(None), RexTransmission.next_attempt_at <= now)),
        and_(RexTransmission.state == REX_ERROR, RexTransmission.attempts < MAX_ATTEMPTS,
             RexTransmission.next_attempt_at <= now))


def _lease() -> timedelta:
    return max(MIN_LEASE, timedelta(seconds=3 * float(current_app.config["REX_TIMEOUT_SECONDS"])))


def _claim(transmission_id: int, now: datetime) -> bool:
    """Atomically take one due row: False if another worker has it or it is no longer due."""
    result = db.session.execute(
        update(RexTransmission)
        .where(RexTransmission.id == transmission_id, _due(now))
        .values(attempts=RexTransmission.attempts + 1, next_attempt_at=now + _lease())
        .execution_options(synchronize_session=False))
    db.session.commit()
    return result.rowcount == 1


def _post(payload: dict) -> dict:
    """POST the payload; return the answer's JSON (or {}), raise on anything but a 2xx answer."""
    config = current_app.config
    response = requests.post(config["REX_CENTRAL_URL"], json=payload, timeout=config["REX_TIMEOUT_SECONDS"],
                             headers={"Accept": "application/json"})
    if not 200 <= response.status_code < 300:
        raise RexRefused(f"HTTP {response.status_code} : {response.text[:300]}")
    try:
        answer = response.json()
    except ValueError:
        return {}
    return answer if isinstance(answer, dict) else {}


class RexRefused(Exception):
    pass


def _describe(exc: Exception) -> str:
    if isinstance(exc, requests.Timeout):
        return f"Délai de réponse dépassé ({current_app.config['REX_TIMEOUT_SECONDS']:g} s) : {exc}"
    if isinstance(exc, requests.ConnectionError):
        return f"Application REX injoignable : {exc}"
    return str(exc)


def _record_error(transmission: RexTransmission, error: str) -> None:
    from app.workflow.applications import record

    registration = transmission.registration
    retry = (f" Nouvel essai automatique à {transmission.next_attempt_at:%d/%m/%Y %H:%M} UTC."
             if transmission.next_attempt_at else " Plus d'essai automatique : utilisez « Renvoyer ».")
    record(registration.application, "rex_transmission_error", None, registration=registration,
           office_id=registration.office_id,
           comment=(f"L'application REX de la Commission européenne n'a pas accepté l'enregistrement REX "
                    f"{registration.number} (tentative {transmission.attempts}) : {error}.{retry}"))


def transmit_one(transmission_id: int, now: datetime | None = None) -> bool:
    """Send one row if it is due; True when the central REX took it."""
    now = now or utcnow()
    if not _claim(transmission_id, now):
        return False
    transmission = db.session.get(RexTransmission, transmission_id)
    try:
        answer = _post(transmission.payload)
    except (requests.RequestException, RexRefused) as exc:
        transmission.state = REX_ERROR
        transmission.last_error = _describe(exc)[:2000]
        transmission.next_attempt_at = (now + backoff(transmission.attempts)
                                        if transmission.attempts < MAX_ATTEMPTS else None)
        _record_error(transmission, transmission.last_error)
        db.session.commit()
        log.warning("REX transmission %s failed: %s", transmission_id, transmission.last_error)
        return False
    done = utcnow()
    transmission.state = REX_SENT
    transmission.sent_at = done
    transmission.last_error = None
    transmission.next_attempt_at = None
    if answer.get("status") == "acknowledged":
        transmission.state = REX_ACKNOWLEDGED
        transmission.acknowledged_at = done
    db.session.commit()
    return True


@with_app_context
def transmit_pending(now: datetime | None = None, limit: int = 100) -> int:
    """Send the rows that are due; returns how many the central REX took. Without REX_CENTRAL_URL, none."""
    if not current_app.config.get("REX_CENTRAL_URL"):
        return 0
    run_started(transmit_pending)
    now = now or utcnow()
    ids = db.session.scalars(select(RexTransmission.id).where(_due(now))
                             .order_by(RexTransmission.id).limit(limit)).all()
    return sum(transmit_one(i, now) for i in ids)
