"""'Déposer une demande': a REX or an EORI application; an account acting for no company may only ask for an EORI."""
from sqlalchemy import select

from app.extensions import db
from app.models import Application, ApplicationKind, ApplicationStatus, Role
from tests.operator.html import page_text, parse

NOT_CERTIFIED = ("Votre compte n'est habilité pour aucun opérateur : demandez un numéro EORI, ou demandez votre "
                 "habilitation.")


def _buttons(response) -> list[str]:
    return [b.text() for b in parse(response.data).find("main").find_all("button")]


def test_an_uncertified_account_sees_only_the_eori_choice_and_why(factory, login):
    client = login(factory.user(Role.OPERATOR))

    response = client.get("/rex/deposer")

    assert _buttons(response) == ["Demande de numéro EORI"]
    assert NOT_CERTIFIED in page_text(response)
    link = parse(response.data).find("div", id="not-certified").find("a")
    assert (link.text(), link.attrs["href"]) == ("Demander une habilitation", "/rex/habilitations#demander")


def test_a_certified_account_chooses_between_rex_and_eori(factory, login):
    client = login(factory.operator())

    response = client.get("/rex/deposer")

    assert _buttons(response) == ["Délivrance du numéro d'exportateur enregistré", "Demande de numéro EORI"]
    text = page_text(response)
    assert "Demande de numéro REX" in text and NOT_CERTIFIED not in text


def test_choosing_eori_creates_a_draft_of_the_creator_and_opens_its_form(factory, login):
    user = factory.user(Role.OPERATOR)
    client = login(user)

    response = client.post("/rex/eori/deposer")

    application = db.session.scalar(select(Application))
    assert response.status_code == 302
    assert response.location == f"/rex/eori/{application.id}/formulaire"
    assert (application.kind, application.status) == (ApplicationKind.EORI, ApplicationStatus.DRAFT)
    assert application.company_id is None and application.created_by_id == user.id
    assert application.reference.startswith("FR-EORI-")
    assert f"Demande n° {application.reference}" in page_text(client.get(response.location))


def test_an_uncertified_account_cannot_create_a_rex_draft(factory, login):
    client = login(factory.user(Role.OPERATOR))

    response = client.post("/rex/deposer", follow_redirects=True)

    assert "Votre compte n'est habilité pour aucun opérateur" in page_text(response)
    assert db.session.scalar(select(Application)) is None


def test_officers_cannot_create_an_eori_draft(factory, login):
    client = login(factory.officer())

    assert client.post("/rex/eori/deposer").status_code == 403
