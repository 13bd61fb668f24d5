"""Sign-up over HTTP: the guide's rules for identifiers and passwords, errors beside their fields, activation."""
import re
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import OutboxEmail, Role, User
from tests.operator.html import errors_beside, page_text, parse

PASSWORD_RULE = ("Il doit être composé d'au moins 8 caractères, contenir des lettres minuscules, majuscules, des "
                 "chiffres et des caractères spéciaux (le caractère « underscore » _ n'est pas considéré comme un "
                 "caractère spécial).")


def _sign_up_data(**overrides):
    data = {"username": "jeannedurand", "password": "Abcdefg1!", "password_confirm": "Abcdefg1!",
            "email": "jeanne.durand@societe-export.fr", "email_confirm": "jeanne.durand@societe-export.fr",
            "last_name": "Durand", "first_name": "Jeanne", "phone": "02 35 00 00 00", "mobile": "",
            "postal_address": "1 rue du Port, 76600 Le Havre", "accept_terms": "y"}
    data.update(overrides)
    return data


def _user(username="jeannedurand"):
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.username == username))


def _refused(response, field, message):
    assert response.status_code == 422
    doc = parse(response.data)
    assert errors_beside(doc, field) == [message]
    assert _user() is None
    return doc


@pytest.mark.parametrize("password", ["Abcdefg1_", "Abc1!de", "abcdefg1!", "ABCDEFG1!", "Abcdefgh!", "Abcdefg12"])
def test_password_breaking_a_rule_is_refused_beside_the_password_field(client, password):
    response = client.post("/inscription", data=_sign_up_data(password=password, password_confirm=password))
    doc = _refused(response, "password", PASSWORD_RULE)
    assert [n for n in doc.find_all("input") if n.attrs.get("name") == "password"][0].attrs.get("value") in (None, "")
    assert errors_beside(doc, "username") == []


def test_password_with_lower_upper_digit_and_special_character_is_accepted(client):
    response = client.post("/inscription", data=_sign_up_data(password="Abcdefg1!", password_confirm="Abcdefg1!"))
    assert response.status_code == 200
    assert "Votre compte a été créé" in page_text(response)
    user = _user()
    assert user.role == Role.OPERATOR and user.activated_at is None


def test_username_with_a_digit_is_refused_beside_the_username_field(client):
    response = client.post("/inscription", data=_sign_up_data(username="jeanne76"))
    doc = _refused(response, "username", "L'identifiant ne doit contenir ni chiffre ni caractère spécial.")
    assert doc.find("input", name="username").attrs["value"] == "jeanne76"
    assert doc.find("input", name="email").attrs["value"] == "jeanne.durand@societe-export.fr"


def test_username_already_taken_is_refused_whatever_the_case(client, factory):
    factory.user(username="jeannedurand")
    response = client.post("/inscription", data=_sign_up_data(username="JeanneDurand",
                                                               email="autre@societe-export.fr",
                                                               email_confirm="autre@societe-export.fr"))
    assert response.status_code == 422
    assert errors_beside(parse(response.data), "username") == [
        "Cet identifiant est déjà utilisé : choisissez-en un autre."]


def test_mismatched_password_confirmation_is_refused_beside_the_confirmation_field(client):
    response = client.post("/inscription", data=_sign_up_data(password_confirm="Abcdefg1?"))
    doc = _refused(response, "password_confirm", "Les deux mots de passe ne sont pas identiques.")
    assert errors_beside(doc, "password") == []


def test_mismatched_email_confirmation_is_refused_beside_the_confirmation_field(client):
    response = client.post("/inscription", data=_sign_up_data(email_confirm="jeanne.dupont@societe-export.fr"))
    doc = _refused(response, "email_confirm", "Les deux adresses ne sont pas identiques.")
    assert doc.find("input", name="email_confirm").attrs["value"] == "jeanne.dupont@societe-export.fr"


def test_every_missing_required_field_is_refused_beside_it(client):
    response = client.post("/inscription", data={})
    assert response.status_code == 422
    doc = parse(response.data)
    for name in ("username", "password", "password_confirm", "email", "email_confirm", "last_name", "first_name"):
        assert errors_beside(doc, name) == ["Ce champ est obligatoire."], name
    assert errors_beside(doc, "accept_terms") == ["Vous devez accepter les conditions générales d'utilisation."]
    assert errors_beside(doc, "phone") == []


def test_sign_up_queues_an_activation_email_whose_link_activates_the_account(client):
    client.post("/inscription", data=_sign_up_data())

    [email] = db.session.scalars(select(OutboxEmail)).all()
    assert email.template == "activation"
    assert email.recipient == "jeanne.durand@societe-export.fr"
    [link] = re.findall(r"https?://\S+/activer/\S+", email.body)
    assert _user().activated_at is None

    response = client.get(urlsplit(link).path)

    assert response.status_code == 302
    assert urlsplit(response.location).path == "/connexion"
    assert "Votre compte est activé : vous pouvez vous connecter." in page_text(client.get(response.location))
    assert _user().activated_at is not None


def test_tampered_activation_link_does_not_activate(client):
    client.post("/inscription", data=_sign_up_data())
    [link] = re.findall(r"https?://\S+/activer/\S+", db.session.scalar(select(OutboxEmail.body)))
    response = client.get(urlsplit(link).path + "x")
    assert "Ce lien d'activation n'est pas valide ou a expiré." in page_text(client.get(response.location))
    assert _user().activated_at is None
