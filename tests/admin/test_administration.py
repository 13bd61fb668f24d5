"""Administration screens: administrators only; forms check what they take and never show a password."""
import pytest
from sqlalchemy import select

from app.auth.passwords import check_password
from app.extensions import db
from app.models import Certification, Company, Directorate, Office, PreferentialRelation, Role, TariffHeading, User
from tests.admin.helpers import OFFICE_A, cells, count, page
from tests.operator.html import parse

ENDPOINTS = ("comptes", "habilitations", "societes", "services", "directions", "relations", "positions")
NEW_PASSWORD = "Nouveau-Mot2passe!"


@pytest.fixture
def admin(factory):
    return factory.user(Role.ADMIN)


def _message_beside(response, name) -> list[str]:
    """The error messages Flask-Admin shows in the form group of a field."""
    doc = parse(response.get_data(as_text=True))
    control = next(n for n in doc.iter() if n.tag in ("input", "select", "textarea") and n.attrs.get("name") == name)
    group = control.parent
    while "form-group" not in group.classes:
        group = group.parent
    assert "is-invalid" in control.classes
    return [li.text() for li in group.find_all("li")]


@pytest.mark.parametrize("role", ["officer", "supervisor", "operator", "representative"])
def test_administration_urls_are_forbidden_to_other_roles(factory, login, role):
    user = {"officer": lambda: factory.officer(OFFICE_A),
            "supervisor": lambda: factory.user(Role.SUPERVISOR, supervised=[factory.office(OFFICE_A)]),
            "operator": factory.operator, "representative": factory.representative}[role]()
    office = factory.office(OFFICE_A)
    client = login(user)
    for endpoint in ENDPOINTS:
        for url in (f"/admin/{endpoint}/", f"/admin/{endpoint}/new/", f"/admin/{endpoint}/edit/?id=1",
                    f"/admin/{endpoint}/ajax/lookup/?name=user&query=du"):
            assert client.get(url).status_code == 403, url
        assert client.post(f"/admin/{endpoint}/delete/", data={"id": "1"}).status_code == 403, endpoint
    before = count(Office)
    assert client.post("/admin/services/new/", data={"code": "FR999999", "name": "Intrus", "city": "X",
                                                     "directorate": office.directorate_id}).status_code == 403
    assert client.post(f"/admin/services/edit/?id={office.id}", data={"code": office.code, "name": "Piraté",
                                                                      "city": "X"}).status_code == 403
    assert count(Office) == before
    assert db.session.get(Office, office.id).name == "Bordeaux Mérignac"


def test_administration_pages_open_for_administrators(admin, login):
    client = login(admin)
    for endpoint in ENDPOINTS:
        assert client.get(f"/admin/{endpoint}/").status_code == 200, endpoint


def test_creating_office_with_bad_code_shows_the_message_beside_the_field(factory, admin, login):
    client = login(admin)
    directorate = factory.office(OFFICE_A).directorate_id
    before = count(Office)
    response = client.post("/admin/services/new/", data={"code": "FR12345", "name": "Nouveau bureau",
                                                         "city": "Pau", "directorate": directorate})
    assert response.status_code == 200
    assert _message_beside(response, "code") == [
        "Le code du service est « FR » suivi de 6 lettres majuscules ou chiffres (référence COL, ex. FR000600)."]
    assert count(Office) == before


def test_admin_creates_office_with_a_valid_code(factory, admin, login):
    client = login(admin)
    directorate = factory.office(OFFICE_A).directorate_id
    response = client.post("/admin/services/new/", data={"code": "fr0064a0", "name": "Pau bureau", "city": "Pau",
                                                         "directorate": directorate})
    assert response.status_code == 302
    office = db.session.scalar(select(Office).where(Office.code == "FR0064A0"))
    assert office.name == "Pau bureau" and office.directorate_id == directorate


def test_admin_creates_an_officer_with_an_initial_password_who_can_log_in(factory, admin, login, client):
    office = factory.office(OFFICE_A)
    client = login(admin)
    response = client.post("/admin/comptes/new/", data={
        "username": "mdupont", "email": "M.Dupont@douane.gouv.fr", "first_name": "Marc", "last_name": "Dupont",
        "role": "officer", "office": office.id, "is_enabled": "y", "password": NEW_PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    user = db.session.scalar(select(User).where(User.username == "mdupont"))
    assert user.role == Role.OFFICER and user.office_id == office.id and user.email == "m.dupont@douane.gouv.fr"
    assert user.activated_at is not None
    assert check_password(user.password_hash, NEW_PASSWORD)
    assert login(user, NEW_PASSWORD).get("/admin/").status_code == 302


def test_account_forms_refuse_a_weak_or_missing_initial_password(admin, login):
    client = login(admin)
    data = {"username": "faible", "email": "faible@douane.gouv.fr", "first_name": "F", "last_name": "Aible",
            "role": "operator", "is_enabled": "y"}
    response = client.post("/admin/comptes/new/", data={**data, "password": "motdepasse"})
    assert "Il doit être composé d'au moins 8 caractères" in _message_beside(response, "password")[0]
    response = client.post("/admin/comptes/new/", data=data)
    assert _message_beside(response, "password") == ["Indiquez le mot de passe initial du compte."]
    assert db.session.scalar(select(User).where(User.username == "faible")) is None


def test_officer_account_needs_an_office_and_supervisor_supervised_offices(admin, login):
    client = login(admin)
    data = {"username": "agent", "email": "agent@douane.gouv.fr", "first_name": "A", "last_name": "Gent",
            "is_enabled": "y", "password": NEW_PASSWORD}
    response = client.post("/admin/comptes/new/", data={**data, "role": "officer"})
    assert _message_beside(response, "office") == ["Un agent des douanes doit être rattaché à un service."]
    response = client.post("/admin/comptes/new/", data={**data, "role": "supervisor"})
    assert _message_beside(response, "supervised_offices") == ["Un superviseur doit superviser au moins un service."]


def test_account_pages_never_show_a_password_hash(factory, admin, login):
    user = factory.officer(OFFICE_A)
    client = login(admin)
    for url in ("/admin/comptes/", f"/admin/comptes/edit/?id={user.id}", "/admin/comptes/new/"):
        html = page(client.get(url))
        assert user.password_hash not in html and admin.password_hash not in html
        assert "password_hash" not in html
    edit = parse(page(client.get(f"/admin/comptes/edit/?id={user.id}")))
    assert next(n for n in edit.iter() if n.attrs.get("name") == "password").attrs.get("value", "") == ""


def test_editing_an_account_keeps_its_password_unless_a_new_one_is_typed(factory, admin, login):
    user = factory.officer(OFFICE_A)
    old_hash = user.password_hash
    client = login(admin)
    data = {"username": user.username, "email": user.email, "first_name": "Paul", "last_name": user.last_name,
            "role": "officer", "office": user.office_id, "is_enabled": "y", "password": ""}
    assert client.post(f"/admin/comptes/edit/?id={user.id}", data=data).status_code == 302
    db.session.expire_all()
    user = db.session.get(User, user.id)
    assert user.first_name == "Paul" and user.password_hash == old_hash
    assert client.post(f"/admin/comptes/edit/?id={user.id}",
                       data={**data, "password": NEW_PASSWORD}).status_code == 302
    db.session.expire_all()
    assert check_password(db.session.get(User, user.id).password_hash, NEW_PASSWORD)


def test_administrator_cannot_demote_or_disable_their_own_account(admin, login):
    client = login(admin)
    data = {"username": admin.username, "email": admin.email, "first_name": admin.first_name,
            "last_name": admin.last_name, "role": "operator", "is_enabled": "y"}
    response = client.post(f"/admin/comptes/edit/?id={admin.id}", data=data)
    assert _message_beside(response, "role") == ["Vous ne pouvez pas retirer votre propre rôle d'administrateur."]
    db.session.expire_all()
    assert db.session.get(User, admin.id).role == Role.ADMIN


def test_admin_certifies_a_representative_for_a_client_company(factory, admin, login):
    representative = factory.user(Role.REPRESENTATIVE)
    client_company = factory.company(name="Client du représentant")
    client = login(admin)
    lookup = client.get("/admin/habilitations/ajax/lookup/", query_string={"name": "company", "query": "Client du"})
    assert lookup.status_code == 200 and [c[0] for c in lookup.get_json()] == [client_company.id]
    users = client.get("/admin/habilitations/ajax/lookup/", query_string={"name": "user", "query": admin.username})
    assert users.get_json() == []  # only operators and representatives are offered
    response = client.post("/admin/habilitations/new/", data={"user": representative.id,
                                                              "company": client_company.id, "on_behalf": "y"})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    certification = db.session.scalar(select(Certification).where(Certification.user_id == representative.id))
    assert certification.company_id == client_company.id and certification.on_behalf is True
    listed = client.get("/admin/habilitations/", query_string={"search": "Client du représentant"})
    assert cells(listed, "company") == [str(client_company)]


def test_admin_deletes_the_ticked_certifications_and_only_those(factory, admin, login):
    kept, removed = factory.operator(), factory.operator()
    removed_id = db.session.scalar(select(Certification.id).where(Certification.user_id == removed.id))
    client = login(admin)

    response = client.post("/admin/habilitations/action/", data={"action": "delete", "rowid": [str(removed_id)]})

    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.scalars(select(Certification.user_id).where(
        Certification.user_id.in_([kept.id, removed.id]))).all() == [kept.id]


def test_only_a_representative_acts_on_behalf_of_a_client(factory, admin, login):
    operator = factory.operator()
    company = factory.company()
    client = login(admin)
    response = client.post("/admin/habilitations/new/", data={"user": operator.id, "company": company.id,
                                                              "on_behalf": "y"})
    assert response.status_code == 200
    assert _message_beside(response, "user") == ["Seul un représentant en douane agit pour le compte d'un client."]
    assert db.session.scalar(select(Certification).where(Certification.company_id == company.id)) is None


def test_company_form_checks_eori_and_country(admin, login):
    client = login(admin)
    data = {"eori": "12345", "name": "Société test", "address": "1 rue", "postcode": "64000", "city": "Pau",
            "country": "ZZ"}
    response = client.post("/admin/societes/new/", data=data)
    assert _message_beside(response, "eori")[0].startswith("Le numéro EORI commence par le code pays")
    assert _message_beside(response, "country") == ["Indiquez le code ISO du pays à deux lettres (ex. FR)."]
    response = client.post("/admin/societes/new/", data={**data, "eori": "fr73282932000074", "country": "fr"})
    assert response.status_code == 302
    assert db.session.scalar(select(Company).where(Company.eori == "FR73282932000074")).country == "FR"


def test_admin_edits_directorates_and_preferential_relations(admin, login):
    client = login(admin)
    assert client.post("/admin/directions/new/", data={"name": "DR de Pau"}).status_code == 302
    assert db.session.scalar(select(Directorate).where(Directorate.name == "DR de Pau")) is not None
    data = {"code": "test", "label": "Accord de test", "partners": "jp  gb", "rex_since": "2024-01-01"}
    assert client.post("/admin/relations/new/", data=data).status_code == 302
    relation = db.session.get(PreferentialRelation, "TEST")
    assert relation.partners == "JP GB"
    response = client.post("/admin/relations/new/", data={**data, "code": "TEST2", "partners": "JP XX"})
    assert _message_beside(response, "partners") == ["Codes pays ISO inconnus : XX."]


def test_tariff_headings_are_read_only_and_searchable_by_code_and_description(admin, login):
    client = login(admin)
    assert cells(client.get("/admin/positions/", query_string={"search": "3923"}), "code") == ["3923"]
    found = cells(client.get("/admin/positions/", query_string={"search": "stoppers, lids"}), "code")
    assert "3923" in found
    heading = db.session.get(TariffHeading, "3923")
    description = heading.description
    before = count(TariffHeading)
    assert client.get("/admin/positions/new/").status_code == 403
    assert client.post("/admin/positions/new/", data={"code": "9999", "chapter": "99",
                                                      "description": "x"}).status_code == 403
    assert client.post("/admin/positions/edit/?id=3923", data={"description": "x"}).status_code == 403
    assert client.post("/admin/positions/delete/", data={"id": "3923"}).status_code == 403
    assert count(TariffHeading) == before
    db.session.expire_all()
    assert db.session.get(TariffHeading, "3923").description == description


def test_a_bulk_action_post_on_the_accounts_list_never_fails(admin, login):
    """Flask-Admin builds its action form on the accounts' form class: its cross-field rules must not run there."""
    response = login(admin).post("/admin/comptes/action/", data={"action": "delete", "rowid": ["1"]})
    assert response.status_code in (302, 303, 400), response.status_code
