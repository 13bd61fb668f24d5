"""Accounts: login throttling, no account enumeration, password reset, session cookie and its renewal at login."""
import re
import time
from http.cookies import SimpleCookie
from urllib.parse import urlsplit

import pytest
from itsdangerous import TimestampSigner
from sqlalchemy import func, select

from app import create_app
from app.auth.tokens import activation_token
from app.extensions import db, limiter
from app.models import OutboxEmail, User
from tests.factories import PASSWORD
from tests.operator.html import errors_beside, page_text, parse

NEW_PASSWORD = "Nouveau-2026?"
PASSWORD_RULE = ("Il doit être composé d'au moins 8 caractères, contenir des lettres minuscules, majuscules, des "
                 "chiffres et des caractères spéciaux (le caractère « underscore » _ n'est pas considéré comme un "
                 "caractère spécial).")
THROTTLED = re.compile(r"Trop de tentatives de connexion : réessayez dans (\d+) minutes?\.")
OTHER_ADDRESS = {"REMOTE_ADDR": "192.0.2.7"}


@pytest.fixture(autouse=True)
def _fresh_limits(app):
    """Every test starts with full budgets; with Redis, only this run's counters go (TestConfig)."""
    limiter.reset()
    yield
    limiter.reset()


@pytest.fixture
def limits(app, monkeypatch):
    """Lower a limit for one test: the views read them from the config at each request."""
    def _set(**values):
        for name, value in values.items():
            monkeypatch.setitem(app.config, name, value)
    return _set


def _log_in(client, username, password=PASSWORD, **kwargs):
    return client.post("/connexion", data={"username": username, "password": password}, **kwargs)


def _emails(template=None):
    db.session.expire_all()
    query = select(OutboxEmail).order_by(OutboxEmail.id)
    if template:
        query = query.where(OutboxEmail.template == template)
    return db.session.scalars(query).all()


def _reset_path(email: OutboxEmail) -> str:
    [link] = re.findall(r"https?://\S+/mot-de-passe/\S+", email.body)
    return urlsplit(link).path


def _password_hash(user_id: int) -> str:
    db.session.expire_all()
    return db.session.get(User, user_id).password_hash


# --- login throttling -----------------------------------------------------------------------------

def test_default_limits_are_five_per_account_and_twenty_per_address():
    from config import Config

    assert Config.LOGIN_RATE_LIMIT_ACCOUNT == "5 per 15 minutes"
    assert Config.LOGIN_RATE_LIMIT_ADDRESS == "20 per 15 minutes"
    assert Config.PASSWORD_RESET_MAX_AGE == 3600


def test_failed_logins_beyond_the_account_limit_answer_429_with_the_wait_beside_the_form(client, factory, limits):
    limits(LOGIN_RATE_LIMIT_ACCOUNT="3 per 15 minutes")
    user = factory.operator()
    for _ in range(3):
        assert _log_in(client, user.username, "Mauvais-1!").status_code == 422

    response = _log_in(client, user.username.upper())  # the right password, in another case: still refused

    assert response.status_code == 429
    assert response.mimetype == "text/html"
    text = page_text(response)
    minutes = int(THROTTLED.search(text).group(1))
    assert 1 <= minutes <= 15
    assert "Traceback" not in text
    assert 0 < int(response.headers["Retry-After"]) <= 15 * 60
    doc = parse(response.data)
    assert doc.find("div", role="alert").text() == THROTTLED.search(text).group(0)
    assert doc.find("input", name="username").attrs["value"] == user.username.upper()
    assert client.get("/rex/").status_code == 302  # not logged in
    # The account's budget, from any address.
    assert _log_in(client, user.username, environ_base=OTHER_ADDRESS).status_code == 429


def test_other_accounts_log_in_while_one_is_throttled_and_the_reset_lifts_it(client, factory, limits):
    limits(LOGIN_RATE_LIMIT_ACCOUNT="2 per 15 minutes")
    target, other = factory.operator(), factory.operator()
    for _ in range(2):
        _log_in(client, target.username, "Mauvais-1!")
    assert _log_in(client, target.username).status_code == 429

    assert _log_in(client, other.username).status_code == 302
    client.post("/deconnexion")

    limiter.reset()
    assert _log_in(client, target.username).status_code == 302


def test_only_failures_count(client, factory, limits):
    limits(LOGIN_RATE_LIMIT_ACCOUNT="2 per 15 minutes", LOGIN_RATE_LIMIT_ADDRESS="2 per 15 minutes")
    user = factory.operator()
    for _ in range(4):
        assert _log_in(client, user.username).status_code == 302
        client.post("/deconnexion")
    assert client.post("/connexion", data={}).status_code == 422  # an empty form is no attempt
    assert _log_in(client, user.username).status_code == 302


def test_failures_beyond_the_address_limit_block_every_account_from_that_address_only(client, factory, limits):
    limits(LOGIN_RATE_LIMIT_ADDRESS="3 per 15 minutes")
    user = factory.operator()
    for name in ("alice", "bob", "carole"):  # unknown identifiers count as well
        assert _log_in(client, name, "Mauvais-1!").status_code == 422

    response = _log_in(client, user.username)

    assert response.status_code == 429
    assert THROTTLED.search(page_text(response))
    assert _log_in(client, user.username, environ_base=OTHER_ADDRESS).status_code == 302
    client.post("/deconnexion")
    limiter.reset()
    assert _log_in(client, user.username).status_code == 302


def test_the_login_page_itself_is_not_limited(client, factory, limits):
    limits(LOGIN_RATE_LIMIT_ACCOUNT="1 per 15 minutes", LOGIN_RATE_LIMIT_ADDRESS="1 per 15 minutes")
    _log_in(client, "alice", "Mauvais-1!")
    for _ in range(3):
        assert client.get("/connexion").status_code == 200


# --- no account enumeration at sign-up ------------------------------------------------------------

def _sign_up(client, username, email, **kwargs):
    return client.post("/inscription", data={
        "username": username, "password": "Abcdefg1!", "password_confirm": "Abcdefg1!",
        "email": email, "email_confirm": email, "last_name": "Durand", "first_name": "Jeanne",
        "accept_terms": "y"}, **kwargs)


def test_sign_up_with_a_registered_email_answers_as_a_new_one_and_tells_the_mailbox(client, factory):
    owner = factory.operator()
    fresh = _sign_up(client, "jeannedurand", "jeanne.durand@societe-export.fr")
    taken = _sign_up(client, "jeannedupont", owner.email.upper())

    assert taken.status_code == fresh.status_code == 200
    assert (page_text(taken).replace(owner.email.upper(), "@")
            == page_text(fresh).replace("jeanne.durand@societe-export.fr", "@"))
    assert db.session.scalar(select(func.count(User.id))) == 2  # the owner and jeannedurand, no jeannedupont
    [notice] = _emails("account_exists")
    assert notice.recipient == owner.email
    assert owner.username in notice.body
    assert [e.template for e in _emails() if e.recipient == owner.email] == ["account_exists"]
    # Its link is a working reset link.
    assert client.get(_reset_path(notice)).status_code == 200


def test_sign_ups_with_a_registered_email_are_limited_per_address(client, factory, limits):
    limits(SIGN_UP_RATE_LIMIT="2 per hour")
    owner = factory.operator()
    addresses = (f"192.0.2.{n}" for n in range(10, 20))  # a new one each time: only the per-email budget runs out
    for n in range(2):
        assert _sign_up(client, f"jeanne{'ab'[n]}", owner.email,
                        environ_base={"REMOTE_ADDR": next(addresses)}).status_code == 200

    response = _sign_up(client, "jeannec", owner.email, environ_base={"REMOTE_ADDR": next(addresses)})

    assert response.status_code == 429
    assert re.search(r"Trop de demandes : réessayez dans \d+ minutes?\.", page_text(response))
    assert len(_emails("account_exists")) == 2
    # What was typed stays in the form (the password aside, as always).
    assert parse(response.data).find("input", name="username").attrs["value"] == "jeannec"


def test_sign_ups_are_limited_per_client_address_whatever_the_email(client, limits):
    limits(SIGN_UP_RATE_LIMIT="2 per hour")
    for n in range(2):
        assert _sign_up(client, f"jeanne{'ab'[n]}", f"jeanne{n}@example.com").status_code == 200

    assert _sign_up(client, "jeannec", "jeanne9@example.com").status_code == 429
    assert _sign_up(client, "jeannec", "jeanne9@example.com", environ_base=OTHER_ADDRESS).status_code == 200
    assert len(_emails("activation")) == 3


def test_a_sign_up_form_refused_for_its_fields_costs_nothing(client, limits):
    limits(SIGN_UP_RATE_LIMIT="1 per hour")
    for _ in range(3):
        assert client.post("/inscription", data={"username": "jeanne", "email": "jeanne@example.com"}).status_code \
            == 422

    assert _sign_up(client, "jeanne", "jeanne@example.com").status_code == 200


def test_default_sign_up_limit_is_five_per_hour():
    from config import Config

    assert Config.SIGN_UP_RATE_LIMIT == "5 per hour"


def test_a_taken_identifier_is_said_taken_without_a_word_about_the_email(client, factory):
    owner = factory.user(username="jeannedurand")
    response = _sign_up(client, owner.username, owner.email)
    assert response.status_code == 422
    doc = parse(response.data)
    assert errors_beside(doc, "username") == ["Cet identifiant est déjà utilisé : choisissez-en un autre."]
    assert errors_beside(doc, "email") == []
    assert _emails() == []


# --- password reset -------------------------------------------------------------------------------

def test_login_page_links_to_the_password_reset(client):
    doc = parse(client.get("/connexion").data)
    link = next(a for a in doc.find_all("a") if a.text() == "Mot de passe oublié ?")
    assert link.attrs["href"] == "/mot-de-passe-oublie"
    assert client.get(link.attrs["href"]).status_code == 200


def test_reset_request_answers_the_same_for_a_known_and_an_unknown_email(client, factory):
    user = factory.operator()
    known = client.post("/mot-de-passe-oublie", data={"email": user.email})
    unknown = client.post("/mot-de-passe-oublie", data={"email": "personne@nulle-part.example"})

    assert known.status_code == unknown.status_code == 200
    assert (page_text(known).replace(user.email, "@")
            == page_text(unknown).replace("personne@nulle-part.example", "@"))
    assert "un courriel contenant un lien pour choisir un nouveau mot de passe" in page_text(known)
    [email] = _emails()
    assert (email.template, email.recipient) == ("password_reset", user.email)
    assert "valable 60 minutes" in email.body


def test_reset_request_refuses_a_malformed_email_beside_the_field(client):
    response = client.post("/mot-de-passe-oublie", data={"email": "pas-une-adresse"})
    assert response.status_code == 422
    assert errors_beside(parse(response.data), "email") == ["Adresse électronique invalide."]


def test_reset_requests_are_limited_alike_for_known_and_unknown_emails(client, factory, limits):
    limits(PASSWORD_RESET_RATE_LIMIT="2 per hour")
    user = factory.operator()
    addresses = (f"192.0.2.{n}" for n in range(10, 20))  # a new one each time: only the per-email budget runs out
    for email in (user.email, "personne@nulle-part.example"):
        for _ in range(2):
            assert client.post("/mot-de-passe-oublie", data={"email": email},
                               environ_base={"REMOTE_ADDR": next(addresses)}).status_code == 200
        response = client.post("/mot-de-passe-oublie", data={"email": email},
                               environ_base={"REMOTE_ADDR": next(addresses)})
        assert response.status_code == 429
        assert re.search(r"Trop de demandes : réessayez dans \d+ minutes?\.", page_text(response))
    assert len(_emails("password_reset")) == 2


def test_reset_link_sets_a_new_password_once(client, factory):
    user = factory.operator()
    client.post("/mot-de-passe-oublie", data={"email": user.email})
    path = _reset_path(_emails()[0])

    page = client.get(path)
    assert page.status_code == 200
    assert f"Compte « {user.username} »" in page_text(page)
    response = client.post(path, data={"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD})

    assert response.status_code == 302
    assert urlsplit(response.location).path == "/connexion"
    assert "Votre mot de passe a été modifié : vous pouvez vous connecter." in page_text(client.get("/connexion"))
    assert _log_in(client, user.username).status_code == 422
    assert _log_in(client, user.username, NEW_PASSWORD).status_code == 302
    client.post("/deconnexion")

    # The same link again: the password has changed since, so it is dead.
    for again in (client.get(path), client.post(path, data={"password": "Autre-2026!",
                                                             "password_confirm": "Autre-2026!"})):
        assert again.status_code == 400
        assert "Ce lien a déjà servi : le mot de passe a été changé depuis son envoi." in page_text(again)
    assert _log_in(client, user.username, NEW_PASSWORD).status_code == 302


def test_reset_link_expires_after_an_hour(client, factory, monkeypatch):
    user = factory.operator()
    issued = time.time()
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: int(issued))
    client.post("/mot-de-passe-oublie", data={"email": user.email})
    path = _reset_path(_emails()[0])

    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: int(issued) + 3599)
    assert client.get(path).status_code == 200
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: int(issued) + 3601)
    response = client.get(path)

    assert response.status_code == 400
    text = page_text(response)
    assert "Lien de réinitialisation invalide" in text
    assert "Ce lien a expiré : il n'est valable qu'une heure." in text
    assert "Demander un nouveau lien" in text


@pytest.mark.parametrize("tamper", [
    # signature: not its last character, whose low bits are base64 padding (a change there may decode the same)
    lambda token: token[:-5] + ("A" if token[-5] != "A" else "B") + token[-4:],
    lambda token: token.split(".", 1)[0] + "x." + token.split(".", 1)[1],  # payload
    lambda token: token[:20],  # truncated
    lambda token: "%ff%fe",  # garbage (a NUL anywhere is refused earlier, tests/hostile)
])
def test_a_tampered_reset_link_is_refused_with_a_french_page(client, factory, tamper):
    user = factory.operator()
    before = user.password_hash
    client.post("/mot-de-passe-oublie", data={"email": user.email})
    path = _reset_path(_emails()[0])
    token = path.rsplit("/", 1)[1]

    response = client.post(f"/mot-de-passe/{tamper(token)}",
                           data={"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD})

    assert response.status_code == 400
    assert "Ce lien n'est pas valide : vérifiez qu'il a été copié en entier depuis le courriel." in page_text(response)
    assert _password_hash(user.id) == before


def test_an_activation_token_is_no_reset_token(client, factory):
    user = factory.operator()
    with client.application.test_request_context():
        token = activation_token(user.id)
    assert client.get(f"/mot-de-passe/{token}").status_code == 400


@pytest.mark.parametrize("password, confirm, field, message", [
    ("Abcdefg1_", "Abcdefg1_", "password", PASSWORD_RULE),
    ("abcdefg1!", "abcdefg1!", "password", PASSWORD_RULE),
    ("Abc1!de", "Abc1!de", "password", PASSWORD_RULE),
    (NEW_PASSWORD, "Nouveau-2026!", "password_confirm", "Les deux mots de passe ne sont pas identiques."),
    ("", "", "password", "Ce champ est obligatoire."),
])
def test_new_password_follows_the_sign_up_rules_beside_its_field(client, factory, password, confirm, field, message):
    user = factory.operator()
    before = user.password_hash
    client.post("/mot-de-passe-oublie", data={"email": user.email})
    path = _reset_path(_emails()[0])

    response = client.post(path, data={"password": password, "password_confirm": confirm})

    assert response.status_code == 422
    assert errors_beside(parse(response.data), field) == [message]
    assert _password_hash(user.id) == before
    assert client.get(path).status_code == 200  # still usable


def test_reset_activates_an_account_never_activated(client, factory):
    user = factory.operator()
    user.activated_at = None
    db.session.commit()
    client.post("/mot-de-passe-oublie", data={"email": user.email})
    client.post(_reset_path(_emails()[0]), data={"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD})
    assert _log_in(client, user.username, NEW_PASSWORD).status_code == 302


# --- session cookie -------------------------------------------------------------------------------

def _set_cookie(response, name="session") -> dict:
    """The attributes of one Set-Cookie header, parsed as a browser would (flags as keys)."""
    [header] = [h for h in response.headers.getlist("Set-Cookie") if h.startswith(f"{name}=")]
    attributes = {"value": SimpleCookie(header)[name].value}
    for part in header.split(";")[1:]:
        key, _, value = part.strip().partition("=")
        attributes[key.lower()] = value
    return attributes


def test_session_cookie_is_httponly_and_samesite_lax_and_not_secure_over_http_in_tests(client, factory):
    response = _log_in(client, factory.operator().username)
    cookie = _set_cookie(response)
    assert "httponly" in cookie
    assert cookie["samesite"] == "Lax"
    assert "secure" not in cookie  # TestConfig: the test client and the e2e live server speak http


@pytest.fixture
def csrf_app(app, tmp_path):
    """The session app's database, with CSRF on, as in production."""
    protected = create_app({"TESTING": True, "WTF_CSRF_ENABLED": True,
                            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                            "SQLALCHEMY_ENGINE_OPTIONS": app.config["SQLALCHEMY_ENGINE_OPTIONS"],
                            "MAIL_FILE_DIR": str(tmp_path / "mail"),
                            # the same limiter storage: Flask-Limiter's one instance takes the last app's
                            "REDIS_URL": app.config["REDIS_URL"]})
    yield protected
    with protected.app_context():
        db.session.remove()
        db.engine.dispose()


def _csrf_token(client, path):
    return parse(client.get(path).data).find("input", name="csrf_token").attrs["value"]


def test_login_starts_a_new_session_keeping_only_the_language(csrf_app, factory):
    user = factory.operator()
    client = csrf_app.test_client()
    client.get("/connexion?lang=en")
    with client.session_transaction() as session:
        session["planted"] = "before login"
    token = _csrf_token(client, "/connexion")
    with client.session_transaction() as session:
        csrf_secret = session["csrf_token"]
    before = client.get_cookie("session").value

    response = client.post("/connexion", data={"username": user.username, "password": PASSWORD,
                                               "csrf_token": token})

    assert response.status_code == 302
    assert client.get_cookie("session").value != before
    with client.session_transaction() as session:
        assert "planted" not in session
        assert "csrf_token" not in session  # the pre-login CSRF secret is gone with the rest
        assert session["lang"] == "en"
        assert session["_user_id"] == str(user.id)
    # The token of the login page no longer works; the new page's does.
    assert client.post("/deconnexion", data={"csrf_token": token}).status_code == 400
    new_token = _csrf_token(client, "/rex/demandes/en-cours")
    with client.session_transaction() as session:
        assert session["csrf_token"] != csrf_secret
    assert "My pending applications" in page_text(client.get("/rex/demandes/en-cours"))
    assert client.post("/deconnexion", data={"csrf_token": new_token}).status_code == 302
