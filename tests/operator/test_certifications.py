"""'Mes habilitations' (guide 3.2.3): the companies an account acts for, its requests and their decisions, the
request form; and the gate itself: no certification, no file of the company."""
import pytest
from sqlalchemy import select

from app import workflow
from app.extensions import db
from app.models import Application, CertificationRequest, CertificationStatus, HistoryEvent, OutboxEmail, Role
from app.workflow import certifications
from tests.backoffice.helpers import text_of
from tests.operator.helpers import form_data, reload
from tests.operator.html import parse

PAGE = "/rex/habilitations"


@pytest.fixture
def company(factory):
    """A company whose number office FR000600 granted."""
    return factory.company(name="Maroquinerie Zyxwv", siret="73282932000074", siren="732829320",
                           office_id=factory.office("FR000600").id)


@pytest.fixture
def newcomer(factory):
    """A signed-up operator account certified for nothing yet."""
    return factory.user(Role.OPERATOR)


def requests_of(user) -> list[CertificationRequest]:
    db.session.expire_all()
    return list(db.session.scalars(select(CertificationRequest).where(CertificationRequest.user_id == user.id)))


def ask(client, **data):
    return client.post(PAGE, data={"identifier": "", "office_id": "", "comment": "", **data})


def test_page_opens_for_an_account_certified_for_nothing(newcomer, login):
    response = login(newcomer).get(PAGE)

    assert response.status_code == 200
    text = text_of(response)
    assert "Vous n'êtes encore habilité pour aucun opérateur." in text
    assert "Aucune demande d'habilitation." in text
    doc = parse(response.data)
    for label in ("Numéro EORI ou SIRET de l'opérateur", "Service", "Commentaire"):
        assert any(node.text().startswith(label) for node in doc.find_all("label")), label
    assert doc.find("a", href=PAGE).text() == "Mes habilitations"


def test_page_lists_certifications_and_requests_with_their_status(factory, company, login):
    own, client_company = factory.company(name="Transit Qwzyx"), factory.company(name="Client Vbnm")
    representative = factory.user(Role.REPRESENTATIVE, companies=[own], clients=[client_company])
    officer = factory.officer()
    refused_company = factory.company(name="Refus Plkj", office_id=officer.office_id)
    certifications.request_certification(representative, company.eori)
    refused = certifications.request_certification(representative, refused_company.eori)
    certifications.refuse(officer, refused, "Mandat de représentation absent.")

    response = login(representative).get(PAGE)

    doc = parse(response.data)
    certified = doc.find("section", id="habilitations").text()
    assert "Transit Qwzyx" in certified and own.eori in certified
    assert "Client Vbnm" in certified and "pour le compte d'un client" in certified
    requests = doc.find("section", id="demandes").text()
    # Requests not granted name the company by the number typed: the account does not act for it.
    assert company.eori in requests and "Bordeaux" in requests and "En attente" in requests
    assert refused_company.eori in requests and "Refusée" in requests and "Mandat de représentation absent." in requests
    assert "Maroquinerie Zyxwv" not in response.get_data(as_text=True)
    assert "Refus Plkj" not in response.get_data(as_text=True)


def test_a_request_by_siret_goes_to_the_companys_office(newcomer, company, login):
    client = login(newcomer)

    response = ask(client, identifier="732 829 320 00074", comment="Nouvelle gérante.")

    assert response.status_code == 302 and response.headers["Location"].endswith(PAGE)
    [request] = requests_of(newcomer)
    assert (request.company_id, request.office_id, request.status, request.comment, request.on_behalf) == (
        company.id, company.office_id, CertificationStatus.PENDING, "Nouvelle gérante.", False)
    [event] = db.session.scalars(select(HistoryEvent).where(HistoryEvent.certification_request_id == request.id))
    assert (event.kind, event.actor_id) == ("certification_requested", newcomer.id)
    page = client.get(PAGE)
    assert f"Votre demande d'habilitation pour {company.eori} est transmise au service" in text_of(page)
    assert "Maroquinerie Zyxwv" not in page.get_data(as_text=True)
    assert "En attente" in parse(page.data).find("section", id="demandes").text()


def test_a_company_without_office_needs_the_chosen_one(newcomer, factory, login):
    legacy = factory.company(name="Ancienne Société")  # known before the service: no office
    office = factory.office("FR002300")
    client = login(newcomer)

    response = ask(client, identifier=legacy.eori)
    assert response.status_code == 422
    assert error_beside_field(response, "office_id") == "Choisissez le service auquel adresser votre demande."

    assert ask(client, identifier=legacy.eori, office_id=str(office.id)).status_code == 302
    assert requests_of(newcomer)[0].office_id == office.id


def test_the_chosen_office_is_ignored_when_the_company_has_one(newcomer, company, factory, login):
    other = factory.office("FR002300")
    assert ask(login(newcomer), identifier=company.eori, office_id=str(other.id)).status_code == 302
    assert requests_of(newcomer)[0].office_id == company.office_id


def error_beside_field(response, name) -> str:
    """The message right after the control, as the operator pages render it (p.error inside div.field)."""
    doc = parse(response.data)
    control = next(n for n in doc.iter() if n.attrs.get("name") == name and n.tag in ("input", "select", "textarea"))
    assert control.attrs.get("aria-invalid") == "true"
    field = control.parent
    assert "has-error" in field.classes
    return " ".join(p.text() for p in field.find_all("p", class_="error"))


@pytest.mark.parametrize("case", ["unknown", "empty", "already_certified", "pending_twice"])
def test_request_errors_are_beside_the_number_and_keep_the_input(case, newcomer, company, factory, login):
    user = newcomer
    identifier = {"unknown": "FR404833048", "empty": ""}.get(case, company.eori)
    if case == "already_certified":
        user = factory.operator(company)
    if case == "pending_twice":
        certifications.request_certification(user, company.eori)
    before = len(requests_of(user))
    client = login(user)

    response = ask(client, identifier=identifier, comment="Mon commentaire")

    assert response.status_code == 422
    expected = {
        "unknown": "Aucun opérateur connu de la douane ne détient ce numéro EORI ou SIRET.",
        "empty": "Saisissez le numéro EORI ou SIRET de l'opérateur.",
        "already_certified": "Vous êtes déjà habilité pour Maroquinerie Zyxwv.",
        "pending_twice": f"Une demande d'habilitation pour {company.eori} est déjà en cours.",
    }[case]
    assert error_beside_field(response, "identifier").startswith(expected)
    doc = parse(response.data)
    assert doc.find("input", name="identifier").attrs.get("value", "") == identifier
    assert doc.find("textarea", name="comment").text() == "Mon commentaire"
    assert len(requests_of(user)) == before


def test_a_company_that_consented_to_publication_is_named_to_the_requester(newcomer, company, login):
    company.eori_publication_consent = True
    db.session.commit()
    client = login(newcomer)

    ask(client, identifier=company.eori)

    page = text_of(client.get(PAGE))
    assert f"Votre demande d'habilitation pour Maroquinerie Zyxwv ({company.eori}) est transmise" in page


def test_no_answer_to_a_request_names_a_company_that_did_not_consent(newcomer, company, factory, login):
    """Asked by any signed-up account, for any number: the flash, the list, a second request and the
    refusal email give the number typed, never the name."""
    officer = factory.officer("FR000600")
    client = login(newcomer)
    pages = [ask(client, identifier=company.siret), client.get(PAGE), ask(client, identifier=company.eori)]
    certifications.refuse(officer, requests_of(newcomer)[0], "Mandat absent.")
    pages.append(client.get(PAGE))

    for response in pages:
        assert "Maroquinerie Zyxwv" not in response.get_data(as_text=True)
    [refusal] = db.session.scalars(select(OutboxEmail).where(OutboxEmail.template == "certification_refused"))
    assert "Maroquinerie Zyxwv" not in refusal.subject + refusal.body
    assert company.eori in refusal.subject and company.eori in refusal.body


def test_a_representatives_request_for_a_client_is_on_behalf(factory, company, login):
    representative = factory.user(Role.REPRESENTATIVE, companies=[factory.company(name="Transit Qwzyx")])

    assert ask(login(representative), identifier=company.eori).status_code == 302

    [request] = requests_of(representative)
    assert request.on_behalf is True


def test_officers_cannot_open_the_page(factory, login):
    assert login(factory.officer()).get(PAGE).status_code == 403


def _new_draft(client) -> Application | None:
    """'Déposer une demande' as the button posts it: the draft it created, if any."""
    response = client.post("/rex/deposer")
    if "/formulaire" not in response.headers.get("Location", ""):
        return None
    return reload(int(response.headers["Location"].split("/")[-2]))


def test_certification_gate_opens_the_companys_files_only_after_approval(newcomer, company, factory, login):
    officer = factory.officer()
    existing = factory.submitted(factory.operator(company), company, officer.office.code)
    client = login(newcomer)

    # Not certified: the company's file does not exist for this account, and no draft can be filed for it.
    assert client.get(f"/rex/demandes/{existing.id}").status_code == 404
    assert _new_draft(client) is None
    with pytest.raises(workflow.NotAllowed):
        workflow.create_draft(newcomer, company)
    request = certifications.request_certification(newcomer, company.eori)
    assert client.get(f"/rex/demandes/{existing.id}").status_code == 404  # a pending request opens nothing

    certifications.approve(officer, request)

    assert client.get(f"/rex/demandes/{existing.id}").status_code == 200
    assert _new_draft(client).company_id == company.id


def test_a_draft_cannot_name_a_company_the_account_is_not_certified_for(company, factory, login):
    officer = factory.officer()
    representative = factory.user(Role.REPRESENTATIVE, companies=[factory.company(name="Transit Qwzyx")],
                                  clients=[factory.company()])
    client = login(representative)
    draft = workflow.create_draft(representative)

    response = client.post(f"/rex/demandes/{draft.id}/formulaire",
                           data=form_data(company, officer.office, action="save"))

    assert response.status_code == 422
    assert reload(draft.id).company_id is None

    certifications.approve(officer, certifications.request_certification(representative, company.eori))
    response = client.post(f"/rex/demandes/{draft.id}/formulaire",
                           data=form_data(company, officer.office, action="save"))
    assert response.status_code == 302
    assert reload(draft.id).company_id == company.id
