"""The actions of the instruction page: each one's history event and email, and each one's refusals.

A refusal (wrong status, missing text) answers 422 with the French message on the page - beside the
field when a field is at fault - and leaves the file, its history and the outbox as they were.
"""
import pytest

from app import workflow
from app.models import ApplicationStatus as S, DiscussionMessage, Registration
from tests.backoffice.helpers import (
    contact_form, count, emails, error_beside, events, fresh, goods_form, last_email_id, state, text_of,
)


def act(client, application_id, path, **data):
    """POST an action of the instruction page as its form does: with the version the page was shown at."""
    data.setdefault("version", str(fresh(application_id).version))
    return client.post(f"/admin/dossier/{application_id}/{path}", data=data)


def correct_contact(client, w, application_id=None, **changes):
    application_id = application_id or w.file_a.id
    contact_id = fresh(application_id).contacts[0].id
    return act(client, application_id, f"contacts/{contact_id}", **contact_form(application_id, **changes))


def correct_goods(client, w, application_id=None, **changes):
    application_id = application_id or w.file_a.id
    line_id = fresh(application_id).goods_lines[0].id
    return act(client, application_id, f"marchandises/{line_id}", **goods_form(application_id, **changes))


def only_event(application_id, kind):
    found = events(application_id, kind)
    assert len(found) == 1, [e.kind for e in events(application_id)]
    return found[0]


# --- each action, its history event and its email -----------------------------------------------

def test_take_records_an_assigned_event_and_sends_no_email(world, as_user):
    client = as_user(world.officer_a)
    outbox = len(emails())

    response = act(client, world.file_a.id, "prendre-en-charge")

    assert response.status_code == 302
    assert fresh(world.file_a.id).assigned_officer_id == world.officer_a.id
    event = only_event(world.file_a.id, "assigned")
    assert event.actor_id == world.officer_a.id
    assert event.office_id == world.office_a.id
    assert event.changes == [{"field": "assigned_officer", "old": None, "new": world.officer_a.full_name}]
    assert len(emails()) == outbox


def test_supervisor_assigns_the_file_to_an_officer_of_its_office(world, as_user):
    client = as_user(world.supervisor_a)

    response = act(client, world.file_a.id, "prendre-en-charge", officer_id=str(world.colleague_a.id))

    assert response.status_code == 302
    assert fresh(world.file_a.id).assigned_officer_id == world.colleague_a.id
    event = only_event(world.file_a.id, "assigned")
    assert event.actor_id == world.supervisor_a.id
    assert event.comment == world.colleague_a.full_name


def test_supervisor_cannot_assign_the_file_to_an_officer_of_another_office(world, as_user):
    client = as_user(world.supervisor_a)
    before = state(world.file_a.id)

    response = act(client, world.file_a.id, "prendre-en-charge", officer_id=str(world.officer_b.id))

    assert response.status_code == 422
    assert f"{world.officer_b.full_name} n'appartient pas au service de ce dossier." in text_of(response)
    assert state(world.file_a.id) == before


def test_officer_cannot_assign_the_file_to_someone_else(world, as_user):
    """officer_id is a supervisor's field: an officer posting it still takes the file for himself."""
    client = as_user(world.officer_a)

    act(client, world.file_a.id, "prendre-en-charge", officer_id=str(world.colleague_a.id))

    assert fresh(world.file_a.id).assigned_officer_id == world.officer_a.id


def test_request_information_records_event_and_sends_incomplete_email(world, as_user):
    client = as_user(world.officer_a)
    mark = last_email_id()
    message = "Merci de joindre la facture d'achat du cuir."

    response = act(client, world.file_a.id, "demander-informations", message=message)

    assert response.status_code == 302
    application = fresh(world.file_a.id)
    assert application.status == S.INCOMPLETE
    assert application.answer_deadline is not None
    event = only_event(world.file_a.id, "information_requested")
    assert (event.actor_id, event.comment) == (world.officer_a.id, message)
    sent = emails("incomplete", after=mark)
    assert [e.recipient for e in sent] == [application.exporter_email]
    assert message in sent[0].body
    assert count(DiscussionMessage, application_id=world.file_a.id) == 1


def test_grant_records_event_and_sends_granted_email(world, as_user):
    client = as_user(world.officer_a)
    mark = last_email_id()

    response = act(client, world.file_a.id, "octroyer")

    assert response.status_code == 302
    application = fresh(world.file_a.id)
    assert application.status == S.GRANTED
    registration = only_event(world.file_a.id, "granted").registration_id
    assert registration is not None
    assert count(Registration, application_id=world.file_a.id) == 1
    sent = emails("granted", after=mark)
    assert [e.recipient for e in sent] == [application.exporter_email]
    assert f"FRREX{application.company.eori}" in sent[0].body
    page = client.get(response.headers["Location"])
    assert f"Numéro REX : FRREX{application.company.eori}" in text_of(page)


def test_reject_records_event_and_sends_rejected_email(world, as_user):
    client = as_user(world.officer_a)
    mark = last_email_id()
    reason = "Aucune relation préférentielle ne prévoit le REX pour ces marchandises."

    response = act(client, world.file_a.id, "rejeter", reason=reason)

    assert response.status_code == 302
    application = fresh(world.file_a.id)
    assert application.status == S.REJECTED
    assert only_event(world.file_a.id, "rejected").comment == reason
    sent = emails("rejected", after=mark)
    assert [e.recipient for e in sent] == [application.exporter_email]
    assert reason in sent[0].body


def test_reassign_records_event_and_sends_reassigned_email(world, as_user):
    client = as_user(world.officer_a)
    mark = last_email_id()
    act(client, world.file_a.id, "prendre-en-charge")

    response = act(client, world.file_a.id, "reaffecter", office_id=str(world.office_b.id),
                   comment="Exportations par Le Havre.")

    assert response.status_code == 302
    application = fresh(world.file_a.id)
    assert (application.office_id, application.assigned_officer_id) == (world.office_b.id, None)
    event = only_event(world.file_a.id, "reassigned")
    assert event.comment == "Exportations par Le Havre."
    assert event.changes == [{"field": "office", "old": str(world.office_a), "new": str(world.office_b)}]
    assert [e.recipient for e in emails("reassigned", after=mark)] == [application.exporter_email]
    # The file has left office A: its former officer no longer reaches it.
    assert client.get(f"/admin/dossier/{world.file_a.id}").status_code == 404


def test_message_records_comment_event_and_sends_new_message_email(world, as_user):
    client = as_user(world.officer_a)
    mark = last_email_id()

    response = client.post(f"/admin/dossier/{world.file_a.id}/message", data={"body": "Quel est votre site ?"})

    assert response.status_code == 302
    assert response.headers["Location"].endswith("#fil")
    assert only_event(world.file_a.id, "comment").comment == "Quel est votre site ?"
    assert [e.recipient for e in emails("new_message", after=mark)] == [fresh(world.file_a.id).exporter_email]
    assert "Quel est votre site ?" in text_of(client.get(f"/admin/dossier/{world.file_a.id}"))


def test_contact_correction_records_old_and_new_values(world, as_user):
    client = as_user(world.officer_a)
    outbox = len(emails())

    old_phone = fresh(world.file_a.id).contacts[0].phone
    response = correct_contact(client, world, phone="05 59 99 99 99", comment="Appel du 12/03.")

    assert response.status_code == 302
    assert fresh(world.file_a.id).contacts[0].phone == "05 59 99 99 99"
    event = only_event(world.file_a.id, "corrected_by_office")
    assert event.comment == "Appel du 12/03."
    assert event.changes == [{"field": "contacts[1].phone", "old": old_phone, "new": "05 59 99 99 99"}]
    assert len(emails()) == outbox


def test_goods_correction_records_old_and_new_values(world, as_user):
    client = as_user(world.officer_a)

    old_description = fresh(world.file_a.id).goods_lines[0].description
    response = correct_goods(client, world, description="Sacs à main en cuir de veau")

    assert response.status_code == 302
    event = only_event(world.file_a.id, "corrected_by_office")
    assert event.changes == [{"field": "goods[1].description", "old": old_description,
                              "new": "Sacs à main en cuir de veau"}]


def test_correction_that_changes_nothing_is_refused(world, as_user):
    client = as_user(world.officer_a)
    before = state(world.file_a.id)

    response = correct_contact(client, world)

    assert response.status_code == 422
    assert "Aucune donnée n'a été modifiée." in text_of(response)
    assert state(world.file_a.id) == before


# --- refusals from a wrong status -----------------------------------------------------------------

def _file(world, factory, status):
    if status == "incomplete":
        return world.incomplete_a
    if status == "granted":
        return factory.granted(factory.operator(), world.officer_a)
    if status == "rejected":
        return factory.rejected(factory.operator(), world.officer_a)
    if status == "abandoned":
        operator = factory.operator()
        application = factory.submitted(operator)
        workflow.abandon(operator, application)
        return application
    raise AssertionError(status)


WRONG_STATUS = {
    "grant_an_incomplete_file": ("incomplete", "Incomplète", lambda c, w, a: act(c, a, "octroyer")),
    "request_information_on_a_granted_file": (
        "granted", "Octroyée", lambda c, w, a: act(c, a, "demander-informations", message="Précisez.")),
    "reject_a_granted_file": ("granted", "Octroyée", lambda c, w, a: act(c, a, "rejeter", reason="Motif.")),
    "reassign_a_rejected_file": ("rejected", "Rejetée", lambda c, w, a: act(
        c, a, "reaffecter", office_id=str(w.office_b.id), comment="Relève du Havre.")),
    "take_a_granted_file": ("granted", "Octroyée", lambda c, w, a: act(c, a, "prendre-en-charge")),
    "correct_a_contact_of_a_granted_file": (
        "granted", "Octroyée", lambda c, w, a: correct_contact(c, w, a, phone="05 59 99 99 99")),
    "correct_goods_of_a_rejected_file": (
        "rejected", "Rejetée", lambda c, w, a: correct_goods(c, w, a, description="Sacs en cuir de veau")),
    "write_on_an_abandoned_file": ("abandoned", "Abandonnée", lambda c, w, a: c.post(
        f"/admin/dossier/{a}/message", data={"body": "Bonjour"})),
}


@pytest.mark.parametrize("case", list(WRONG_STATUS))
def test_action_from_a_wrong_status_is_refused_with_a_french_message(world, factory, as_user, case):
    status, label, send = WRONG_STATUS[case]
    application_id = _file(world, factory, status).id
    client = as_user(world.officer_a)
    before = state(application_id)

    response = send(client, world, application_id)

    assert response.status_code == 422
    assert f"Cette action n'est pas possible pour une demande au statut « {label} »." in text_of(response)
    assert state(application_id) == before


# --- refusals for a missing text ------------------------------------------------------------------

MISSING_TEXT = {
    "request_information_without_message": (
        "message", "Précisez les informations attendues du demandeur.",
        lambda c, w: act(c, w.file_a.id, "demander-informations", message="  ")),
    "reject_without_reason": (
        "reason", "Le motif du rejet est obligatoire.", lambda c, w: act(c, w.file_a.id, "rejeter", reason="")),
    "reassign_without_comment": (
        "comment", "Indiquez le motif de la réaffectation.",
        lambda c, w: act(c, w.file_a.id, "reaffecter", office_id=str(w.office_b.id), comment=" ")),
    "reassign_without_office": (
        "office_id", "Choisissez le service.",
        lambda c, w: act(c, w.file_a.id, "reaffecter", office_id="", comment="Relève du Havre.")),
    "message_without_body": (
        "body", "Votre message est vide.", lambda c, w: c.post(f"/admin/dossier/{w.file_a.id}/message",
                                                              data={"body": "\n "})),
    "contact_correction_without_phone": (
        "phone", "Ce champ est obligatoire.", lambda c, w: correct_contact(c, w, phone="")),
    "goods_correction_without_heading": (
        "heading", "Ce champ est obligatoire.", lambda c, w: correct_goods(c, w, heading="")),
}


@pytest.mark.parametrize("case", list(MISSING_TEXT))
def test_action_without_its_mandatory_text_shows_the_message_beside_the_field(world, as_user, case):
    field, message, send = MISSING_TEXT[case]
    client = as_user(world.officer_a)
    before = state(world.file_a.id)

    response = send(client, world)

    assert response.status_code == 422
    assert error_beside(response, field) == message
    assert state(world.file_a.id) == before


def test_refused_action_keeps_what_was_typed(world, as_user):
    client = as_user(world.officer_a)

    response = act(client, world.file_a.id, "reaffecter", office_id=str(world.office_b.id), comment="")

    assert response.status_code == 422
    assert f'<option value="{world.office_b.id}" selected>' in response.get_data(as_text=True)
