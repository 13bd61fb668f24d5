"""Sessions live on the server: logout, a new password, a role change or a disabled account end every session
of the account, copies of its cookie included; idle and absolute limits end them too."""
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select, update

from app.auth.passwords import hash_password
from app.auth.sessions import TOKEN_KEY, purge_expired_sessions
from app.extensions import db
from app.models import Role, User, UserSession
from app.models._time import utcnow
from tests.auth.test_account_security import NEW_PASSWORD, _emails, _log_in, _reset_path
from tests.factories import PASSWORD
from tests.operator.html import parse

HOME = "/rex/demandes/en-cours"
QUEUE = "/admin/a_traiter/"
EXPIRED = "Votre session a expiré : reconnectez-vous pour continuer."


@pytest.fixture
def other_device(app):
    """A second browser of the same person."""
    return app.test_client()


@pytest.fixture
def admin_client(app, factory):
    admin = factory.user(Role.ADMIN)
    client = app.test_client()
    assert _log_in(client, admin.username).status_code == 302
    return client


def _signed_in(client, path=HOME) -> bool:
    response = client.get(path)
    if response.status_code == 302:
        assert urlsplit(response.location).path == "/connexion"
        return False
    assert response.status_code == 200
    return True


def _copy_of_cookie(app, client):
    """Another client holding the very same session cookie, as someone who copied it would."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def _alerts(response) -> list[str]:
    return [node.text() for node in parse(response.get_data(as_text=True)).find_all(role="alert")]


def _sessions_of(user) -> list[UserSession]:
    db.session.expire_all()
    return db.session.scalars(select(UserSession).where(UserSession.user_id == user.id)).all()


def _age_sessions(user, idle=timedelta(0), since_login=timedelta(0)):
    now = utcnow()
    db.session.execute(update(UserSession).where(UserSession.user_id == user.id)
                       .values(last_seen_at=now - idle, created_at=now - max(idle, since_login)))
    db.session.commit()


def _account_form(user, **changes) -> dict:
    data = {"username": user.username, "email": user.email, "first_name": user.first_name,
            "last_name": user.last_name, "role": user.role.value, "office": user.office_id or "",
            "is_enabled": "y", "password": ""}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


# --- cookies copied before the event are refused after it ------------------------------------------

def test_a_cookie_copied_before_logout_is_refused_after_it(app, client, factory):
    user = factory.operator()
    _log_in(client, user.username)
    thief = _copy_of_cookie(app, client)
    assert _signed_in(thief)

    assert client.post("/deconnexion").status_code == 302

    assert not _signed_in(thief)
    assert not _signed_in(client)
    assert _sessions_of(user) == []


def test_logout_ends_the_sessions_of_the_account_on_every_device(client, other_device, factory):
    user = factory.operator()
    _log_in(client, user.username)
    _log_in(other_device, user.username)

    client.post("/deconnexion")

    assert not _signed_in(other_device)


def test_a_cookie_copied_before_a_password_reset_is_refused_after_it(app, client, factory):
    user = factory.operator()
    victim = app.test_client()
    _log_in(victim, user.username)
    thief = _copy_of_cookie(app, victim)

    client.post("/mot-de-passe-oublie", data={"email": user.email})
    path = _reset_path(_emails()[0])
    assert client.post(path, data={"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD}).status_code == 302

    assert not _signed_in(thief)
    assert not _signed_in(victim)
    assert _log_in(victim, user.username, NEW_PASSWORD).status_code == 302
    assert _signed_in(victim)
    assert not _signed_in(thief)


def test_a_cookie_copied_before_a_role_change_is_refused_after_it(app, factory, admin_client):
    user = factory.officer("FR000600")
    officer = app.test_client()
    _log_in(officer, user.username)
    thief = _copy_of_cookie(app, officer)
    assert _signed_in(thief, QUEUE)

    response = admin_client.post(f"/admin/comptes/edit/?id={user.id}",
                                 data=_account_form(user, role="admin", office=None))

    assert response.status_code == 302, response.get_data(as_text=True)[:1000]
    db.session.expire_all()
    assert db.session.get(User, user.id).role == Role.ADMIN
    assert not _signed_in(thief, "/admin/")
    assert not _signed_in(officer, "/admin/")


def test_a_password_set_on_the_accounts_screen_ends_the_sessions_of_the_account(app, factory, admin_client):
    user = factory.officer("FR000600")
    officer = app.test_client()
    _log_in(officer, user.username)

    admin_client.post(f"/admin/comptes/edit/?id={user.id}", data=_account_form(user, password=NEW_PASSWORD))

    assert not _signed_in(officer, QUEUE)
    assert _log_in(officer, user.username, NEW_PASSWORD).status_code == 302


def test_disabling_an_account_on_the_accounts_screen_ends_its_sessions(app, factory, admin_client):
    user = factory.officer("FR000600")
    officer = app.test_client()
    _log_in(officer, user.username)
    thief = _copy_of_cookie(app, officer)

    admin_client.post(f"/admin/comptes/edit/?id={user.id}", data=_account_form(user, is_enabled=None))

    assert not _signed_in(thief, QUEUE)
    assert _sessions_of(user) == []


def test_other_changes_to_an_account_leave_its_sessions_open(app, factory, admin_client):
    user = factory.officer("FR000600")
    officer = app.test_client()
    _log_in(officer, user.username)

    admin_client.post(f"/admin/comptes/edit/?id={user.id}", data=_account_form(user, first_name="Paulette"))

    assert _signed_in(officer, QUEUE)


def test_a_password_changed_in_the_database_ends_the_open_session(client, factory):
    user = factory.operator()
    _log_in(client, user.username)

    user.password_hash = hash_password(NEW_PASSWORD)
    db.session.commit()

    assert not _signed_in(client)


def test_disabling_an_account_signs_out_its_open_session(client, factory):
    user = factory.operator()
    _log_in(client, user.username)

    user.is_enabled = False
    db.session.commit()

    assert not _signed_in(client)


def test_signing_in_elsewhere_leaves_the_first_session_signed_in(client, other_device, factory):
    user = factory.operator()
    _log_in(client, user.username)
    _log_in(other_device, user.username)

    assert _signed_in(client) and _signed_in(other_device)


def test_logging_in_as_someone_else_ends_the_session_this_browser_had(app, client, factory):
    first, second = factory.operator(), factory.operator()
    _log_in(client, first.username)
    thief = _copy_of_cookie(app, client)

    _log_in(client, second.username)

    assert not _signed_in(thief)
    assert _sessions_of(first) == [] and len(_sessions_of(second)) == 1


def test_a_cookie_naming_another_account_with_a_valid_token_is_refused(app, client, factory):
    """The token is the account's own: a cookie whose account id was swapped (it would need the secret key,
    but still) signs nobody in."""
    user, other = factory.operator(), factory.operator()
    _log_in(client, user.username)
    with client.session_transaction() as session:
        session["_user_id"] = str(other.id)

    assert not _signed_in(client)


def test_the_server_keeps_a_digest_of_the_cookie_token_not_the_token(client, factory):
    user = factory.operator()
    _log_in(client, user.username)
    with client.session_transaction() as session:
        token = session[TOKEN_KEY]

    [row] = _sessions_of(user)
    assert row.id != token and len(row.id) == 64


# --- idle and absolute limits ---------------------------------------------------------------------

def test_default_limits_are_thirty_minutes_for_staff_two_hours_for_operators_twelve_hours_in_all():
    from config import Config

    assert (Config.SESSION_IDLE_MINUTES_STAFF, Config.SESSION_IDLE_MINUTES_OPERATOR,
            Config.SESSION_LIFETIME_HOURS) == (30, 120, 12)


def test_an_officer_idle_for_more_than_thirty_minutes_must_sign_in_again(client, factory):
    user = factory.officer("FR000600")
    _log_in(client, user.username)
    _age_sessions(user, idle=timedelta(minutes=29))
    assert _signed_in(client, QUEUE)  # and this request counts as activity

    _age_sessions(user, idle=timedelta(minutes=31))

    assert not _signed_in(client, QUEUE)
    assert _sessions_of(user) == []


def test_an_operator_idle_for_less_than_two_hours_stays_signed_in(client, factory):
    user = factory.operator()
    _log_in(client, user.username)

    _age_sessions(user, idle=timedelta(minutes=119))
    assert _signed_in(client)

    _age_sessions(user, idle=timedelta(minutes=121))
    assert not _signed_in(client)


def test_activity_keeps_the_session_alive_until_twelve_hours_after_login(client, factory):
    user = factory.operator()
    _log_in(client, user.username)

    _age_sessions(user, idle=timedelta(minutes=5), since_login=timedelta(hours=11, minutes=50))
    assert _signed_in(client)
    [row] = _sessions_of(user)
    assert utcnow() - row.last_seen_at.replace(tzinfo=utcnow().tzinfo) < timedelta(minutes=1)

    _age_sessions(user, idle=timedelta(minutes=5), since_login=timedelta(hours=12, minutes=1))
    assert not _signed_in(client)


def test_idle_limits_are_settings(app, client, factory, monkeypatch):
    monkeypatch.setitem(app.config, "SESSION_IDLE_MINUTES_OPERATOR", 10)
    user = factory.operator()
    _log_in(client, user.username)

    _age_sessions(user, idle=timedelta(minutes=11))

    assert not _signed_in(client)


def test_an_expired_session_says_so_on_the_login_page_and_keeps_next(client, factory):
    user = factory.operator()
    _log_in(client, user.username)
    _age_sessions(user, idle=timedelta(hours=3))

    response = client.get(HOME + "?statut=under_review")

    assert response.status_code == 302
    location = urlsplit(response.location)
    assert location.path == "/connexion"
    assert parse_qs(location.query)["next"] == [HOME + "?statut=under_review"]
    assert _alerts(client.get(response.location)) == [EXPIRED]
    again = client.post(response.location, data={"username": user.username, "password": PASSWORD})
    assert again.status_code == 302 and again.location == HOME + "?statut=under_review"


def test_an_expired_back_office_session_says_so_and_keeps_next(client, factory):
    user = factory.officer("FR000600")
    _log_in(client, user.username)
    _age_sessions(user, idle=timedelta(minutes=45))

    response = client.get(QUEUE)

    assert response.status_code == 302
    assert parse_qs(urlsplit(response.location).query)["next"] == [QUEUE + "?"]
    assert _alerts(client.get(response.location)) == [EXPIRED]


def test_a_session_ended_by_logout_is_not_called_expired(app, client, factory):
    user = factory.operator()
    _log_in(client, user.username)
    thief = _copy_of_cookie(app, client)
    client.post("/deconnexion")

    response = thief.get(HOME)

    assert _alerts(thief.get(response.location)) == ["Veuillez vous authentifier pour accéder à cette page."]


def test_purge_deletes_the_rows_of_sessions_past_their_limits_only(client, other_device, factory):
    stale, fresh = factory.operator(), factory.operator()
    _log_in(client, stale.username)
    _log_in(other_device, fresh.username)
    _age_sessions(stale, idle=timedelta(hours=3))

    assert purge_expired_sessions() == 1

    assert _sessions_of(stale) == [] and len(_sessions_of(fresh)) == 1
    assert _signed_in(other_device)


def test_the_purge_runs_every_hour_as_a_periodic_job(client, factory):
    from jobs.schedule import PERIODIC
    from jobs.sessions import purge_sessions

    assert ("purge_sessions", "jobs.sessions.purge_sessions", 3600) in PERIODIC
    user = factory.operator()
    _log_in(client, user.username)
    _age_sessions(user, since_login=timedelta(hours=13))

    assert purge_sessions() == 1


def test_static_files_neither_read_nor_end_a_session(client, factory):
    """A page's stylesheets and scripts cost no session lookup; the page itself says the session expired."""
    user = factory.operator()
    _log_in(client, user.username)
    _age_sessions(user, idle=timedelta(hours=3))

    assert client.get("/static/css/app.css").status_code == 200

    assert len(_sessions_of(user)) == 1
    response = client.get(HOME)
    assert _alerts(client.get(response.location)) == [EXPIRED]
