"""The registration certificate ("Imprimer l'autorisation"): a registration and its registered content as a PDF.

Rendered with xhtml2pdf from templates/pdf/certificate.html, always in French (a legal document), with DejaVu
Sans embedded. The document may read the font files and nothing else: no network, no other local file.

Served, not rendered: a registration version is immutable, so its PDF is rendered once and stored in
registration_certificate with the state it describes (`certificate_state`: the registration's status and last
change, the file's version). The job `jobs.certificates.render_certificates` renders what is missing or stale
after a version is created, revoked or restored (and periodically); a download serves the stored bytes while
the state matches, and renders and stores on demand only when it does not.
"""
import io
from datetime import timezone
import logging
from pathlib import Path

from flask import Response, current_app, render_template
from flask_babel import force_locale
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from xhtml2pdf import pisa
from xhtml2pdf.config.resources import ResourceAccessPolicy

from app.extensions import db
from app.models import Application, Registration, RegistrationCertificate
from app.models._time import utcnow
from app.queries.reference import heading_labels
from app.workflow.registrations import ground_label

log = logging.getLogger(__name__)

DEFAULT_FONTS_DIR = "/usr/share/fonts/truetype/dejavu"  # Debian's fonts-dejavu-core
FONT_FACES = {"normal": "DejaVuSans.ttf", "bold": "DejaVuSans-Bold.ttf"}


class CertificateError(RuntimeError):
    """xhtml2pdf reported errors while building the PDF."""


def _font_files(fonts_dir: Path) -> dict[str, str] | None:
    """The DejaVu faces to embed, or None (Helvetica, which still draws French accents and the euro sign)."""
    files = {face: fonts_dir / name for face, name in FONT_FACES.items()}
    missing = [str(path) for path in files.values() if not path.is_file()]
    if missing:
        log.warning("Certificate fonts not found (%s): falling back to Helvetica", ", ".join(missing))
        return None
    return {face: path.as_posix() for face, path in files.items()}


def render_certificate(registration: Registration) -> bytes:
    application = registration.application
    fonts_dir = Path(current_app.config.get("PDF_FONTS_DIR") or DEFAULT_FONTS_DIR)
    with force_locale("fr"):
        html = render_template(
            "pdf/certificate.html", registration=registration, application=application,
            labels=heading_labels([g.heading for g in application.goods_lines]),
            revocation_ground=ground_label(registration.revocation_ground),
            fonts=_font_files(fonts_dir), printed_at=utcnow())
    # base_dir=None: local reads are confined to the fonts directory alone.
    policy = ResourceAccessPolicy(allow_remote=False, base_dir=None, extra_roots=(fonts_dir,))
    out = io.BytesIO()
    result = pisa.CreatePDF(html, dest=out, encoding="utf-8", resource_policy=policy)
    if result.err:
        raise CertificateError(f"xhtml2pdf reported {result.err} error(s) for registration {registration.id}")
    return out.getvalue()


def certificate_state(status, updated_at, application_version) -> str:
    """What a stored PDF must still describe: the registration's status and last change, the file's version
    (an officer's correction of the file bumps it)."""
    if updated_at is not None and updated_at.tzinfo is not None:  # PostgreSQL: aware; SQLite: naive UTC
        updated_at = updated_at.astimezone(timezone.utc).replace(tzinfo=None)
    return f"{getattr(status, 'value', status)}|{updated_at.isoformat() if updated_at else ''}|{application_version}"


def current_state(registration: Registration) -> str:
    version = db.session.scalar(select(Application.version).where(Application.id == registration.application_id))
    return certificate_state(registration.status, registration.updated_at, version)


def store_certificate(registration: Registration, state: str | None = None) -> bytes:
    """Render the PDF and store it (replacing a stale one); committed. Two renders at once: the second store is
    dropped, both PDFs being the same document."""
    state = state or current_state(registration)
    pdf = render_certificate(registration)
    try:
        db.session.execute(delete(RegistrationCertificate)
                           .where(RegistrationCertificate.registration_id == registration.id))
        db.session.add(RegistrationCertificate(registration_id=registration.id, state=state, pdf=pdf,
                                               rendered_at=utcnow()))
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
    return pdf


def certificate_pdf(registration: Registration) -> bytes:
    """The stored PDF while it describes the registration as it is; else rendered now and stored."""
    state = current_state(registration)
    stored = db.session.scalar(select(RegistrationCertificate.pdf).where(
        RegistrationCertificate.registration_id == registration.id, RegistrationCertificate.state == state))
    return stored if stored is not None else store_certificate(registration, state)


def certificate_response(registration: Registration) -> Response:
    """The PDF shown in the browser's viewer, from which the holder saves or prints it."""
    response = Response(certificate_pdf(registration), mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="{registration.number}.pdf"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
