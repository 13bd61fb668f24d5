"""Duplicating a file: from a rejected (or revoked) file for anyone, from any filed file for a representative."""
import pytest
from sqlalchemy import select

from app import workflow
from app.extensions import db
from app.models import Application, ApplicationStatus as S, Registration, RegistrationStatus
from app.workflow import NotAllowed
from tests.workflow.helpers import count, events, fresh, snapshot


def test_operator_duplicates_a_rejected_file_into_a_new_draft(operator, rejected):
    copy = workflow.duplicate(operator, rejected)

    saved = fresh(copy.id)
    assert saved.status == S.DRAFT
    assert saved.id != rejected.id
    assert saved.reference.startswith("FR-REX-") and saved.reference != rejected.reference
    assert saved.duplicated_from_id == rejected.id
    assert saved.created_by_id == operator.id


def test_duplicate_has_the_same_content_as_its_source(operator, rejected):
    copy = workflow.duplicate(operator, rejected)

    assert workflow.content_of(fresh(copy.id)) == workflow.content_of(fresh(rejected.id))


def test_duplicate_history_names_the_source_reference(operator, rejected):
    source_events = len(events(rejected.id))
    copy = workflow.duplicate(operator, rejected)

    [event] = events(copy.id)
    assert (event.kind, event.actor_id) == ("duplicated", operator.id)
    assert rejected.reference in event.comment
    assert len(events(rejected.id)) == source_events
    assert fresh(rejected.id).status == S.REJECTED


def test_duplicate_of_a_rejected_file_may_be_submitted(operator, rejected):
    copy = workflow.duplicate(operator, rejected)
    workflow.submit(operator, copy)

    assert fresh(copy.id).status == S.UNDER_REVIEW


def test_operator_duplicates_a_file_whose_registration_was_revoked(operator, granted):
    registration = db.session.scalar(select(Registration).where(Registration.application_id == granted.id))
    registration.status = RegistrationStatus.REVOKED
    db.session.commit()

    assert workflow.may_duplicate(operator, granted)
    copy = workflow.duplicate(operator, granted)
    assert fresh(copy.id).status == S.DRAFT


@pytest.mark.parametrize("status", ["draft", "under_review", "incomplete", "granted", "abandoned"])
def test_operator_may_not_duplicate_a_file_that_is_not_rejected(file_in, operator, status):
    application = file_in(status)
    assert not workflow.may_duplicate(operator, application)
    before = snapshot(application.id)

    with pytest.raises(NotAllowed):
        workflow.duplicate(operator, application)
    assert snapshot(application.id) == before


def test_operator_of_another_company_may_not_duplicate(other_operator, rejected):
    assert not workflow.may_duplicate(other_operator, rejected)
    with pytest.raises(NotAllowed):
        workflow.duplicate(other_operator, rejected)
    assert count(Application) == 1


# --- representative ------------------------------------------------------------------------------------

@pytest.fixture
def client_company(factory):
    return factory.company()


@pytest.fixture
def representative(factory, client_company):
    return factory.representative(clients=[client_company, factory.company()])


@pytest.fixture
def represented(factory, representative, client_company, officer):
    """Files of the representative's first client, in the status asked for."""
    def _represented(status):
        application = factory.submitted(representative, client_company)
        if status == "incomplete":
            workflow.request_information(officer, application, "Précisez.")
        elif status == "granted":
            workflow.grant(officer, application)
        elif status == "rejected":
            workflow.reject(officer, application, "Motif.")
        return application
    return _represented


@pytest.mark.parametrize("status", ["under_review", "incomplete", "granted", "rejected"])
def test_representative_duplicates_any_filed_file(represented, representative, status):
    source = represented(status)
    assert workflow.may_duplicate(representative, source)

    copy = workflow.duplicate(representative, source)
    saved = fresh(copy.id)
    assert saved.status == S.DRAFT
    assert saved.duplicated_from_id == source.id
    assert events(copy.id)[0].kind == "duplicated"


def test_representative_copy_has_no_company_selected(represented, representative):
    source = represented("granted")
    copy = workflow.duplicate(representative, source)

    saved = fresh(copy.id)
    assert saved.company_id is None
    assert (saved.exporter_eori, saved.exporter_name, saved.exporter_email) == (None, None, None)


def test_representative_copy_keeps_the_rest_of_the_content(represented, representative):
    source = fresh(represented("under_review").id)
    copy = fresh(workflow.duplicate(representative, source).id)

    original, duplicated = workflow.content_of(source), workflow.content_of(copy)
    assert (duplicated.office_id, duplicated.main_activity) == (original.office_id, original.main_activity)
    assert (duplicated.contacts, duplicated.goods, duplicated.relations) == (
        original.contacts, original.goods, original.relations)
    assert (duplicated.undertaking, duplicated.consent) == (original.undertaking, original.consent)
    assert copy.representative_eori == representative.own_company.eori


def test_representative_copy_is_filed_for_the_next_client(represented, representative):
    source = represented("under_review")
    next_client = representative.client_companies[1]
    copy = workflow.duplicate(representative, source)
    content = workflow.content_of(copy)
    content.company_id = next_client.id
    content.exporter = {"address": "3 rue Neuve", "postcode": "33000", "city": "Bordeaux", "country": "FR",
                        "phone": "05 56 00 00 00", "email": "client2@example.test"}
    workflow.save_draft(representative, copy, content)
    workflow.submit(representative, copy)

    saved = fresh(copy.id)
    assert (saved.status, saved.company_id, saved.exporter_eori) == (S.UNDER_REVIEW, next_client.id, next_client.eori)


@pytest.mark.parametrize("status", ["draft", "abandoned"])
def test_representative_may_not_duplicate_an_unfiled_or_abandoned_file(
        factory, representative, client_company, status):
    application = factory.draft(representative, client_company)
    if status == "abandoned":
        workflow.abandon_draft(representative, application)

    assert not workflow.may_duplicate(representative, application)
    with pytest.raises(NotAllowed):
        workflow.duplicate(representative, application)
    assert count(Application) == 1
