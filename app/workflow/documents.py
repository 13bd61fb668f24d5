"""Supporting documents: checked on their content, stored in the database, attached while editable."""
import hashlib
import os

import filetype
from flask_babel import lazy_gettext as _l
from werkzeug.utils import secure_filename

from app.extensions import db
from app.models import Application, Document, User
from app.models.applications import EDITABLE_STATUSES as EDITABLE
from app.workflow.access import officer_may_instruct, operator_may_access
from app.workflow.errors import WorkflowError
from app.workflow.history import record, touch
from app.workflow.kernel import transition
from app.workflow.rules import NUL_CHARACTER, has_nul
from app.workflow.subjects import APPLICATION, HOLDER

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


def detect_type(content: bytes) -> str | None:
    kind = filetype.guess(content)
    return kind.mime if kind and kind.mime in ALLOWED_TYPES else None


def document_name(value, field_name) -> str:
    value = (value or "").strip()
    if not value:
        raise WorkflowError(_l("Nommez le document."), field=field_name)
    if has_nul(value):
        raise WorkflowError(NUL_CHARACTER, field=field_name)
    return value


def accepted_document(content: bytes | None, field_name) -> bytes:
    """A document is recognised by its bytes, whatever its name says."""
    if not content:
        raise WorkflowError(_l("Choisissez un document."), field="file")
    if detect_type(content) is None:
        raise WorkflowError(_l("Ce type de fichier n'est pas accepté : joignez un PDF, une image (JPEG, PNG, "
                               "TIFF) ou un document bureautique (Word, Excel, OpenDocument)."), field="file")
    return content


@transition(APPLICATION, "add_document", source=EDITABLE, target=None, by=(HOLDER,),
            label=_l("Ajouter le document"), events=("document_added",),
            inputs={"name": document_name, "content": accepted_document})
def add_document(actor: User, application: Application, name: str, filename: str, content: bytes) -> Document:
    mime = detect_type(content)
    # Keep only the base name: a path sent by the browser is never used.
    base = secure_filename(os.path.basename(filename.replace("\\", "/"))) or "document"
    stem = base.rsplit(".", 1)[0] if "." in base else base
    document = Document(application_id=application.id, name=name[:200],
                        filename=f"{stem[:200]}.{ALLOWED_TYPES[mime]}", content_type=mime, size=len(content),
                        sha256=hashlib.sha256(content).hexdigest(), content=content, uploaded_by_id=actor.id)
    db.session.add(document)
    touch(application)
    record(application, "document_added", actor, comment=name)
    return document


@transition(APPLICATION, "remove_document", source=EDITABLE, target=None, by=(HOLDER,),
            label=_l("Retirer"), events=("document_removed",))
def remove_document(actor: User, application: Application, document: Document) -> None:
    if document.application_id != application.id:
        raise WorkflowError(_l("Document introuvable."))
    name = document.name
    db.session.delete(document)
    touch(application)
    record(application, "document_removed", actor, comment=name)


def may_download(user: User, document: Document) -> bool:
    return operator_may_access(user, document.application) or officer_may_instruct(user, document.application)
