"""A form posted with the version the page was shown at, after someone else changed the file: 409."""
import pytest

from app import workflow
from tests.backoffice.helpers import STALE, contact_form, fresh, goods_form, state, text_of

STALE_POSTS = {
    "take": lambda w: ("prendre-en-charge", {}),
    "request_information": lambda w: ("demander-informations", {"message": "Joignez la facture."}),
    "grant": lambda w: ("octroyer", {}),
    "reject": lambda w: ("rejeter", {"reason": "Relation préférentielle inexistante."}),
    "reassign": lambda w: ("reaffecter", {"office_id": str(w.office_b.id), "comment": "Relève du Havre."}),
    "correct_contact": lambda w: (f"contacts/{w.contact_id}", contact_form(w.file_a.id, phone="05 59 99 99 99")),
    "correct_goods": lambda w: (f"marchandises/{w.line_id}",
                                goods_form(w.file_a.id, description="Sacs à main en cuir de veau")),
}


@pytest.mark.parametrize("action", list(STALE_POSTS))
def test_action_posted_with_an_old_version_answers_409_and_changes_nothing(world, as_user, action):
    client = as_user(world.officer_a)
    shown = fresh(world.file_a.id).version
    # Meanwhile a colleague writes to the operator: the file moves on to a new version.
    workflow.comment(world.colleague_a, fresh(world.file_a.id), "Avez-vous un site de production en France ?")
    assert fresh(world.file_a.id).version > shown
    before = state(world.file_a.id)

    path, data = STALE_POSTS[action](world)
    response = client.post(f"/admin/dossier/{world.file_a.id}/{path}", data={**data, "version": str(shown)})

    assert response.status_code == 409
    assert STALE in text_of(response)
    assert state(world.file_a.id) == before


def test_page_reloaded_after_a_stale_refusal_carries_the_new_version(world, as_user):
    """The 409 page is the file as it is now: posting its form again goes through."""
    client = as_user(world.officer_a)
    shown = fresh(world.file_a.id).version
    workflow.comment(world.colleague_a, fresh(world.file_a.id), "Avez-vous un site de production en France ?")

    refused = client.post(f"/admin/dossier/{world.file_a.id}/octroyer", data={"version": str(shown)})
    current = fresh(world.file_a.id).version
    retried = client.post(f"/admin/dossier/{world.file_a.id}/octroyer", data={"version": str(current)})

    assert refused.status_code == 409
    assert f'name="version" value="{current}"' in refused.get_data(as_text=True)
    assert retried.status_code == 302
