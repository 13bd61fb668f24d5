"""The holder's registration page and « Mes autorisations » (seed guide 7.1, 7.3)."""
import pytest
from sqlalchemy import event, func, select

from app import workflow
from app.extensions import db
from app.models import HistoryEvent, Registration, RegistrationStatus, RevocationGround, User
from app.workflow import hearing, registrations
from tests.hearing_helpers import revoke_after_hearing
from tests.operator.html import errors_beside, page_text, parse, value_of
from tests.operator.registration_helpers import (  # noqa: F401  (holder is a fixture)
    Holder, holder, new_version, reload, submitted_modification,
)

R = RegistrationStatus
REVOCATION = "Le titulaire a cessé son activité d'exportation."


def _buttons(doc) -> list[str]:
    return [b.text() for b in doc.find_all("button")]


def _links(doc) -> dict[str, str]:
    return {a.text(): a.attrs.get("href") for a in doc.find_all("a")}


def _section_text(doc, element_id) -> str:
    node = doc.find(id=element_id)
    assert node is not None, element_id
    return node.text()


def _revoke(holder, ground=RevocationGround.NO_LONGER_EXPORTS):
    return revoke_after_hearing(holder.officer, holder.registration, ground.value, REVOCATION)


# --- the page, per status ---------------------------------------------------------------------------

def test_granted_registration_shows_its_dates_status_office_and_the_holders_actions(client, login, holder):
    login(holder.operator)
    registration = holder.registration
    doc = parse(client.get(holder.url).data)
    text = doc.text()

    assert doc.find("h1").text() == f"Autorisation {registration.number}"
    assert _links(doc)["Voir la demande à l'origine de cette autorisation"] == \
        f"/rex/demandes/{registration.application_id}"
    today = registration.registered_on.strftime("%d/%m/%Y")
    assert f"Octroyée le {today} - Dernière modification le {today}" in text
    assert f"Octroyée , affectée à {registration.office.name}" in text
    assert _links(doc)["Imprimer l'autorisation"] == f"{holder.url}/certificat.pdf"
    assert "Demander des modifications de cet enregistrement" in _buttons(doc)
    assert "Demander la radiation" in _buttons(doc)
    assert "Dupliquer" not in _buttons(doc)
    assert doc.find("details", class_="versions") is None  # one version: no selector
    assert "Autorisation octroyée" in _section_text(doc, "historique")
    assert "Historique de l'autorisation" in _section_text(doc, "historique")
    assert value_of(doc, "body") == ""  # the thread's message form


def test_revoked_registration_shows_the_date_and_ground_and_offers_only_duplicate(client, login, holder):
    _revoke(holder)
    login(holder.operator)
    doc = parse(client.get(holder.url).data)
    text = doc.text()

    revoked_on = reload(Registration, holder.registration.id).revoked_on.strftime("%d/%m/%Y")
    assert (f"Révoquée le {revoked_on} : L'exportateur a déclaré ne plus avoir l'intention d'exporter sous le "
            "régime préférentiel") in text
    assert "Enregistrement révoqué" in _section_text(doc, "historique")
    assert "Dupliquer" in _buttons(doc)
    assert "Demander des modifications de cet enregistrement" not in _buttons(doc)
    assert "Demander la radiation" not in _buttons(doc)
    assert "Envoyer" in _buttons(doc)  # the thread stays open (guide 7.3)


def test_holder_duplicates_the_application_of_a_revoked_registration(client, login, holder):
    _revoke(holder)
    login(holder.operator)
    action = f"/rex/demandes/{holder.registration.application_id}/dupliquer"
    form = parse(client.get(holder.url).data).find("form", action=action)
    assert form is not None

    response = client.post(form.attrs["action"])

    assert response.status_code == 302 and response.location.endswith("/formulaire")
    assert "a été créée à partir d'un duplicata" in page_text(client.get(response.location))


def test_holder_writes_in_the_thread_of_a_revoked_registration(client, login, holder):
    _revoke(holder)
    login(holder.operator)

    response = client.post(f"{holder.url}/message", data={"body": "Nous reprenons nos exportations vers le Japon."})

    assert response.status_code == 302 and response.location.endswith(f"{holder.url}#fil")
    doc = parse(client.get(holder.url).data)
    assert "Nous reprenons nos exportations vers le Japon." in _section_text(doc, "fil")
    assert "Message ajouté au fil de discussion" in _section_text(doc, "historique")
    assert reload(Registration, holder.registration.id).status == R.REVOKED


def test_empty_message_is_refused_beside_the_message_field(client, login, holder):
    login(holder.operator)

    response = client.post(f"{holder.url}/message", data={"body": "  "})

    assert response.status_code == 422
    assert errors_beside(parse(response.data), "body") == ["Votre message est vide."]


def test_holder_requests_deregistration_with_a_reason(client, login, holder):
    login(holder.operator)

    response = client.post(f"{holder.url}/radiation", data={"reason": "Nous n'exportons plus."})

    assert response.status_code == 302
    doc = parse(client.get(response.location).data)
    text = doc.text()
    assert "Votre demande de radiation a été transmise au service." in text
    assert "Radiation de l'enregistrement demandée le" in text
    assert "Nous n'exportons plus." in _section_text(doc, "historique")
    assert "Demander la radiation" not in _buttons(doc)  # asked once
    assert reload(Registration, holder.registration.id).status == R.GRANTED  # an officer confirms


def test_deregistration_without_a_reason_is_refused_beside_the_field(client, login, holder):
    login(holder.operator)

    response = client.post(f"{holder.url}/radiation", data={"reason": "   "})

    assert response.status_code == 422
    doc = parse(response.data)
    assert errors_beside(doc, "reason") == ["Indiquez pourquoi vous demandez la radiation."]
    assert "open" in doc.find("details", id="radiation").attrs
    assert reload(Registration, holder.registration.id).deregistration_requested_at is None


def test_another_companys_operator_gets_404_on_every_registration_route(client, login, factory, holder):
    login(factory.operator())
    events_before = db.session.scalar(select(func.count()).select_from(HistoryEvent))

    assert client.get(holder.url).status_code == 404
    for action in ("modification", "radiation", "message"):
        assert client.post(f"{holder.url}/{action}", data={"reason": "x", "body": "x"}).status_code == 404
    assert client.get("/rex/autorisations/999999").status_code == 404
    assert db.session.scalar(select(func.count()).select_from(HistoryEvent)) == events_before
    assert registrations.pending_modification(holder.registration) is None


# --- versions ---------------------------------------------------------------------------------------

def test_version_selector_lists_every_version_current_first(app, client, login, holder):
    version = new_version(holder)
    first = reload(Registration, holder.registration.id)
    login(holder.operator)
    doc = parse(client.get(f"/rex/autorisations/{version.id}").data)

    selector = doc.find("details", class_="versions")
    assert selector is not None
    stamp = app.jinja_env.filters["datetime_fr"]  # « 15/09/2022 - 11:40:56 », in the office's time zone
    assert [li.text() for li in selector.find_all("li")] == [
        f"Version du {stamp(version.created_at)} Octroyée", f"Version du {stamp(first.created_at)} Version antérieure"]
    assert [a.attrs["href"] for a in selector.find_all("a")] == [f"/rex/autorisations/{version.id}", holder.url]
    assert selector.find("summary").text() == f"Version du {stamp(version.created_at)}"
    assert "Nouvelle version de l'autorisation après modification" in _section_text(doc, "historique")
    assert "Bouchon plastique" in doc.text()


def test_superseded_version_is_read_only(client, login, holder):
    version = new_version(holder)
    login(holder.operator)
    doc = parse(client.get(holder.url).data)
    text = doc.text()

    assert "Version antérieure" in text
    assert "conservée en lecture seule" in text
    assert _links(doc)["Voir la dernière version"] == f"/rex/autorisations/{version.id}"
    assert "Modification de l'enregistrement validée" in _section_text(doc, "historique")
    assert _buttons(doc) == ["Rechercher", "Me déconnecter"]  # the header's only: no action, no message form
    assert "Bouchon plastique" not in text  # the content of that version


# --- « Mes autorisations » --------------------------------------------------------------------------

def _rows(response) -> list[list[str]]:
    table = parse(response.data).find("table")
    return [[td.text() for td in tr.find_all("td")] for tr in table.find("tbody").find_all("tr")]


def test_mes_autorisations_lists_superseded_versions_after_an_officer_validation(client, login, holder):
    new_version(holder)
    login(holder.operator)

    response = client.get("/rex/autorisations")

    headers = [th.text() for th in parse(response.data).find("thead").find_all("th")]
    assert headers == ["N° autorisation", "Affectée à", "Type", "Octroyée le", "Dernière mise à jour", "Statut",
                       "Temps restant"]
    number, office = holder.registration.number, holder.registration.office.name
    assert [[r[0], r[1], r[2], r[5], r[6]] for r in _rows(response)] == [
        [number, office, "REX", "Octroyée", ""],
        [number, office, "REX", "Version antérieure", ""]]
    assert "2 autorisations (en vigueur ou non)" in page_text(response)
    only_former = _rows(client.get("/rex/autorisations?statut=superseded"))
    assert [r[5] for r in only_former] == ["Version antérieure"]


def test_mes_autorisations_shows_the_time_left_of_an_incomplete_modification_request(client, login, holder):
    modification = submitted_modification(holder)
    workflow.request_information(holder.officer, modification, "Précisez la composition des bouchons.")
    login(holder.operator)

    [row] = _rows(client.get("/rex/autorisations"))

    assert row[5] == "Modification demandée"
    assert row[6] in ("29 jours", "30 jours")


def test_mes_autorisations_reads_its_rows_in_a_constant_number_of_queries(client, login, factory, holder):
    # Another account: four holders in four offices, five versions, three modification requests waiting.
    busy = factory.user(companies=[factory.company() for _ in range(4)])
    first = workflow.grant(holder.officer, factory.submitted(busy, busy.certifications[0].company))
    new_version(Holder(busy, holder.officer, first.company, first))
    for certification, office in zip(busy.certifications[1:], ("FR002300", "FR000610", "FR000720")):
        officer = factory.officer(office)
        registration = workflow.grant(officer, factory.submitted(busy, certification.company, office))
        modification = submitted_modification(Holder(busy, officer, certification.company, registration))
        workflow.request_information(officer, modification, "Précisez.")
    accounts = {"one": holder.operator.id, "busy": busy.id}

    def statements(user_id: int) -> tuple[int, list[str]]:
        """The page's statements, but the login's (whether the account is reloaded depends on the session)."""
        login(db.session.get(User, user_id))
        seen = []
        db.session.expunge_all()  # the test shares the requests' session: nothing may come from its identity map
        listener = lambda *args: seen.append(args[2])  # noqa: E731  (conn, cursor, statement, ...)
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            response = client.get("/rex/autorisations")
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len(_rows(response)), [s for s in seen if not s.startswith("SELECT user.")]

    one_rows, one = statements(accounts["one"])
    busy_rows, busy_statements = statements(accounts["busy"])

    assert (one_rows, busy_rows) == (1, 5)
    assert len(busy_statements) == len(one), busy_statements
    assert len([s for s in busy_statements if "FROM registration" in s]) == 1


@pytest.mark.parametrize("status", ["", "granted", "unknown"])
def test_mes_autorisations_filters_by_status_and_ignores_unknown_values(client, login, holder, status):
    login(holder.operator)
    assert client.get(f"/rex/autorisations?statut={status}").status_code == 200


@pytest.mark.parametrize("holder_filter", ["2147483648", "99999999999999999999", "-1", "abc"])
def test_mes_autorisations_ignores_a_holder_filter_that_is_not_one_of_the_accounts_companies(
        client, login, factory, holder, holder_filter):
    factory.company()  # a company the account does not act for
    login(holder.operator)
    response = client.get(f"/rex/autorisations?titulaire={holder_filter}")
    assert response.status_code == 200
    assert len(_rows(response)) == 1  # every registration of the account, as without the filter


def test_mes_autorisations_filters_by_one_of_the_accounts_companies(client, login, factory, holder):
    login(holder.operator)
    assert len(_rows(client.get(f"/rex/autorisations?titulaire={holder.company.id}"))) == 1


# --- the right to be heard (issue 17) -----------------------------------------------------------------

def test_holder_reads_the_intended_revocation_and_an_empty_answer_is_refused_beside_the_field(client, login,
                                                                                             holder):
    hearing.notify_revocation_intent(holder.officer, holder.registration, "conditions_not_met",
                                     "Les sacs sont fabriqués hors de l'Union.")
    login(holder.operator)
    doc = parse(client.get(holder.url).data)
    banner = _section_text(doc, "revocation-envisagee")
    assert "Révocation envisagée" in banner and "Les sacs sont fabriqués hors de l'Union." in banner
    assert "Présenter mes observations" in _buttons(doc)

    response = client.post(f"{holder.url}/observations", data={"answer": "  "})
    assert response.status_code == 422
    assert errors_beside(parse(response.data), "answer") == ["Vos observations sont vides."]
    assert reload(Registration, holder.registration.id).hearing_answered_at is None

    response = client.post(f"{holder.url}/observations", data={"answer": "Nous assemblons à Hasparren."})
    assert response.status_code == 302
    doc = parse(client.get(holder.url).data)
    assert "Vous avez présenté vos observations" in _section_text(doc, "revocation-envisagee")
    assert "Présenter mes observations" not in _buttons(doc)
