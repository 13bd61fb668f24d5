"""Render and store the certificate PDFs of registrations that have none, or a stale one (app/certificates.py).

Enqueued after a commit that created, revoked or restored a registration version (those transitions also queue
the transmission to the Commission's REX, the effect this job listens to), and run periodically for what a
lost job left. Idempotent: a registration whose stored PDF still describes it is not rendered again."""
import logging

from sqlalchemy import or_, select

from app.certificates import certificate_state, store_certificate
from app.extensions import db
from app.models import Application, Registration, RegistrationCertificate
from jobs import run_started
from jobs.app_context import with_app_context

log = logging.getLogger(__name__)
BATCH = 200


def _missing(limit: int) -> list[tuple[Registration, str]]:
    """Registrations without a PDF, or changed since theirs was rendered, most recent first: one statement on
    the registration table and the certificates' keys (the PDF bytes are not read)."""
    rows = db.session.execute(
        select(Registration, Application.version)
        .join(Application, Application.id == Registration.application_id)
        .outerjoin(RegistrationCertificate, RegistrationCertificate.registration_id == Registration.id)
        .where(or_(RegistrationCertificate.registration_id.is_(None),
                   RegistrationCertificate.rendered_at < Registration.updated_at))
        .order_by(Registration.updated_at.desc()).limit(limit)).all()
    return [(registration, certificate_state(registration.status, registration.updated_at, version))
            for registration, version in rows]


@with_app_context
def render_certificates(limit: int = BATCH) -> int:
    """Render the missing or stale certificates of the most recently changed registrations; returns how many."""
    run_started(render_certificates)
    rendered = 0
    for registration, state in _missing(limit):
        try:
            store_certificate(registration, state)
            rendered += 1
        except Exception:  # one unrenderable document must not stop the others; a download will retry it
            db.session.rollback()
            log.exception("certificate of registration %s not rendered", registration.id)
    log.info("certificates rendered: %s", rendered)
    return rendered
