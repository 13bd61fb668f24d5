"""Abandoning a file deletes what was typed and attached, keeps the reference and the whole history."""
import pytest

from app import workflow
from app.models import (
    ApplicationRelation, ApplicationStatus as S, Contact, Document, GoodsLine, PublicationConsent, Undertaking,
)
from app.workflow.documents import add_document
from tests.workflow.helpers import MINIMAL_PDF, count, events, fresh

CONTENT_TABLES = (Contact, GoodsLine, ApplicationRelation, Undertaking, PublicationConsent, Document)


def _content_counts(application_id):
    return {model.__name__: count(model, application_id=application_id) for model in CONTENT_TABLES}


@pytest.fixture
def with_document(operator, draft):
    add_document(operator, draft, "Statuts de la société", "statuts.pdf", MINIMAL_PDF)
    assert _content_counts(draft.id) == {name: 2 if name == "ApplicationRelation" else 1
                                         for name in _content_counts(draft.id)}
    return draft


@pytest.mark.parametrize("status", ["under_review", "incomplete"])
def test_abandon_deletes_the_content_of_a_filed_application(request, with_document, operator, status):
    application = request.getfixturevalue(status)
    workflow.abandon(operator, application, "Nous renonçons.")

    assert _content_counts(application.id) == {model.__name__: 0 for model in CONTENT_TABLES}
    saved = fresh(application.id)
    assert (saved.exporter_address, saved.exporter_phone, saved.exporter_email, saved.main_activity) == (
        None, None, None, None)


@pytest.mark.parametrize("status", ["under_review", "incomplete"])
def test_abandon_keeps_the_reference_and_every_history_event(request, with_document, operator, status):
    application = request.getfixturevalue(status)
    reference = application.reference
    kinds_before = [e.kind for e in events(application.id)]
    workflow.abandon(operator, application)

    saved = fresh(application.id)
    assert (saved.reference, saved.status) == (reference, S.ABANDONED)
    assert [e.kind for e in events(application.id)] == [*kinds_before, "abandoned"]
    assert kinds_before[:3] == ["draft_created", "document_added", "submitted"]


def test_abandon_keeps_the_exporter_identity_on_the_tombstone(company, operator, under_review):
    workflow.abandon(operator, under_review)

    saved = fresh(under_review.id)
    assert (saved.exporter_eori, saved.exporter_name, saved.company_id) == (company.eori, company.name, company.id)


def test_abandoning_a_draft_deletes_its_content(with_document, operator):
    workflow.abandon_draft(operator, with_document)

    assert _content_counts(with_document.id) == {model.__name__: 0 for model in CONTENT_TABLES}


def test_abandoning_a_draft_keeps_its_reference_and_history(with_document, operator):
    reference = with_document.reference
    workflow.abandon_draft(operator, with_document)

    saved = fresh(with_document.id)
    assert (saved.reference, saved.status) == (reference, S.ABANDONED)
    assert [e.kind for e in events(with_document.id)] == ["draft_created", "document_added", "draft_abandoned"]


def test_abandoned_file_takes_no_further_action(operator, officer, abandoned):
    for call in (lambda: workflow.save_draft(operator, abandoned, workflow.content_of(abandoned)),
                 lambda: workflow.comment(operator, abandoned, "Encore là ?"),
                 lambda: workflow.grant(officer, abandoned)):
        with pytest.raises(workflow.WrongStatus):
            call()
    assert fresh(abandoned.id).status == S.ABANDONED
