"""EORI files on the instruction page (their own sections, 'Attribuer le numéro EORI'), the company page that
a grant creates, and the invalidation of the number from it (DA Art. 7)."""
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Certification, Company, Registration, Role
from app.models._time import utcnow
from tests.backoffice.helpers import OFFICE_A, OFFICE_B, emails, error_beside, events, fresh, login_redirect, text_of
from tests.eori_helpers import EORI_NUMBER, NAME, SIREN, SIRET, submitted_eori
from tests.operator.html import parse


@pytest.fixture
def eori_file(factory):
    """An EORI application under review at office A, filed by an operator who acts for no company yet."""
    applicant = factory.user(Role.OPERATOR)
    application = submitted_eori(applicant, factory.office(OFFICE_A))
    return {"applicant": applicant, "application_id": application.id, "officer": factory.officer(OFFICE_A)}


def grant(client, application_id):
    return client.post(f"/admin/dossier/{application_id}/octroyer",
                       data={"version": str(fresh(application_id).version)})


def company_by_eori(number) -> Company | None:
    db.session.expire_all()
    return db.session.scalar(select(Company).where(Company.eori == number))


@pytest.fixture
def granted_company(eori_file, login):
    """The company the grant created, and the officer's client (logged in)."""
    client = login(eori_file["officer"])
    assert grant(client, eori_file["application_id"]).status_code == 302
    return client, company_by_eori(EORI_NUMBER)


def invalidate(client, company_id, **data):
    return client.post(f"/admin/operateur/{company_id}/invalider", data=data)


# --- the instruction page of an EORI file ----------------------------------------------------------

def test_instruction_page_shows_the_eori_sections_instead_of_the_rex_ones(eori_file, login):
    client = login(eori_file["officer"])

    response = client.get(f"/admin/dossier/{eori_file['application_id']}")

    assert response.status_code == 200
    text = text_of(response)
    assert f"Numéro EORI demandé : {EORI_NUMBER}" in text
    for expected in ("Type de numéro", "EORI-SIRET : FR suivi du SIRET", "Identité",
                     "Personne morale", NAME, "5710", "02/03/2015", SIREN, SIRET, "FR44732829320", "46.90Z",
                     "4 quai Maurice Ravel", "Ciboure", "Personne à contacter", "Maite Etcheverry",
                     "Consentement à la publication", "Déclarations",
                     "Je déclare ne pas détenir de numéro EORI dans un autre État membre"):
        assert expected in text, expected
    for rex_only in ("Marchandises admissibles", "Relation(s) préférentielle(s)", "Activité principale"):
        assert rex_only not in text, rex_only
    button = next(b for b in parse(response.data).find_all("button") if b.text() == "Attribuer le numéro EORI")
    assert button.attrs["data-confirm"].startswith(f"Attribuer le numéro EORI {EORI_NUMBER} à {NAME} ?")
    assert "Octroyer" not in [b.text() for b in parse(response.data).find_all("button")]


def test_granting_from_the_instruction_page_creates_the_company_and_certifies_the_applicant(eori_file, login):
    client = login(eori_file["officer"])
    application_id = eori_file["application_id"]

    response = grant(client, application_id)

    assert response.status_code == 302
    company = company_by_eori(EORI_NUMBER)
    assert company is not None
    assert (company.name, company.siret, company.siren, company.office_id, company.eori_granted_on) == (
        NAME, SIRET, SIREN, fresh(application_id).office_id, utcnow().date())
    assert company.eori_publication_consent is True
    certification = db.session.scalar(select(Certification).where(Certification.company_id == company.id))
    assert (certification.user_id, certification.on_behalf) == (eori_file["applicant"].id, False)
    [event] = events(application_id, "eori_granted")
    assert (event.actor_id, event.comment) == (eori_file["officer"].id, EORI_NUMBER)
    [email] = emails("eori_granted")
    assert email.recipient == "contact@ciboure.example.com"
    assert EORI_NUMBER in email.body

    page = client.get(f"/admin/dossier/{application_id}")
    assert f"Numéro EORI attribué : {EORI_NUMBER}" in text_of(page)
    link = parse(page.data).find("a", href=f"/admin/operateur/{company.id}")
    assert link is not None and link.text() == "Voir la fiche de l'opérateur"


# --- the company page ------------------------------------------------------------------------------

def test_company_page_shows_the_number_its_accounts_registrations_and_the_eori_file(
        granted_company, eori_file, factory):
    client, company = granted_company
    officer_b = factory.officer(OFFICE_B)
    factory.granted(eori_file["applicant"], officer_b, company)  # its REX registration, filed with office B
    registration_id = db.session.scalar(select(Registration.id).where(Registration.company_id == company.id))

    response = client.get(f"/admin/operateur/{company.id}")

    assert response.status_code == 200
    text = text_of(response)
    for expected in (NAME, EORI_NUMBER, f"SIREN {SIREN}", f"SIRET {SIRET}", "Bordeaux",
                     f"Numéro attribué le {utcnow().date():%d/%m/%Y}", "Publication des données autorisée Oui",
                     "Statut Valide", eori_file["applicant"].full_name, eori_file["applicant"].email,
                     "Opérateur", f"FRREX{EORI_NUMBER}"):
        assert expected in text, expected
    assert "Données conservées" not in text
    doc = parse(response.data)
    assert doc.find("a", href=f"/admin/autorisation/{registration_id}") is not None
    assert doc.find("a", href=f"/admin/dossier/{eori_file['application_id']}") is not None
    assert doc.find("select", name="reason") is not None
    assert doc.find("input", name="on").attrs["value"] == utcnow().date().isoformat()


@pytest.mark.parametrize("who, expected", [("officer_b", 404), ("supervisor_b", 404), ("operator", 403)])
def test_company_page_of_another_office_is_not_found(granted_company, factory, login, who, expected):
    _, company = granted_company
    user = {"officer_b": lambda: factory.officer(OFFICE_B),
            "supervisor_b": lambda: factory.user(Role.SUPERVISOR, supervised=[factory.office(OFFICE_B)]),
            "operator": lambda: factory.operator(company)}[who]()
    client = login(user)

    assert client.get(f"/admin/operateur/{company.id}").status_code == expected
    response = invalidate(client, company.id, reason="ceased", comment="Radiée du RCS.")
    assert response.status_code == expected
    assert company_by_eori(EORI_NUMBER).eori_invalidated_on is None


def test_company_page_asks_an_anonymous_user_to_log_in(granted_company, client):
    _, company = granted_company
    client.post("/deconnexion")
    assert login_redirect(client.get(f"/admin/operateur/{company.id}"))


def test_company_known_before_the_service_is_readable_but_no_office_invalidates_it(factory, login):
    company = factory.company()
    client = login(factory.officer(OFFICE_A))

    response = client.get(f"/admin/operateur/{company.id}")

    assert response.status_code == 200
    assert parse(response.data).find("select", name="reason") is None
    assert invalidate(client, company.id, reason="ceased", comment="Radiée.").status_code == 404


# --- invalidation ----------------------------------------------------------------------------------

def test_invalidation_records_history_sends_the_email_and_the_register_answers_invalid(
        granted_company, eori_file):
    client, company = granted_company
    on = utcnow().date() - timedelta(days=3)

    response = invalidate(client, company.id, reason="ceased", on=on.isoformat(),
                          comment="Cessation d'activité constatée au BODACC.")

    assert response.status_code == 302
    company = company_by_eori(EORI_NUMBER)
    assert (company.eori_invalidated_on, company.eori_invalidation_reason) == (on, "ceased")
    [event] = events(eori_file["application_id"], "eori_invalidated")
    assert event.actor_id == eori_file["officer"].id
    assert "Cessation de l'activité" in event.comment and "BODACC" in event.comment
    [email] = emails("eori_invalidated")
    assert email.recipient == company.email

    page = text_of(client.get(f"/admin/operateur/{company.id}"))
    assert f"Invalidé le {on:%d/%m/%Y} (Cessation de l'activité)" in page
    assert f"Données conservées jusqu'au 31/12/{on.year + 10}" in page
    assert "Invalider le numéro EORI" not in page

    client.post("/deconnexion")
    public = client.get(f"/api/public/eori/{EORI_NUMBER}")
    assert (public.status_code, public.json) == (200, {"number": EORI_NUMBER, "status": "invalid",
                                                       "invalidated_on": on.isoformat()})


@pytest.mark.parametrize("data, field, message", [
    ({"reason": "", "comment": "Radiée."}, "reason", "Choisissez le motif de l'invalidation."),
    ({"reason": "ceased", "comment": "  "}, "comment", "Le commentaire de l'invalidation est obligatoire."),
    ({"reason": "ceased", "comment": "Radiée\x00 du RCS."}, "comment", "Ce champ contient un caractère non autorisé"),
    ({"reason": "ceased", "comment": "Radiée.", "on": (date.today() + timedelta(days=2)).isoformat()}, "on",
     "La date d'invalidation ne peut pas être dans le futur."),
    ({"reason": "ceased", "comment": "Radiée.", "on": "31/02/2026"}, "on", "Date invalide"),
])
def test_invalidation_errors_are_shown_beside_their_field(granted_company, data, field, message):
    client, company = granted_company

    response = invalidate(client, company.id, **data)

    assert response.status_code == 422
    assert error_beside(response, field).startswith(message)
    assert parse(response.data).find("textarea", name="comment").text() == data["comment"].strip()  # what was typed is kept
    assert company_by_eori(EORI_NUMBER).eori_invalidated_on is None
    assert emails("eori_invalidated") == []
