"""Login, logout and the redirect after login."""
import re
from urllib.parse import quote, urlsplit

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import OutboxEmail
from tests.operator.html import errors_beside, page_text, parse

PASSWORD = "Abcdefg1!"


def _signed_up(client):
    client.post("/inscription", data={
        "username": "jeannedurand", "password": PASSWORD, "password_confirm": PASSWORD,
        "email": "jeanne.durand@societe-export.fr", "email_confirm": "jeanne.durand@societe-export.fr",
        "last_name": "Durand", "first_name": "Jeanne", "accept_terms": "y"})
    [link] = re.findall(r"https?://\S+/activer/\S+", db.session.scalar(select(OutboxEmail.body)))
    return urlsplit(link).path


@pytest.fixture
def fresh_limits(app):
    from app.extensions import limiter

    limiter.reset()
    yield
    limiter.reset()


def _activation_emails():
    db.session.expire_all()
    return db.session.scalars(select(OutboxEmail).where(OutboxEmail.template == "activation")).all()


def _wrong_password_answer(client, factory):
    active = factory.user(username="marcpetit")
    return client.post("/connexion", data={"username": active.username, "password": "Mauvais-2026!"})


def test_a_never_activated_account_with_its_password_answers_as_a_wrong_password_and_gets_its_link_again(
        client, factory, fresh_limits):
    _signed_up(client)
    wrong = _wrong_password_answer(client, factory)

    response = client.post("/connexion", data={"username": "jeannedurand", "password": PASSWORD})

    assert response.status_code == wrong.status_code == 422
    assert errors_beside(parse(response.data), "password") == ["Identifiant ou mot de passe incorrect."]
    assert errors_beside(parse(response.data), "username") == []
    assert page_text(response).replace("jeannedurand", "marcpetit") == page_text(wrong)
    first, again = _activation_emails()
    assert again.recipient == first.recipient == "jeanne.durand@societe-export.fr"
    [link] = re.findall(r"https?://\S+/activer/\S+", again.body)
    assert client.get(urlsplit(link).path).status_code == 302
    assert client.post("/connexion", data={"username": "jeannedurand", "password": PASSWORD}).status_code == 302


def test_a_never_activated_account_with_a_wrong_password_gets_no_mail(client, fresh_limits):
    _signed_up(client)

    response = client.post("/connexion", data={"username": "jeannedurand", "password": "Mauvais-2026!"})

    assert response.status_code == 422
    assert errors_beside(parse(response.data), "password") == ["Identifiant ou mot de passe incorrect."]
    assert len(_activation_emails()) == 1
    assert client.get("/rex/demandes/en-cours").status_code == 302


def test_the_activation_link_is_sent_again_at_most_three_times_an_hour(client, fresh_limits):
    _signed_up(client)

    for _ in range(5):
        assert client.post("/connexion", data={"username": "jeannedurand", "password": PASSWORD}).status_code == 422

    assert len(_activation_emails()) == 1 + 3


def test_a_disabled_account_with_its_password_answers_as_a_wrong_password_without_mail(client, factory,
                                                                                      fresh_limits):
    user = factory.operator()
    user.is_enabled = False
    db.session.commit()

    response = client.post("/connexion", data={"username": user.username, "password": "Secret-2026!"})

    assert response.status_code == 422
    assert errors_beside(parse(response.data), "password") == ["Identifiant ou mot de passe incorrect."]
    assert _activation_emails() == []


def test_a_never_activated_account_counts_against_the_login_limits_as_a_wrong_password(client, app, monkeypatch,
                                                                                      fresh_limits):
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT_ACCOUNT", "2 per 15 minutes")
    _signed_up(client)

    codes = [client.post("/connexion", data={"username": "jeannedurand", "password": PASSWORD}).status_code
             for _ in range(3)]

    assert codes == [422, 422, 429]


def test_login_is_allowed_after_activation(client):
    client.get(_signed_up(client))

    response = client.post("/connexion", data={"username": "JeanneDurand", "password": PASSWORD})

    assert response.status_code == 302
    assert response.location.endswith("/rex/")
    assert client.get("/rex/demandes/en-cours").status_code == 200


def test_wrong_password_is_refused_beside_the_password_field(client, factory):
    user = factory.operator()
    response = client.post("/connexion", data={"username": user.username, "password": "Mauvais-1"})
    assert response.status_code == 422
    doc = parse(response.data)
    assert errors_beside(doc, "password") == ["Identifiant ou mot de passe incorrect."]
    assert doc.find("input", name="username").attrs["value"] == user.username


def test_disabled_account_cannot_log_in(client, factory):
    user = factory.operator()
    user.is_enabled = False
    db.session.commit()
    response = client.post("/connexion", data={"username": user.username, "password": "Secret-2026!"})
    assert response.status_code == 422
    assert client.get("/rex/").status_code == 302


def test_logout_is_a_post(client, factory, login):
    login(factory.operator())

    assert client.get("/deconnexion").status_code == 405
    assert client.get("/rex/demandes/en-cours").status_code == 200  # a GET (a link, an image) logs nobody out

    response = client.post("/deconnexion")
    assert response.status_code == 302
    assert urlsplit(response.location).path == "/connexion"
    assert "Vous êtes déconnecté." in page_text(client.get(response.location))
    assert client.get("/rex/demandes/en-cours").status_code == 302


def test_next_redirects_to_a_local_path(client, factory):
    user = factory.operator()
    response = client.post("/connexion?next=" + quote("/rex/demandes/brouillons?q=FR"),
                           data={"username": user.username, "password": "Secret-2026!"})
    assert response.status_code == 302
    assert response.location == "/rex/demandes/brouillons?q=FR"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil.example/",
                                    "\\\\evil.example/", "javascript:alert(1)", "/\t/evil.example/",
                                    "https:/evil.example"])
def test_next_never_redirects_to_another_site(client, factory, target):
    user = factory.operator()
    response = client.post("/connexion?next=" + quote(target, safe=""),
                           data={"username": user.username, "password": "Secret-2026!"})
    assert response.status_code == 302
    assert response.location.endswith("/rex/")
    assert "evil" not in response.location


def test_anonymous_login_redirect_carries_the_page_asked_for(client, factory):
    user = factory.operator()
    response = client.get("/rex/demandes/rejetees")
    assert urlsplit(response.location).path == "/connexion"
    assert "Veuillez vous authentifier pour accéder à cette page." in page_text(client.get(response.location))
    response = client.post(response.location, data={"username": user.username, "password": "Secret-2026!"})
    assert response.location == "/rex/demandes/rejetees"
