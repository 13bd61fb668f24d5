"""Supporting documents: recognised by their bytes, stored under their base name, attached while editable."""
import hashlib

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Document
from app.workflow import NotAllowed, WorkflowError, WrongStatus
from app.workflow.documents import add_document, remove_document
from tests.workflow.helpers import MINIMAL_PDF, assert_refused, count, last_event, minimal_png


def _stored(document_id):
    db.session.expire_all()
    return db.session.get(Document, document_id)


def test_real_pdf_is_accepted(operator, draft):
    document = add_document(operator, draft, "Extrait Kbis", "kbis.pdf", MINIMAL_PDF)

    stored = _stored(document.id)
    assert (stored.application_id, stored.name, stored.filename, stored.content_type) == (
        draft.id, "Extrait Kbis", "kbis.pdf", "application/pdf")
    assert (stored.size, stored.sha256) == (len(MINIMAL_PDF), hashlib.sha256(MINIMAL_PDF).hexdigest())
    assert stored.content == MINIMAL_PDF
    assert stored.uploaded_by_id == operator.id


def test_png_image_is_accepted(operator, draft):
    png = minimal_png()
    document = add_document(operator, draft, "Photo du produit", "photo.png", png)

    stored = _stored(document.id)
    assert (stored.filename, stored.content_type, stored.content) == ("photo.png", "image/png", png)


def test_document_extension_follows_its_content(operator, draft):
    document = add_document(operator, draft, "Photo", "photo.pdf", minimal_png())

    assert _stored(document.id).filename == "photo.png"


def test_adding_a_document_is_recorded_in_the_history(operator, draft):
    add_document(operator, draft, "Extrait Kbis", "kbis.pdf", MINIMAL_PDF)

    event = last_event(draft.id)
    assert (event.kind, event.actor_id, event.comment) == ("document_added", operator.id, "Extrait Kbis")


def test_text_file_renamed_pdf_is_refused(operator, draft):
    assert_refused(lambda: add_document(operator, draft, "Faux PDF", "faux.pdf", b"Ceci n'est pas un PDF.\n"),
                   WorkflowError, draft.id, field="file")


def test_empty_file_is_refused(operator, draft):
    assert_refused(lambda: add_document(operator, draft, "Vide", "vide.pdf", b""), WorkflowError, draft.id,
                   field="file")


def test_document_without_a_name_is_refused(operator, draft):
    assert_refused(lambda: add_document(operator, draft, "  ", "kbis.pdf", MINIMAL_PDF), WorkflowError, draft.id,
                   field="name")


@pytest.mark.parametrize("filename,expected", [
    ("../../etc/passwd.pdf", "passwd.pdf"),
    ("C:\\x\\y.pdf", "y.pdf"),
    ("/tmp/../../statuts.pdf", "statuts.pdf"),
])
def test_path_in_the_filename_is_reduced_to_its_base_name(operator, draft, filename, expected):
    document = add_document(operator, draft, "Statuts", filename, MINIMAL_PDF)

    assert _stored(document.id).filename == expected


def test_document_may_be_attached_to_an_incomplete_file(operator, incomplete):
    document = add_document(operator, incomplete, "Facture", "facture.pdf", MINIMAL_PDF)

    assert _stored(document.id).application_id == incomplete.id


@pytest.mark.parametrize("status", ["under_review", "granted", "rejected", "abandoned"])
def test_document_is_refused_when_the_file_is_not_editable(file_in, operator, status):
    application = file_in(status)
    assert_refused(lambda: add_document(operator, application, "Facture", "facture.pdf", MINIMAL_PDF),
                   WrongStatus, application.id)


def test_operator_of_another_company_may_not_attach_a_document(other_operator, draft):
    assert_refused(lambda: add_document(other_operator, draft, "Facture", "facture.pdf", MINIMAL_PDF),
                   NotAllowed, draft.id)


def test_removing_a_document_from_a_draft(operator, draft):
    document = add_document(operator, draft, "Extrait Kbis", "kbis.pdf", MINIMAL_PDF)
    remove_document(operator, draft, _stored(document.id))

    assert count(Document) == 0
    event = last_event(draft.id)
    assert (event.kind, event.actor_id, event.comment) == ("document_removed", operator.id, "Extrait Kbis")


def test_removing_a_document_is_refused_once_the_file_is_under_review(operator, draft):
    from app import workflow

    document = add_document(operator, draft, "Extrait Kbis", "kbis.pdf", MINIMAL_PDF)
    workflow.submit(operator, draft)

    assert_refused(lambda: remove_document(operator, draft, _stored(document.id)), WrongStatus, draft.id)
    assert count(Document) == 1


def test_removing_a_document_of_another_file_is_refused(factory, operator, draft):
    other = factory.draft(operator)
    document = add_document(operator, other, "Extrait Kbis", "kbis.pdf", MINIMAL_PDF)

    assert_refused(lambda: remove_document(operator, draft, _stored(document.id)), WorkflowError, draft.id)
    assert db.session.scalar(select(Document.application_id)) == other.id
