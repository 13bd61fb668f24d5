"""Signed-in sessions kept on the server (app/models/sessions.py), checked at the start of every request.

The cookie (Flask's signed session) holds the account id, as Flask-Login puts it, and a random token; the
session is alive only while the row of that token exists, belongs to that account, and is neither idle too
long (SESSION_IDLE_MINUTES_STAFF / _OPERATOR) nor older than SESSION_LIFETIME_HOURS. Logging out, and any
change of the account's password, role or enabled flag (a flush listener beside the model), delete the rows
of the account: every copy of its cookies, on every device, stops working at once. See README, Security.
"""
import hashlib
import secrets
from datetime import timedelta, timezone

from flask import current_app, flash, request, session
from flask_babel import gettext as _
from sqlalchemy import delete, or_, select
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.models import User
from app.models._time import utcnow
from app.models.sessions import UserSession

TOKEN_KEY = "_session_token"
# Flask-Login's own keys (flask_login.utils.logout_user): popped by hand, since logout_user() would load the
# user it signs out, that is call back into the check below.
LOGIN_KEYS = ("_user_id", "_fresh", "_id")
# last_seen_at is written at most once a minute per session, not at every request; idle limits are
# therefore counted to the minute.
ACTIVITY_RESOLUTION = timedelta(minutes=1)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _aware(value):
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value  # SQLite gives naive UTC


def idle_limit(user: User) -> timedelta:
    name = "SESSION_IDLE_MINUTES_STAFF" if user.is_staff else "SESSION_IDLE_MINUTES_OPERATOR"
    return timedelta(minutes=current_app.config[name])


def lifetime() -> timedelta:
    return timedelta(hours=current_app.config["SESSION_LIFETIME_HOURS"])


def open_session(user: User) -> None:
    """At login, after Flask-Login's login_user(): the row, and its token in the cookie."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    db.session.add(UserSession(id=_digest(token), user_id=user.id, created_at=now, last_seen_at=now))
    db.session.commit()
    session[TOKEN_KEY] = token


def end_sessions(user_id: int) -> None:
    """Every session of the account, on every device (logout)."""
    db.session.execute(delete(UserSession).where(UserSession.user_id == user_id))
    db.session.commit()


def end_current_session() -> None:
    """The session this cookie names, if any (a login over another one: the first ends, not only its cookie)."""
    token = session.get(TOKEN_KEY)
    if token:
        db.session.execute(delete(UserSession).where(UserSession.id == _digest(token)))
        db.session.commit()


def forget_login() -> None:
    for key in (*LOGIN_KEYS, TOKEN_KEY):
        session.pop(key, None)


def check_session() -> None:
    """before_request: decide once who is signed in, before the view runs (the write of last_seen_at commits
    nothing of the view's). The answer is kept on the request for Flask-Login's user_loader."""
    request.session_user = None
    request.session_expired = False
    if "_user_id" not in session or (request.endpoint or "").endswith("static"):  # files: nobody's business
        return
    token = session.get(TOKEN_KEY)
    # The account's office comes with it: every back-office page names it (one statement, not two).
    found = db.session.execute(select(UserSession, User).join(User, User.id == UserSession.user_id)
                               .options(joinedload(User.office))
                               .where(UserSession.id == _digest(token))).one_or_none() if token else None
    if found is None or str(found.User.id) != str(session["_user_id"]) or not found.User.is_active:
        forget_login()  # ended (logout, a password, role or enabled change) or never opened here
        return
    row, user = found
    now = utcnow()
    if now - _aware(row.last_seen_at) > idle_limit(user) or now - _aware(row.created_at) > lifetime():
        # A statement, not session.delete(): the page's other requests may be deleting the same row.
        db.session.execute(delete(UserSession).where(UserSession.id == row.id))
        db.session.commit()
        forget_login()
        request.session_expired = True
        flash(_("Votre session a expiré : reconnectez-vous pour continuer."), "warning")
        return
    if now - _aware(row.last_seen_at) >= ACTIVITY_RESOLUTION:
        row.last_seen_at = now
        db.session.commit()
    request.session_user = user


def load_user(user_id: str) -> User | None:
    """Flask-Login's user_loader: the account check_session() admitted for this request, if any."""
    user = getattr(request, "session_user", None)
    return user if user is not None and str(user.id) == user_id else None


def purge_expired_sessions() -> int:
    """Rows of sessions past their lifetime or idle beyond the longest idle limit (a periodic job)."""
    now = utcnow()
    longest_idle = timedelta(minutes=max(current_app.config["SESSION_IDLE_MINUTES_STAFF"],
                                         current_app.config["SESSION_IDLE_MINUTES_OPERATOR"]))
    result = db.session.execute(delete(UserSession).where(or_(UserSession.created_at < now - lifetime(),
                                                              UserSession.last_seen_at < now - longest_idle)))
    db.session.commit()
    return result.rowcount
