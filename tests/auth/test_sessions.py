"""Open sessions end when the password changes or the account is disabled."""
from urllib.parse import urlsplit

import pytest

from app.auth.passwords import hash_password
from app.extensions import db
from tests.auth.test_account_security import NEW_PASSWORD, _emails, _log_in, _reset_path

HOME = "/rex/demandes/en-cours"


@pytest.fixture
def other_device(app):
    """A second browser of the same person."""
    return app.test_client()


def _signed_in(client) -> bool:
    response = client.get(HOME)
    if response.status_code == 302:
        assert urlsplit(response.location).path == "/connexion"
        return False
    assert response.status_code == 200
    return True


def test_a_password_reset_signs_out_the_sessions_opened_before(client, other_device, factory):
    user = factory.operator()
    assert _log_in(other_device, user.username).status_code == 302
    assert _signed_in(other_device)

    client.post("/mot-de-passe-oublie", data={"email": user.email})
    path = _reset_path(_emails()[0])
    assert client.post(path, data={"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD}).status_code == 302

    assert not _signed_in(other_device)
    assert _log_in(other_device, user.username, NEW_PASSWORD).status_code == 302
    assert _signed_in(other_device)


def test_a_password_set_for_the_account_signs_out_its_open_session(client, factory):
    user = factory.operator()
    _log_in(client, user.username)
    assert _signed_in(client)

    user.password_hash = hash_password(NEW_PASSWORD)  # as the administrators' accounts page does
    db.session.commit()

    assert not _signed_in(client)


def test_signing_in_elsewhere_leaves_the_first_session_signed_in(client, other_device, factory):
    user = factory.operator()
    _log_in(client, user.username)
    _log_in(other_device, user.username)

    assert _signed_in(client) and _signed_in(other_device)


def test_disabling_an_account_signs_out_its_open_session(client, factory):
    user = factory.operator()
    _log_in(client, user.username)
    assert _signed_in(client)

    user.is_enabled = False
    db.session.commit()

    assert not _signed_in(client)
