"""Numbers beyond any row id in URLs, page numbers and posted choices.

The primary keys are 32-bit integers: 99999999999 passed to PostgreSQL is 'integer out of range' (a 500),
to SQLite an OverflowError. Such a number names nothing: a 404 in a URL, an ordinary choice error in a form,
an empty page in a grid.
"""
import pytest

from tests.backoffice.helpers import error_beside, fresh, state
from tests.backoffice.test_instruction_actions import act

HUGE = "99999999999"
HUGER = "9" * 40


@pytest.mark.parametrize("url", [
    f"/rex/demandes/{HUGE}", f"/rex/demandes/{HUGE}/formulaire", f"/rex/demandes/{HUGE}/documents/1",
    f"/rex/autorisations/{HUGE}",
])
def test_operator_url_with_an_id_beyond_any_row_is_not_found(world, as_user, url):
    assert as_user(world.operator).get(url).status_code == 404


@pytest.mark.parametrize("url", [f"/admin/dossier/{HUGE}", f"/admin/dossier/{HUGER}"])
def test_instruction_page_of_an_id_beyond_any_row_is_not_found(world, as_user, url):
    assert as_user(world.officer_a).get(url).status_code == 404


@pytest.mark.parametrize("page", [HUGE, HUGER, "-5"])
@pytest.mark.parametrize("grid", ["/admin/tous/", "/admin/a_traiter/", "/admin/historique/"])
def test_grid_page_number_beyond_the_last_page_shows_the_grid(world, as_user, grid, page):
    response = as_user(world.officer_a).get(grid, query_string={"page": page})

    assert response.status_code == 200


def test_batch_page_ignores_ticked_ids_beyond_any_row(world, as_user):
    response = as_user(world.officer_a).get("/admin/lot/", query_string={
        "queue": "a_traiter", "ids": f"{HUGE},{world.file_a.id}"})

    assert response.status_code == 200
    assert "1 dossier coché." in response.get_data(as_text=True)


def test_batch_assignment_to_an_officer_id_beyond_any_row_is_refused_beside_the_field(world, as_user):
    client = as_user(world.officer_a)
    before = state(world.file_a.id)

    response = client.post("/admin/lot/?queue=a_traiter",
                           data={"action": "assign", "officer_id": HUGE, "ids": str(world.file_a.id)})

    assert response.status_code == 422
    assert error_beside(response, "officer_id") == "Choisissez un agent du service."
    assert state(world.file_a.id) == before


def test_reassignment_to_an_office_id_beyond_any_row_is_refused_beside_the_field(world, as_user):
    client = as_user(world.officer_a)
    before = state(world.file_a.id)

    response = act(client, world.file_a.id, "reaffecter", office_id=HUGE, comment="Vers Le Havre.")

    assert response.status_code == 422
    assert error_beside(response, "office_id") == "Choisissez le service."
    assert state(world.file_a.id) == before


def test_supervisor_assigning_a_file_to_an_officer_id_beyond_any_row_gets_not_found(world, as_user):
    client = as_user(world.supervisor_a)
    before = state(world.file_a.id)

    response = act(client, world.file_a.id, "prendre-en-charge", officer_id=HUGE)

    assert response.status_code == 404
    assert state(world.file_a.id) == before
    assert fresh(world.file_a.id).assigned_officer_id is None


@pytest.mark.parametrize("row_id", [HUGE, "abc", "-1"])
@pytest.mark.parametrize("endpoint", ["comptes", "habilitations", "societes", "services"])
def test_administration_edit_page_of_a_key_that_names_no_row_goes_back_to_the_list(world, as_user, endpoint,
                                                                                   row_id):
    response = as_user(world.admin).get(f"/admin/{endpoint}/edit/", query_string={"id": row_id})

    assert response.status_code == 302
    assert response.location.startswith(f"/admin/{endpoint}/")


@pytest.mark.parametrize("row_id", [HUGE, "abc", "-1"])
def test_retrying_failed_emails_ignores_ticked_rows_that_are_no_row(world, as_user, row_id):
    before = state(totals=True)

    response = as_user(world.admin).post("/admin/courriels/action/", data={"action": "relancer", "rowid": row_id})

    assert response.status_code == 302
    assert state(totals=True) == before


@pytest.mark.parametrize("days", ["²", "٣٠", "-1", HUGE])
def test_deadline_filter_with_a_number_it_cannot_use_shows_the_queue(world, as_user, days):
    response = as_user(world.officer_a).get("/admin/incompletes/",
                                            query_string={"flt0_chance_dans_moins_de_jours": days})

    assert response.status_code == 200
