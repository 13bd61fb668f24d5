"""Batch assignment and reassignment: over ticked rows or over every file the queue's filters match.

Each file gets its own workflow call, history event and email; files outside the account's scope (other
offices, drafts, other queues) are never touched, whatever ids the request carries.
"""
import re

import pytest

from app.models import ApplicationStatus as S, HistoryEvent
from tests.backoffice.helpers import (
    OFFICE_A, OFFICE_B, count, emails, error_beside, events, fresh, last_email_id, state, text_of,
)


@pytest.fixture
def batch(world, factory):
    """Besides the world's files: three 'Maroquinerie' files and one 'Verrerie' file in office A, one
    'Maroquinerie' file in office B (it matches the search but is out of office A's scope)."""
    def filed(name, office):
        return factory.submitted(factory.operator(factory.company(name=name)), office_code=office)

    world.leather = [filed(f"Maroquinerie du Béarn {n}", OFFICE_A) for n in (1, 2, 3)]
    world.glass = filed("Verrerie d'Arques", OFFICE_A)
    world.leather_b = filed("Maroquinerie du Havre", OFFICE_B)
    world.all_ids = [f.id for f in (world.file_a, world.incomplete_a, world.file_b, *world.leather, world.glass,
                                    world.leather_b)]
    return world


def counted(response) -> str:
    """The sentence of the batch page that says how many files the action would touch."""
    match = re.search(r"\d+ dossiers? (cochés?|correspond\w* aux filtres en cours)\.", text_of(response))
    assert match, text_of(response)
    return match.group(0)


def assigned_events() -> int:
    return count(HistoryEvent, kind="assigned")


def test_two_ticked_rows_show_two_files_on_the_batch_page(batch, as_user):
    client = as_user(batch.officer_a)
    ticked = [str(batch.leather[0].id), str(batch.glass.id)]

    response = client.post("/admin/tous/action/", data={"action": "batch", "rowid": ticked}, follow_redirects=True)

    assert response.status_code == 200
    assert counted(response) == "2 dossiers cochés."
    assert 'name="ids" value="{}"'.format(",".join(ticked)) in response.get_data(as_text=True)


def test_batch_page_without_ids_counts_the_files_matching_the_queue_search(batch, as_user):
    client = as_user(batch.officer_a)

    response = client.get("/admin/lot/", query_string={"queue": "tous", "search": "Maroquinerie"})

    assert counted(response) == "3 dossiers correspondent aux filtres en cours."


def test_batch_page_counts_the_files_matching_a_reference_prefix(batch, as_user):
    client = as_user(batch.officer_a)
    prefix = batch.leather[0].reference[:-1]
    in_scope = [fresh(i) for i in batch.all_ids]
    expected = sum(1 for a in in_scope if a.office_id == batch.office_a.id and a.reference.startswith(prefix))

    response = client.get("/admin/lot/", query_string={"queue": "tous", "search": prefix})

    assert expected >= 1
    assert counted(response).startswith(f"{expected} dossier")


def test_batch_page_counts_the_files_matching_the_queue_filters(batch, as_user):
    client = as_user(batch.officer_a)

    response = client.get("/admin/lot/", query_string={"queue": "tous", "flt0_statut_equals": "incomplete"})

    assert counted(response) == "1 dossier correspond aux filtres en cours."


def test_assigning_the_filtered_files_creates_one_history_event_per_file(batch, as_user):
    client = as_user(batch.officer_a)
    others = [batch.file_a.id, batch.incomplete_a.id, batch.glass.id, batch.leather_b.id, batch.file_b.id]
    before = state(*others, totals=False)

    response = client.post("/admin/lot/?queue=tous&search=Maroquinerie",
                           data={"action": "assign", "officer_id": str(batch.colleague_a.id), "ids": ""})

    assert response.status_code == 302
    for application in batch.leather:
        assert fresh(application.id).assigned_officer_id == batch.colleague_a.id
        (event,) = events(application.id, "assigned")
        assert (event.actor_id, event.comment) == (batch.officer_a.id, batch.colleague_a.full_name)
    assert assigned_events() == 3
    assert state(*others, totals=False) == before
    assert "3 dossier(s) traité(s)." in text_of(client.get(response.headers["Location"]))


def test_supervisor_reassigns_the_filtered_files_to_another_office_with_a_comment(batch, as_user):
    client = as_user(batch.supervisor_a)
    mark = last_email_id()
    history = count(HistoryEvent)

    response = client.post("/admin/lot/?queue=a_traiter&search=Maroquinerie",
                           data={"action": "reassign", "office_id": str(batch.office_c.id),
                                 "comment": "Relèvent du bureau de Rouen.", "ids": ""})

    assert response.status_code == 302
    for application in batch.leather:
        assert fresh(application.id).office_id == batch.office_c.id
        (event,) = events(application.id, "reassigned")
        assert (event.actor_id, event.comment) == (batch.supervisor_a.id, "Relèvent du bureau de Rouen.")
    assert count(HistoryEvent) == history + 3
    sent = emails("reassigned", after=mark)
    assert sorted(e.recipient for e in sent) == sorted(fresh(a.id).exporter_email for a in batch.leather)
    assert len(emails(after=mark)) == 3
    assert fresh(batch.leather_b.id).office_id == batch.office_b.id
    assert fresh(batch.glass.id).office_id == batch.office_a.id


def test_batch_reassign_without_comment_is_refused_beside_the_field(batch, as_user):
    client = as_user(batch.supervisor_a)
    before = state(*batch.all_ids)

    response = client.post("/admin/lot/?queue=tous&search=Maroquinerie",
                           data={"action": "reassign", "office_id": str(batch.office_c.id), "comment": " ", "ids": ""})

    assert response.status_code == 422
    assert error_beside(response, "comment") == "Indiquez le motif de la réaffectation."
    assert state(*batch.all_ids) == before


def test_officer_sees_no_reassign_form_on_the_batch_page(batch, as_user):
    client = as_user(batch.officer_a)

    response = client.get("/admin/lot/", query_string={"queue": "tous", "search": "Maroquinerie"})

    assert response.status_code == 200
    assert 'name="officer_id"' in response.get_data(as_text=True)
    assert 'name="office_id"' not in response.get_data(as_text=True)
    assert 'value="reassign"' not in response.get_data(as_text=True)
    assert "Réaffecter à un autre service" not in text_of(response)


def test_officer_crafted_batch_reassign_is_refused(batch, as_user):
    client = as_user(batch.officer_a)
    before = state(*batch.all_ids)

    response = client.post("/admin/lot/?queue=tous&search=Maroquinerie",
                           data={"action": "reassign", "office_id": str(batch.office_b.id),
                                 "comment": "Relèvent du Havre.", "ids": ""})

    assert response.status_code == 422
    assert "Action inconnue." in text_of(response)
    assert state(*batch.all_ids) == before


def test_ids_of_files_outside_the_scope_are_never_touched(batch, factory, as_user):
    """office B's file, an office A draft and (in 'À traiter') an incomplete file ride along in ids."""
    draft = factory.draft(factory.operator(), office_code=OFFICE_A)
    client = as_user(batch.officer_a)
    outside = [batch.leather_b.id, batch.file_b.id, draft.id, batch.incomplete_a.id]
    ids = ",".join(str(i) for i in [batch.leather[0].id, *outside])
    before = state(*outside, totals=False)

    page = client.get("/admin/lot/", query_string={"queue": "a_traiter", "ids": ids})
    response = client.post("/admin/lot/?queue=a_traiter",
                           data={"action": "assign", "officer_id": str(batch.officer_a.id), "ids": ids})

    assert counted(page) == "1 dossier coché."
    assert response.status_code == 302
    assert fresh(batch.leather[0].id).assigned_officer_id == batch.officer_a.id
    assert state(*outside, totals=False) == before
    assert fresh(draft.id).status == S.DRAFT


def test_supervisor_of_other_offices_touches_no_office_a_file_through_the_batch(batch, as_user):
    client = as_user(batch.supervisor_other)
    office_a_files = [batch.file_a.id, batch.incomplete_a.id, batch.glass.id, *(a.id for a in batch.leather)]
    ids = ",".join(str(i) for i in office_a_files)
    before = state(*office_a_files)

    response = client.post("/admin/lot/?queue=tous",
                           data={"action": "reassign", "office_id": str(batch.office_c.id),
                                 "comment": "Relèvent de Rouen.", "ids": ids})

    assert response.status_code == 302
    assert state(*office_a_files) == before
    assert "0 dossier(s) traité(s)." in text_of(client.get(response.headers["Location"]))


def test_batch_assign_refuses_an_officer_outside_the_scope(batch, as_user):
    client = as_user(batch.supervisor_a)
    before = state(*batch.all_ids)

    response = client.post("/admin/lot/?queue=tous&search=Maroquinerie",
                           data={"action": "assign", "officer_id": str(batch.officer_b.id), "ids": ""})

    assert response.status_code == 422
    assert error_beside(response, "officer_id") == "Choisissez un agent du service."
    assert state(*batch.all_ids) == before


def test_batch_reports_the_files_it_could_not_assign_and_does_the_others(batch, as_user):
    client = as_user(batch.officer_a)
    already = batch.leather[0]
    client.post(f"/admin/dossier/{already.id}/prendre-en-charge", data={})
    client = as_user(batch.supervisor_a)

    response = client.post("/admin/lot/?queue=tous&search=Maroquinerie",
                           data={"action": "assign", "officer_id": str(batch.officer_a.id), "ids": ""})
    page = text_of(client.get(response.headers["Location"]))

    assert "2 dossier(s) traité(s)." in page
    assert f"{already.reference} : Ce dossier est déjà affecté à {batch.officer_a.full_name}." in page
    assert len(events(already.id, "assigned")) == 1
    assert all(fresh(a.id).assigned_officer_id == batch.officer_a.id for a in batch.leather)
    assert assigned_events() == 3
