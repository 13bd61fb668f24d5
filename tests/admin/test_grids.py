"""The search grids (contacts, goods lines, history): only files of the account's offices, read-only."""
from datetime import timedelta

import pytest
from flask_login import login_user

from app import workflow
from app.extensions import db
from app.models import HistoryEvent, Role
from app.models._time import utcnow
from jobs.deadlines import sweep_deadlines
from tests.admin.helpers import (
    OFFICE_A, OFFICE_B, cells, contact, count, csv_rows, file_references, goods, hrefs, page,
)


@pytest.fixture
def officer(factory):
    return factory.officer(OFFICE_A)


@pytest.fixture
def files(factory, officer):
    """Files of office A (in scope), of office B (out of scope) and a draft of office A (never shown)."""
    class Files:
        pass
    f = Files()
    f.a = factory.submitted(factory.operator(), office_code=OFFICE_A,
                            contacts=[contact("Alice Dans-le-service", email="alice@exemple-a.com", phone="05 56 11 22 33")],
                            goods=goods("3923"))
    f.b = factory.submitted(factory.operator(), office_code=OFFICE_B,
                            contacts=[contact("Bruno Autre-service", email="bruno@exemple-b.com")], goods=goods("3924"))
    f.draft = factory.draft(factory.operator(), office_code=OFFICE_A,
                            contacts=[contact("Denise Brouillon", email="denise@brouillon.com")], goods=goods("3925"))
    f.contact_a, f.contact_b = f.a.contacts[0].id, f.b.contacts[0].id
    f.line_a, f.line_b = f.a.goods_lines[0].id, f.b.goods_lines[0].id
    return f


# --- contacts ----------------------------------------------------------------------------------------

def test_contacts_grid_lists_only_contacts_of_filed_files_of_the_officers_office(files, officer, login):
    client = login(officer)
    names = cells(client.get("/admin/contacts/"), "full_name")
    assert names == ["Alice Dans-le-service"]


def test_contacts_grid_of_a_supervisor_covers_every_supervised_office(factory, files, login):
    supervisor = factory.user(Role.SUPERVISOR, supervised=[factory.office(OFFICE_A), factory.office(OFFICE_B)])
    client = login(supervisor)
    assert sorted(cells(client.get("/admin/contacts/"), "full_name")) == ["Alice Dans-le-service",
                                                                          "Bruno Autre-service"]


def test_contact_of_another_office_has_no_link_and_its_urls_answer_404(files, officer, login):
    client = login(officer)
    links = hrefs(client.get("/admin/contacts/"))
    assert f"/admin/dossier/{files.b.id}" not in links
    assert f"/admin/dossier/{files.b.id}/contacts/{files.contact_b}" not in links
    assert client.get(f"/admin/dossier/{files.b.id}").status_code == 404
    assert client.get(f"/admin/dossier/{files.b.id}/contacts/{files.contact_b}").status_code == 404
    # The grid's own single-row pages do not exist for anyone.
    assert client.get(f"/admin/contacts/details/?id={files.contact_b}").status_code == 403
    assert client.get(f"/admin/contacts/edit/?id={files.contact_b}").status_code == 403


def test_grids_get_one_ignores_rows_out_of_scope(app, files, officer):
    views = {v.endpoint: v for v in app.extensions["admin"][0]._views}
    with app.test_request_context():
        login_user(officer)
        assert views["contacts"].get_one(files.contact_a).id == files.contact_a
        assert views["contacts"].get_one(files.contact_b) is None
        assert views["contacts"].get_one(files.draft.contacts[0].id) is None
        assert views["contacts"].get_one("not-a-number") is None
        assert views["marchandises"].get_one(files.line_a).id == files.line_a
        assert views["marchandises"].get_one(files.line_b) is None
        event_b = db.session.query(HistoryEvent).filter_by(application_id=files.b.id).first()
        assert views["historique"].get_one(event_b.id) is None
        assert views["contacts"].get_count_query().scalar() == 1
        assert views["marchandises"].get_count_query().scalar() == 1


def test_contact_row_links_to_its_file_and_to_the_correction_page_while_open(factory, files, officer, login):
    granted = factory.granted(factory.operator(), officer)
    client = login(officer)
    links = hrefs(client.get("/admin/contacts/"))
    correction = f"/admin/dossier/{files.a.id}/contacts/{files.contact_a}"
    assert f"/admin/dossier/{files.a.id}" in links
    assert correction in links
    assert f"/admin/dossier/{granted.id}" in links
    assert f"/admin/dossier/{granted.id}/contacts/{granted.contacts[0].id}" not in links

    response = client.post(correction, data={**contact("Alice Corrigée", email="alice@exemple-a.com",
                                                       phone="05 56 11 22 33"),
                                             "version": files.a.version, "comment": "Faute de frappe"})
    assert response.status_code == 302
    db.session.expire_all()
    event = db.session.query(HistoryEvent).filter_by(application_id=files.a.id, kind="corrected_by_office").one()
    assert event.changes == [{"field": "contacts[1].full_name", "old": "Alice Dans-le-service",
                              "new": "Alice Corrigée"}]


@pytest.mark.parametrize("term", ["alice@exemple-a.com", "0556112233", "05 56 11", "dans-le", "ALICE"])
def test_contacts_search_by_email_phone_or_name(factory, files, officer, login, term):
    factory.submitted(factory.operator(), office_code=OFFICE_A,
                      contacts=[contact("Zoé Martin", email="zoe@exemple-z.com", phone="01 40 00 00 00")])
    client = login(officer)
    assert cells(client.get("/admin/contacts/", query_string={"search": term}), "full_name") == [
        "Alice Dans-le-service"]


def test_contacts_search_never_reaches_another_office(files, officer, login):
    client = login(officer)
    assert cells(client.get("/admin/contacts/", query_string={"search": "bruno@exemple-b.com"}), "full_name") == []


def test_contacts_csv_export_holds_only_rows_in_scope(files, officer, login):
    client = login(officer)
    rows = csv_rows(client.get("/admin/contacts/export/csv/"))
    assert [r[0] for r in rows[1:]] == ["Alice Dans-le-service"]
    assert files.a.reference in rows[1]


def test_grids_are_forbidden_to_operators(factory, files, login):
    client = login(factory.operator())
    for url in ("/admin/contacts/", "/admin/marchandises/", "/admin/historique/", "/admin/contacts/export/csv/"):
        assert client.get(url).status_code == 403, url


# --- goods lines -------------------------------------------------------------------------------------

def test_goods_grid_lists_only_lines_of_filed_files_of_the_officers_office(files, officer, login):
    client = login(officer)
    assert cells(client.get("/admin/marchandises/"), "heading") == ["3923"]
    assert file_references(client.get("/admin/marchandises/")) == {files.a.reference}


def test_goods_chapter_39_filter_finds_3923_and_whole_chapter_3900_lines(factory, files, officer, login):
    whole = factory.submitted(factory.operator(), office_code=OFFICE_A, goods=goods("3900"))
    other = factory.submitted(factory.operator(), office_code=OFFICE_A, goods=goods("4202"))
    client = login(officer)
    response = client.get("/admin/marchandises/", query_string={"flt0_chapitre_equals": "39"})
    assert file_references(response) == {files.a.reference, whole.reference}
    assert other.reference not in file_references(response)
    assert sorted(h.split()[0] for h in cells(response, "heading")) == ["3900", "3923"]
    # Written the way a whole chapter is declared, the filter means the same chapter.
    response = client.get("/admin/marchandises/", query_string={"flt0_chapitre_equals": "3900"})
    assert file_references(response) == {files.a.reference, whole.reference}


def test_goods_heading_filter_is_exact_and_covered_filter_adds_the_whole_chapter(factory, files, officer, login):
    whole = factory.submitted(factory.operator(), office_code=OFFICE_A, goods=goods("3900"))
    client = login(officer)
    exact = client.get("/admin/marchandises/", query_string={"flt0_position_tarifaire_equals": "3923"})
    assert file_references(exact) == {files.a.reference}
    covered = client.get("/admin/marchandises/",
                         query_string={"flt0_position_tarifaire_couverte_position_ou_chapitre_entier": "3923"})
    assert file_references(covered) == {files.a.reference, whole.reference}


def test_goods_description_filter_contains(factory, files, officer, login):
    bags = factory.submitted(factory.operator(), office_code=OFFICE_A,
                             goods=[{"heading": "4202", "description": "Sacs à main en cuir"}])
    client = login(officer)
    response = client.get("/admin/marchandises/", query_string={"flt0_description_contains": "à main"})
    assert file_references(response) == {bags.reference}


def test_goods_line_of_another_office_has_no_correction_url(files, officer, login):
    client = login(officer)
    page_links = hrefs(client.get("/admin/marchandises/"))
    assert f"/admin/dossier/{files.a.id}/marchandises/{files.line_a}" in page_links
    assert not any(f"/admin/dossier/{files.b.id}" in link for link in page_links)
    assert client.get(f"/admin/dossier/{files.b.id}/marchandises/{files.line_b}").status_code == 404


# --- history -----------------------------------------------------------------------------------------

def test_history_grid_lists_only_events_of_files_in_scope(factory, files, officer, login):
    incomplete = factory.incomplete(factory.operator(), officer)
    client = login(officer)
    response = client.get("/admin/historique/")
    assert file_references(response) == {files.a.reference, incomplete.reference}
    assert "Action automatique" not in cells(response, "actor")
    assert officer.full_name in cells(response, "actor")


def test_history_grid_is_read_only_for_officers_and_admins(factory, files, officer, login):
    event = db.session.query(HistoryEvent).filter_by(application_id=files.a.id).first()
    event_id, comment, before = event.id, event.comment, count(HistoryEvent)
    for user in (officer, factory.user(Role.ADMIN)):
        client = login(user)
        assert client.get("/admin/historique/").status_code == 200
        assert client.get("/admin/historique/new/").status_code == 403
        assert client.post("/admin/historique/new/", data={"kind": "granted", "comment": "faux"}).status_code == 403
        assert client.get(f"/admin/historique/edit/?id={event_id}").status_code == 403
        assert client.post(f"/admin/historique/edit/?id={event_id}", data={"comment": "réécrit"}).status_code == 403
        assert client.post("/admin/historique/delete/", data={"id": event_id}).status_code == 403
        assert client.post("/admin/historique/action/", data={"action": "delete", "rowid": event_id}).status_code == 403
        assert client.get(f"/admin/historique/details/?id={event_id}").status_code == 403
        html = page(client.get("/admin/historique/"))
        assert "/admin/historique/new/" not in html and "/admin/historique/edit/" not in html
    assert count(HistoryEvent) == before
    assert db.session.get(HistoryEvent, event_id).comment == comment


def test_admin_history_shows_every_office(factory, files, login):
    client = login(factory.user(Role.ADMIN))
    assert file_references(client.get("/admin/historique/")) == {files.a.reference, files.b.reference,
                                                                  files.draft.reference} - {None}


def _backdate(event_id: int, days: int):
    """Test set-up only: history is append-only through the ORM, so move the event's date in SQL."""
    table = HistoryEvent.__table__
    db.session.connection().execute(table.update().where(table.c.id == event_id)
                                    .values(at=utcnow() - timedelta(days=days)))
    db.session.commit()
    db.session.expire_all()


def test_history_filters_by_kind_actor_and_date(factory, files, officer, login):
    incomplete = factory.incomplete(factory.operator(), officer)
    submitted = db.session.query(HistoryEvent).filter_by(application_id=files.a.id, kind="submitted").one()
    _backdate(submitted.id, days=40)
    client = login(officer)

    by_kind = client.get("/admin/historique/", query_string={"flt0_vnement_equals": "information_requested"})
    assert cells(by_kind, "kind") == ["Informations complémentaires sollicitées au demandeur"]
    by_actor = client.get("/admin/historique/", query_string={"flt0_acteur_equals": str(officer.id)})
    assert cells(by_actor, "actor") == [officer.full_name]
    assert file_references(by_actor) == {incomplete.reference}
    since = (utcnow() - timedelta(days=5)).strftime("%Y-%m-%d %H:%M:%S")
    until = (utcnow() + timedelta(days=1)).strftime("%Y-%m-%d %H:%M:%S")
    recent = client.get("/admin/historique/", query_string={"flt0_date_between": f"{since} to {until}"})
    kinds_of_a = [k for k, ref in zip(cells(recent, "kind"), cells(recent, "application.reference"))
                  if ref == files.a.reference]
    assert "Demande déposée auprès du service de recevabilité" not in kinds_of_a
    assert "Création de la demande" in kinds_of_a


def test_history_actor_filter_finds_automatic_actions(factory, files, officer, login):
    incomplete = factory.incomplete(factory.operator(), officer)
    sweep_deadlines(now=utcnow() + timedelta(days=31))
    client = login(officer)
    response = client.get("/admin/historique/", query_string={"flt0_acteur_equals": "auto"})
    assert cells(response, "actor") == ["Action automatique"]
    assert file_references(response) == {incomplete.reference}


def test_grid_filter_urls_do_not_depend_on_the_language(factory, files, officer, login):
    whole = factory.submitted(factory.operator(), office_code=OFFICE_A, goods=goods("3900"))
    client = login(officer)
    for lang in ("en", "fr", "en"):
        response = client.get("/admin/marchandises/", query_string={"lang": lang, "flt0_chapitre_equals": "39"})
        assert file_references(response) == {files.a.reference, whole.reference}, lang
        assert '"arg": "chapitre_equals"' in page(response)
