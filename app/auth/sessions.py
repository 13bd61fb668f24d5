"""A signed-in session is bound to the password it was opened with: once the password changes (reset by
emailed link, set by an administrator), every session opened before is signed out at its next request."""
import hmac

from flask import session

from app.auth.tokens import password_fingerprint

KEY = "_password"


def bind_session(user) -> None:
    """Called at login, once the password hash is final (renew_password_hash may have replaced it)."""
    session[KEY] = password_fingerprint(user.password_hash)


def session_matches(user) -> bool:
    return hmac.compare_digest(session.get(KEY, ""), password_fingerprint(user.password_hash))

