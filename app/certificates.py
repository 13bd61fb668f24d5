"""The registration certificate ("Imprimer l'autorisation"): a registration and its registered content as a PDF.

Rendered with xhtml2pdf from templates/pdf/certificate.html, always in French (a legal document), with DejaVu
Sans embedded. The document may read the font files and nothing else: no network, no other local file.
"""
import io
import logging
from pathlib import Path

from flask import Response, current_app, render_template
from flask_babel import force_locale
from xhtml2pdf import pisa
from xhtml2pdf.config.resources import ResourceAccessPolicy

from app.models import Registration
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


def certificate_response(registration: Registration) -> Response:
    """The PDF shown in the browser's viewer, from which the holder saves or prints it."""
    response = Response(render_certificate(registration), mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="{registration.number}.pdf"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
