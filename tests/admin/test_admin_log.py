"""The administration log (issue 16, item 9): every change made on an administration screen is recorded with
its author, time, object and old and new values, shown to administrators in 'Journal d'administration', and
never edited or deleted."""
from datetime import timedelta

import pytest
from flask_admin.contrib.sqla import ModelView
from sqlalchemy import delete, select, update

from app.admin_views.audit import AuditedModelView
from app.extensions import db
from app.models import AdminLogEntry, Certification, Office, Role, User
from app.models._time import utcnow
from app.models.history import HistoryIsAppendOnly
from app.models.outbox import OUTBOX_FAILED, OUTBOX_PENDING, OutboxEmail
from tests.admin.helpers import OFFICE_A, OFFICE_B, cells, page
from tests.operator.html import parse

NEW_PASSWORD = "Nouveau-Mot2passe!"
JOURNAL = "/admin/journal/"


@pytest.fixture
def admin(factory):
    return factory.user(Role.ADMIN, username="alice", first_name="Alice", last_name="Martin")


def _entries() -> list[AdminLogEntry]:
    db.session.expire_all()
    return db.session.scalars(select(AdminLogEntry).order_by(AdminLogEntry.id)).all()


def _changes(entry) -> dict:
    return {c["field"]: (c.get("old"), c.get("new")) if not c.get("secret") else "secret" for c in entry.changes}


def _account_form(user, **changes) -> dict:
    data = {"username": user.username, "email": user.email, "first_name": user.first_name,
            "last_name": user.last_name, "role": user.role.value, "office": user.office_id or "",
            "is_enabled": "y", "password": ""}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_making_an_operator_an_administrator_is_recorded_with_old_and_new_role(admin, factory, login):
    operator = factory.operator()
    client = login(admin)
    before = utcnow()

    response = client.post(f"/admin/comptes/edit/?id={operator.id}", data=_account_form(operator, role="admin"))

    assert response.status_code == 302
    [entry] = _entries()
    assert (entry.actor_id, entry.action, entry.screen, entry.object_type, entry.object_id) == (
        admin.id, "update", "comptes", "user", str(operator.id))
    assert entry.object_repr == operator.full_name
    assert _changes(entry) == {"role": ("operator", "admin")}
    assert before - timedelta(seconds=1) <= entry.at.replace(tzinfo=before.tzinfo) <= utcnow()


def test_an_officers_move_to_another_office_names_both_offices(admin, factory, login):
    officer = factory.officer(OFFICE_A)
    office_b = factory.office(OFFICE_B)

    login(admin).post(f"/admin/comptes/edit/?id={officer.id}", data=_account_form(officer, office=office_b.id))

    [entry] = _entries()
    assert _changes(entry) == {"office": (str(factory.office(OFFICE_A)), str(office_b))}


def test_a_password_set_is_recorded_without_any_hash(admin, factory, login):
    officer = factory.officer(OFFICE_A)
    client = login(admin)

    client.post(f"/admin/comptes/edit/?id={officer.id}", data=_account_form(officer, password=NEW_PASSWORD))

    [entry] = _entries()
    assert _changes(entry) == {"password_hash": "secret"}
    new_hash = db.session.get(User, officer.id).password_hash
    assert new_hash not in str(entry.changes) and officer.password_hash not in str(entry.changes)
    journal = page(client.get(JOURNAL))
    assert new_hash not in journal and "Mot de passe : modifié" in parse(journal).text()


def test_creating_an_account_records_what_it_was_created_with(admin, factory, login):
    office = factory.office(OFFICE_A)
    data = {"username": "paulagent", "email": "paul@douane.example", "first_name": "Paul", "last_name": "Agent",
            "role": "officer", "office": office.id, "is_enabled": "y", "password": NEW_PASSWORD}

    assert login(admin).post("/admin/comptes/new/", data=data).status_code == 302

    [entry] = _entries()
    created = db.session.scalar(select(User).where(User.username == "paulagent"))
    assert (entry.action, entry.object_id) == ("create", str(created.id))
    changes = _changes(entry)
    assert changes["role"] == (None, "officer") and changes["office"] == (None, str(office))
    assert changes["username"] == (None, "paulagent") and changes["password_hash"] == "secret"


def test_granting_and_deleting_certifications_are_recorded(admin, factory, login):
    operator = factory.operator()
    company = factory.company(name="Jouets du Béarn SARL")
    client = login(admin)

    assert client.post("/admin/habilitations/new/", data={"user": operator.id, "company": company.id}).status_code \
        == 302
    granted = db.session.scalar(select(Certification).where(Certification.company_id == company.id))
    first_id = operator.certifications[0].id
    assert client.post("/admin/habilitations/action/", data={"action": "delete",
                                                             "rowid": [str(first_id)]}).status_code == 302
    assert client.post("/admin/habilitations/delete/", data={"id": str(granted.id)}).status_code == 302

    created, deleted_by_action, deleted_by_row = _entries()
    assert (created.action, created.screen, created.object_id) == ("create", "habilitations", str(granted.id))
    assert _changes(created)["company"] == (None, str(company))
    assert _changes(created)["user"] == (None, operator.full_name)
    assert (deleted_by_action.action, deleted_by_action.object_id) == ("delete", str(first_id))
    assert (deleted_by_row.action, deleted_by_row.object_id) == ("delete", str(granted.id))
    assert _changes(deleted_by_row)["company"] == (str(company), None)
    assert _changes(deleted_by_row)["user"] == (operator.full_name, None)


@pytest.fixture
def office_renamed_back(factory):
    """Offices are reference data, kept from one test to the next: the test's change is undone after it."""
    office = factory.office(OFFICE_A)
    name = office.name
    yield office
    db.session.execute(update(Office).where(Office.id == office.id).values(name=name))
    db.session.commit()


def test_changing_an_office_is_recorded(admin, office_renamed_back, login):
    office = office_renamed_back
    old_name = office.name
    data = {"code": office.code, "name": "Bordeaux Mérignac Fret", "city": office.city,
            "directorate": office.directorate_id}

    assert login(admin).post(f"/admin/services/edit/?id={office.id}", data=data).status_code == 302

    [entry] = _entries()
    assert (entry.screen, entry.object_type, entry.object_id) == ("services", "office", str(office.id))
    assert _changes(entry) == {"name": (old_name, "Bordeaux Mérignac Fret")}


def test_a_form_saved_unchanged_or_refused_leaves_no_entry(admin, factory, login):
    officer = factory.officer(OFFICE_A)
    client = login(admin)

    assert client.post(f"/admin/comptes/edit/?id={officer.id}", data=_account_form(officer)).status_code == 302
    refused = client.post(f"/admin/comptes/edit/?id={officer.id}", data=_account_form(officer, office=""))

    assert refused.status_code == 200  # the form again, its error beside the office
    assert _entries() == []


def test_a_change_the_database_refuses_leaves_no_entry(admin, factory, login):
    """The entry is written in the change's own transaction: rolled back with it."""
    office = factory.office(OFFICE_A)
    taken = factory.office(OFFICE_B)
    data = {"code": taken.code, "name": office.name, "city": office.city, "directorate": office.directorate_id}

    login(admin).post(f"/admin/services/edit/?id={office.id}", data=data)

    db.session.expire_all()
    assert db.session.get(Office, office.id).code == OFFICE_A
    assert _entries() == []


def test_relancer_on_the_outbox_is_recorded(admin, login):
    failed = OutboxEmail(template="activation", recipient="a@example.com", subject="s", body="b",
                         message_id="<1@douane.example>", status=OUTBOX_FAILED, attempts=8)
    sent = OutboxEmail(template="activation", recipient="b@example.com", subject="s", body="b",
                       message_id="<2@douane.example>", status="sent", attempts=1)
    db.session.add_all([failed, sent])
    db.session.commit()

    login(admin).post("/admin/courriels/action/", data={"action": "relancer", "rowid": [str(failed.id), str(sent.id)]})

    [entry] = _entries()
    assert (entry.action, entry.screen, entry.object_type, entry.object_id) == (
        "action", "courriels", "outbox_email", str(failed.id))
    assert _changes(entry) == {"status": (OUTBOX_FAILED, OUTBOX_PENDING)}


def test_every_screen_that_writes_is_audited(app):
    """A new administration screen that creates, edits or deletes rows must write the log."""
    writers = [view for view in app.extensions["admin"][0]._views
               if isinstance(view, ModelView) and (view.can_create or view.can_edit or view.can_delete)]

    assert {v.endpoint for v in writers} >= {"comptes", "habilitations", "societes", "services", "directions",
                                             "relations"}
    assert [v.endpoint for v in writers if not isinstance(v, AuditedModelView)] == []


# --- the grid ------------------------------------------------------------------------------------------

@pytest.fixture
def logged(admin, factory, login):
    """Two changes by alice, one by bob (a company: reference tables such as directorates outlive a test)."""
    operator, officer = factory.operator(), factory.officer(OFFICE_A)
    bob = factory.user(Role.ADMIN, username="bob", first_name="Bob", last_name="Durand")
    client = login(admin)
    client.post(f"/admin/comptes/edit/?id={operator.id}", data=_account_form(operator, role="admin"))
    client.post(f"/admin/comptes/edit/?id={officer.id}", data=_account_form(officer, first_name="Paulette"))
    assert login(bob).post("/admin/societes/new/", data={
        "eori": "FR73282932000074", "name": "Jouets Qwzyx SARL", "address": "1 rue du Port", "postcode": "64000",
        "city": "Pau", "country": "FR"}).status_code == 302
    return {"client": login(admin), "operator": operator, "officer": officer}


def test_the_journal_shows_who_changed_what_from_what_to_what(logged):
    response = logged["client"].get(JOURNAL)

    text = parse(page(response)).text()
    assert "Journal d'administration" in text
    assert cells(response, "actor") == ["Bob Durand (bob)", "Alice Martin (alice)", "Alice Martin (alice)"]
    assert cells(response, "screen") == ["Sociétés", "Comptes", "Comptes"]
    assert cells(response, "action") == ["Création", "Modification", "Modification"]
    assert "Rôle : Opérateur → Administrateur" in cells(response, "changes")[2]
    assert "Prénom : Jeanne → Paulette" in cells(response, "changes")[1]


def test_the_journal_is_searchable_by_object_and_by_administrator(logged):
    client = logged["client"]

    company = ["Jouets Qwzyx SARL (FR73282932000074)"]
    assert cells(client.get(JOURNAL, query_string={"search": "Qwzyx"}), "object_repr") == company
    assert cells(client.get(JOURNAL, query_string={"search": "bob"}), "object_repr") == company
    by_id = client.get(JOURNAL, query_string={"search": str(logged["operator"].id)})
    assert logged["operator"].full_name in cells(by_id, "object_repr")
    filtered = client.get(JOURNAL, query_string={"flt0_cran_equals": "comptes"})  # Flask-Admin drops the É
    assert len(cells(filtered, "object_repr")) == 2


def test_the_journal_is_for_administrators_only(logged, factory, login):
    for user in (factory.officer(OFFICE_A), factory.user(Role.SUPERVISOR, supervised=[factory.office(OFFICE_A)]),
                 factory.operator()):
        assert login(user).get(JOURNAL).status_code == 403


def test_the_journal_cannot_be_edited_or_deleted_from_any_url(logged):
    client = logged["client"]
    entry = _entries()[0]
    responses = [client.get(f"{JOURNAL}new/"), client.post(f"{JOURNAL}new/", data={"action": "update"}),
                 client.get(f"{JOURNAL}edit/?id={entry.id}"), client.post(f"{JOURNAL}edit/?id={entry.id}",
                                                                           data={"object_repr": "x"}),
                 client.post(f"{JOURNAL}delete/", data={"id": str(entry.id)}),
                 client.post(f"{JOURNAL}action/", data={"action": "delete", "rowid": [str(entry.id)]}),
                 client.post(f"{JOURNAL}ajax/update/", data={"list_form_pk": entry.id, "object_repr": "x"})]

    assert [r.status_code for r in responses] == [403] * len(responses)
    assert [(e.id, e.object_repr) for e in _entries()][0] == (entry.id, entry.object_repr)
    assert len(_entries()) == 3


def test_the_model_refuses_to_change_or_delete_an_entry(logged):
    entry = _entries()[0]
    entry.object_repr = "réécrit"
    with pytest.raises(HistoryIsAppendOnly):
        db.session.commit()
    db.session.rollback()
    for statement in (update(AdminLogEntry).values(object_repr="x"), delete(AdminLogEntry)):
        with pytest.raises(HistoryIsAppendOnly):
            db.session.execute(statement)
        db.session.rollback()
    with pytest.raises(HistoryIsAppendOnly):
        db.session.delete(_entries()[0])
        db.session.commit()
    db.session.rollback()
    assert len(_entries()) == 3
