"""Supporting documents: checked on their content, stored in the database, attached while editable."""
import hashlib
import os

import filetype
from flask_babel import lazy_gettext as _l
from werkzeug.utils import secure_filename

from app.extensions import db
from app.models import Application, ApplicationStatus, Document, User
from app.workflow.access import operator_may_access
from app.workflow.applications import _commit, atomic, _fail, _lock, _require_operator, _require_status, _touch, record
from app.workflow.errors import WorkflowError
from app.workflow.rules import NUL_CHARACTER, has_nul

# What a person may attach: PDF, images and office documents, recognised by their bytes.
ALLOWED_TYPES = {
    "application/pdf": "pdf",
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/tiff": "tif",
    "application/msword": "doc",
    "application/vnd.ms-excel": "xls",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
}
EDITABLE = (ApplicationStatus.DRAFT, ApplicationStatus.INCOMPLETE)


def detect_type(content: bytes) -> str | None:
    kind = filetype.guess(content)
    return kind.mime if kind and kind.mime in ALLOWED_TYPES else None


@atomic
def add_document(actor: User, application: Application, name: str, filename: str, content: bytes) -> Document:
    try:
        name = (name or "").strip()
        if not name:
            raise WorkflowError(_l("Nommez le document."), field="name")
        if has_nul(name):
            raise WorkflowError(NUL_CHARACTER, field="name")
        if not content:
            raise WorkflowError(_l("Choisissez un document."), field="file")
        mime = detect_type(content)
        if mime is None:
            raise WorkflowError(_l("Ce type de fichier n'est pas accepté : joignez un PDF, une image (JPEG, PNG, "
                                   "TIFF) ou un document bureautique (Word, Excel, OpenDocument)."), field="file")
        _require_operator(actor, application)
        _lock(application)
        _require_status(application, *EDITABLE)
        # Keep only the base name: a path sent by the browser is never used.
        base = secure_filename(os.path.basename(filename.replace("\\", "/"))) or "document"
        stem = base.rsplit(".", 1)[0] if "." in base else base
        document = Document(application_id=application.id, name=name[:200],
                            filename=f"{stem[:200]}.{ALLOWED_TYPES[mime]}", content_type=mime, size=len(content),
                            sha256=hashlib.sha256(content).hexdigest(), content=content, uploaded_by_id=actor.id)
        db.session.add(document)
        _touch(application)
        record(application, "document_added", actor, comment=name)
    except WorkflowError as exc:
        _fail(exc)
    _commit()
    return document


@atomic
def remove_document(actor: User, application: Application, document: Document) -> None:
    try:
        _require_operator(actor, application)
        _lock(application)
        _require_status(application, *EDITABLE)
        if document.application_id != application.id:
            raise WorkflowError(_l("Document introuvable."))
        name = document.name
        db.session.delete(document)
        _touch(application)
        record(application, "document_removed", actor, comment=name)
    except WorkflowError as exc:
        _fail(exc)
    _commit()


def may_download(user: User, document: Document) -> bool:
    from app.workflow.access import officer_may_instruct

    return operator_may_access(user, document.application) or officer_may_instruct(user, document.application)
