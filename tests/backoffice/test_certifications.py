"""'Habilitations à traiter': officers of the company's office approve or refuse the requests of accounts to act
for it (guide 3.2.3), each decision with its history event and its email; other offices see nothing."""
import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Certification, CertificationRequest, CertificationStatus, HistoryEvent, Role
from app.workflow import certifications
from tests.backoffice.helpers import OFFICE_A, OFFICE_B, emails, error_beside, login_redirect, text_of
from tests.operator.html import parse

QUEUE = "/admin/habilitations-a-traiter/"


@pytest.fixture
def pending(factory):
    """An operator's request to act for a company of office A, with a comment."""
    company = factory.company(name="Maroquinerie Zyxwv", siret="73282932000074", siren="732829320",
                              office_id=factory.office(OFFICE_A).id)
    user = factory.user(Role.OPERATOR, first_name="Éloïse", last_name="Darrigrand", email="eloise@example.com")
    request = certifications.request_certification(user, company.eori, comment="Je suis la nouvelle gérante.")
    return {"request_id": request.id, "user": user, "company": company,
            "officer": factory.officer(OFFICE_A), "officer_b": factory.officer(OFFICE_B)}


def reread(request_id) -> CertificationRequest:
    db.session.expire_all()
    return db.session.get(CertificationRequest, request_id)


def history(request_id) -> list[HistoryEvent]:
    db.session.expire_all()
    return list(db.session.scalars(select(HistoryEvent).where(HistoryEvent.certification_request_id == request_id)
                                   .order_by(HistoryEvent.id)))


def certification_of(user, company):
    return db.session.scalar(select(Certification).where(Certification.user_id == user.id,
                                                         Certification.company_id == company.id))


def test_queue_lists_the_pending_requests_of_the_office_with_user_and_company(pending, factory, login):
    other_office_company = factory.company(name="Négoce Hors Service", office_id=factory.office(OFFICE_B).id)
    certifications.request_certification(factory.user(Role.OPERATOR), other_office_company.eori)
    client = login(pending["officer"])

    response = client.get(QUEUE)

    assert response.status_code == 200
    rows = list(parse(response.data).find_all("tr", class_="certification-request"))
    assert len(rows) == 1
    text = rows[0].text()
    for expected in ("Éloïse Darrigrand", "eloise@example.com", "Opérateur", "Maroquinerie Zyxwv",
                     pending["company"].eori, "73282932000074", "Je suis la nouvelle gérante.", "Accorder", "Refuser"):
        assert expected in text, expected
    assert "Négoce Hors Service" not in text_of(response)
    assert parse(response.data).find("a", href=f"/admin/operateur/{pending['company'].id}") is not None


def test_queue_is_in_the_officers_menu(pending, login):
    client = login(pending["officer"])
    menu = parse(client.get("/admin/a_traiter/").data)
    assert any(a.text() == "Habilitations à traiter" for a in menu.find_all("a", href=QUEUE))


def test_approving_certifies_the_account_records_history_and_emails_it(pending, login):
    client = login(pending["officer"])

    response = client.post(f"{QUEUE}{pending['request_id']}/accorder")

    assert response.status_code == 302
    request = reread(pending["request_id"])
    assert (request.status, request.decided_by_id) == (CertificationStatus.APPROVED, pending["officer"].id)
    certification = certification_of(pending["user"], pending["company"])
    assert certification is not None and certification.on_behalf is False
    assert [(e.kind, e.actor_id) for e in history(request.id)] == [
        ("certification_requested", pending["user"].id), ("certification_approved", pending["officer"].id)]
    [email] = emails("certification_approved")
    assert email.recipient == "eloise@example.com"

    page = client.get(QUEUE)
    assert list(parse(page.data).find_all("tr", class_="certification-request")) == []
    [decided] = parse(page.data).find_all("tr", class_="certification-decided")
    assert "Accordée" in decided.text() and pending["officer"].full_name in decided.text()


def test_refusing_needs_a_reason_beside_its_field(pending, login):
    client = login(pending["officer"])

    response = client.post(f"{QUEUE}{pending['request_id']}/refuser", data={"reason": "  "})

    assert response.status_code == 422
    assert error_beside(response, "reason") == "Le motif du refus est obligatoire."
    assert reread(pending["request_id"]).status == CertificationStatus.PENDING
    assert emails("certification_refused") == []


def test_refusing_records_the_reason_history_and_email(pending, login):
    client = login(pending["officer"])
    reason = "Aucun mandat de la société n'a été produit."

    response = client.post(f"{QUEUE}{pending['request_id']}/refuser", data={"reason": reason})

    assert response.status_code == 302
    request = reread(pending["request_id"])
    assert (request.status, request.refusal_reason) == (CertificationStatus.REFUSED, reason)
    assert certification_of(pending["user"], pending["company"]) is None
    assert [(e.kind, e.comment) for e in history(request.id)][-1] == ("certification_refused", reason)
    [email] = emails("certification_refused")
    assert email.recipient == "eloise@example.com" and reason in email.body
    [decided] = parse(client.get(QUEUE).data).find_all("tr", class_="certification-decided")
    assert "Refusée" in decided.text() and reason in decided.text()


def test_a_decided_request_cannot_be_decided_again(pending, login):
    client = login(pending["officer"])
    client.post(f"{QUEUE}{pending['request_id']}/accorder")

    response = client.post(f"{QUEUE}{pending['request_id']}/refuser", data={"reason": "Trop tard."})

    assert response.status_code == 422
    assert "Cette demande d'habilitation a déjà été traitée." in text_of(response)
    assert reread(pending["request_id"]).status == CertificationStatus.APPROVED


def test_supervisor_of_the_office_approves(pending, factory, login):
    supervisor = factory.user(Role.SUPERVISOR, supervised=[factory.office(OFFICE_A)])
    client = login(supervisor)

    assert pending["company"].name in text_of(client.get(QUEUE))
    assert client.post(f"{QUEUE}{pending['request_id']}/accorder").status_code == 302
    assert reread(pending["request_id"]).status == CertificationStatus.APPROVED


@pytest.mark.parametrize("action, data", [("accorder", {}), ("refuser", {"reason": "Non."})])
def test_officer_of_another_office_gets_404_and_changes_nothing(pending, login, action, data):
    client = login(pending["officer_b"])

    assert pending["company"].name not in text_of(client.get(QUEUE))
    assert client.post(f"{QUEUE}{pending['request_id']}/{action}", data=data).status_code == 404
    assert reread(pending["request_id"]).status == CertificationStatus.PENDING
    assert len(history(pending["request_id"])) == 1


@pytest.mark.parametrize("who", ["operator", "admin"])
def test_operators_and_administrators_get_403(pending, factory, login, who):
    user = pending["user"] if who == "operator" else factory.user(Role.ADMIN)
    client = login(user)

    assert client.get(QUEUE).status_code == 403
    assert client.post(f"{QUEUE}{pending['request_id']}/accorder").status_code == 403
    assert reread(pending["request_id"]).status == CertificationStatus.PENDING


def test_anonymous_user_is_sent_to_the_login_page(pending, client):
    assert login_redirect(client.get(QUEUE))
