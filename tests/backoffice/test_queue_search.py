"""The queues' search box: an operator's name or part of a reference, within the office's files. On PostgreSQL
it is answered by the trigram index of migrations 0015 and 0019 (application_search, with the file's office, kept
by a trigger) and ignores accents; on SQLite it is a case-insensitive LIKE."""
import pytest
from sqlalchemy import update

from app.extensions import db
from app.models import Application
from app.workflow.instruction import reassign
from tests.backoffice.helpers import OFFICE_A, OFFICE_B, text_of


@pytest.fixture
def named(world, factory):
    def filed(name, office):
        return factory.submitted(factory.operator(factory.company(name=name)), office_code=office)

    world.bearn = filed("Maroquinerie du Béarn", OFFICE_A)
    world.glass = filed("Verrerie d'Arques", OFFICE_A)
    world.bearn_b = filed("Maroquinerie du Béarn Nord", OFFICE_B)
    return world


def _listed(client, term):
    return text_of(client.get("/admin/tous/", query_string={"search": term}))


def test_a_name_search_lists_the_office_files_of_that_name_only(named, as_user):
    page = _listed(as_user(named.officer_a), "maroquinerie du")
    assert named.bearn.reference in page
    assert named.glass.reference not in page
    assert named.bearn_b.reference not in page  # another office's


def test_a_part_of_a_reference_finds_its_file(named, as_user):
    page = _listed(as_user(named.officer_a), named.glass.reference[-7:].lower())
    assert named.glass.reference in page and named.bearn.reference not in page


def test_a_search_follows_a_renamed_exporter_and_ignores_accents_on_postgresql(named, as_user):
    db.session.execute(update(Application).where(Application.id == named.glass.id)
                       .values(exporter_name="Cristallerie Émeraude"))
    db.session.commit()
    client = as_user(named.officer_a)
    assert named.glass.reference in _listed(client, "Émeraude")
    assert named.glass.reference not in _listed(client, "Verrerie")
    if db.engine.dialect.name == "postgresql":
        assert named.glass.reference in _listed(client, "emeraude")
        assert named.bearn.reference in _listed(client, "BEARN")


def test_a_file_sent_to_another_office_is_found_by_that_office_only(named, as_user):
    reassign(named.officer_a, named.glass, named.office_b, comment="Relève du Havre")
    db.session.commit()
    assert named.glass.reference not in _listed(as_user(named.officer_a), "Verrerie")
    assert named.glass.reference in _listed(as_user(named.officer_b), "Verrerie")


def test_wildcards_typed_in_the_box_are_taken_literally(named, as_user):
    assert named.bearn.reference not in _listed(as_user(named.officer_a), "%_%")


def test_a_new_officer_of_the_office_is_a_filter_choice_on_the_next_page(named, factory, as_user):
    """The filter choices are kept between requests; a commit that adds an account drops them."""
    client = as_user(named.officer_a)
    client.get("/admin/a_traiter/")
    newcomer = factory.officer(OFFICE_A)
    newcomer.first_name, newcomer.last_name = "Zoe", "Newcomer"
    db.session.commit()
    assert "Zoe Newcomer" in client.get("/admin/a_traiter/").get_data(as_text=True)


def test_the_list_rows_keep_the_checkbox_the_link_and_every_column(named, as_user):
    html = as_user(named.officer_a).get("/admin/tous/").get_data(as_text=True)
    assert f'class="action-checkbox" value="{named.glass.id}"' in html
    assert f"/dossiers/{named.glass.id}" in html or named.glass.reference in html
    for column in ("reference", "exporter_name", "exporter_eori", "kind", "submitted_at", "updated_at", "status",
                   "assigned_officer", "answer_deadline"):
        assert f'class="col-{column}"' in html
