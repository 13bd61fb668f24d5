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


def test_login_is_refused_before_activation_with_a_message(client):
    _signed_up(client)

    response = client.post("/connexion", data={"username": "jeannedurand", "password": PASSWORD})

    assert response.status_code == 422
    assert errors_beside(parse(response.data), "username") == [
        "Ce compte n'est pas encore activé : cliquez sur le lien reçu par courriel."]
    assert client.get("/rex/demandes/en-cours").status_code == 302


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
