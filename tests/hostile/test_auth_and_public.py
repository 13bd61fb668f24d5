"""Property-based tests of the sign-up, login, password-forgotten forms and the public register (page and
JSON API) with hostile input: never a 5xx; a refusal shows its errors beside fields and creates no row."""
import json
from urllib.parse import quote

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from app.extensions import db, limiter
from app.models import OutboxEmail, User
from tests.hostile.strategies import FEW, SETTINGS, assert_errors_beside_fields, hostile, mutated, page
from tests.operator.html import value_of

SIGN_UP = {"username": "jeannedurand", "password": "Abcdefg1!", "password_confirm": "Abcdefg1!",
           "email": "jeanne.durand@societe-export.fr", "email_confirm": "jeanne.durand@societe-export.fr",
           "last_name": "Durand", "first_name": "Jeanne", "phone": "02 35 00 00 00", "mobile": "",
           "postal_address": "1 rue du Port, 76600 Le Havre", "accept_terms": "y"}
SIGN_UP_TEXT = {"username", "email", "email_confirm", "last_name", "first_name", "phone", "mobile",
                "postal_address"}


@pytest.fixture(autouse=True)
def _fresh_limits():
    limiter.reset()
    yield
    limiter.reset()


def _count(model):
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


@SETTINGS
@given(data=st.data())
def test_sign_up_with_hostile_fields_never_fails_and_a_refusal_creates_no_account(client, data):
    typed, touched = data.draw(mutated(SIGN_UP))
    users, outbox = _count(User), _count(OutboxEmail)

    response = client.post("/inscription", data=typed)

    assert response.status_code < 500, response.get_data(as_text=True)[:2000]
    if response.status_code >= 400:
        assert response.status_code == 422
        doc = page(response)
        assert_errors_beside_fields(doc)
        for name in SIGN_UP_TEXT - touched:
            assert value_of(doc, name) == typed[name], name
        assert (_count(User), _count(OutboxEmail)) == (users, outbox)
    else:
        assert response.status_code == 200
        assert _count(User) in (users, users + 1)


@SETTINGS
@given(username=hostile, password=hostile)
def test_login_with_hostile_identifiers_is_refused_beside_a_field(client, factory, username, password):
    response = client.post("/connexion", data={"username": username, "password": password})

    assert response.status_code < 500, response.get_data(as_text=True)[:2000]
    assert response.status_code == 422
    doc = page(response)
    assert_errors_beside_fields(doc)
    if username.strip():
        assert value_of(doc, "username") == username


@SETTINGS
@given(email=hostile, twice=st.booleans())
def test_password_forgotten_with_hostile_address_never_fails(client, email, twice):
    outbox = _count(OutboxEmail)

    response = client.post("/mot-de-passe-oublie", data={"email": [email, email] if twice else email})

    assert response.status_code < 500, response.get_data(as_text=True)[:2000]
    if response.status_code >= 400:
        assert response.status_code == 422
        assert_errors_beside_fields(page(response))
    assert _count(OutboxEmail) == outbox  # no account has any of these addresses


@SETTINGS
@given(number=hostile)
def test_public_register_page_answers_any_number_without_failing(client, number):
    response = client.get("/registre", query_string={"number": number})

    assert response.status_code in (200, 400), response.get_data(as_text=True)[:2000]
    if response.status_code == 400:
        assert_errors_beside_fields(page(response))


@SETTINGS
@given(number=hostile, kind=st.sampled_from(["rex", "eori"]))
def test_public_api_answers_any_number_in_json_without_failing(client, number, kind):
    response = client.get(f"/api/public/{kind}/{quote(number, safe='')}")

    assert response.status_code < 500, response.get_data(as_text=True)[:2000]
    if response.status_code in (200, 400) or response.mimetype == "application/json":
        assert response.mimetype == "application/json"
        json.loads(response.data)
