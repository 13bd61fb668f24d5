"""Passwords are stored as Argon2id hashes; older accounts' hashes are replaced at their next login."""
import pytest
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from app.auth.passwords import check_password, hash_password, needs_rehash
from app.extensions import db
from app.models import User
from tests.conftest import PASSWORD


@pytest.fixture
def argon2id(app, monkeypatch):
    """The production setting (the suite hashes with a one-round pbkdf2 to stay fast)."""
    monkeypatch.setitem(app.config, "PASSWORD_HASH_METHOD", "argon2id")


def _stored_hash(user_id: int) -> str:
    db.session.expire_all()
    return db.session.scalar(select(User.password_hash).where(User.id == user_id))


def _log_in(client, username, password=PASSWORD):
    return client.post("/connexion", data={"username": username, "password": password})


def test_a_password_is_hashed_with_argon2id_at_owasps_minimum_cost(app, argon2id):
    password_hash = hash_password(PASSWORD)

    assert password_hash.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert check_password(password_hash, PASSWORD)
    assert not check_password(password_hash, PASSWORD + "x")
    assert hash_password(PASSWORD) != password_hash  # a new salt each time


def test_a_hash_that_is_not_one_never_matches(app, argon2id):
    assert not check_password("$argon2id$v=19$m=19456,t=2,p=1$garbage", PASSWORD)
    assert not check_password("md5$abc$def", PASSWORD)
    assert not check_password(None, PASSWORD)


def test_an_older_account_with_a_scrypt_hash_logs_in_and_its_hash_becomes_argon2id(client, factory, argon2id):
    user = factory.operator()
    user.password_hash = generate_password_hash(PASSWORD, method="scrypt")
    db.session.commit()

    response = _log_in(client, user.username)

    assert response.status_code == 302
    assert _stored_hash(user.id).startswith("$argon2id$")
    assert check_password(_stored_hash(user.id), PASSWORD)


def test_a_failed_login_leaves_the_older_hash_alone(client, factory, argon2id):
    user = factory.operator()
    older = generate_password_hash(PASSWORD, method="scrypt")
    user.password_hash = older
    db.session.commit()

    response = _log_in(client, user.username, "Wrong-2026!")

    assert response.status_code == 422
    assert _stored_hash(user.id) == older


def test_an_argon2id_hash_of_todays_cost_is_kept_at_login(client, factory, argon2id):
    user = factory.operator()
    user.password_hash = hash_password(PASSWORD)
    db.session.commit()
    current = user.password_hash
    assert not needs_rehash(current)

    assert _log_in(client, user.username).status_code == 302
    assert _stored_hash(user.id) == current
