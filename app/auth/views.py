import math
import time
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import func, select

from app.auth import accounts
from app.auth.forms import LoginForm, NewPasswordForm, PasswordForgottenForm, SignUpForm
from app.auth.passwords import check_password
from app.auth.sessions import end_current_session, end_sessions, forget_login, open_session
from app.auth.tokens import InvalidResetToken
from app.extensions import db, limiter
from app.models import User

bp = Blueprint("auth", __name__)


def _setting(name: str):
    """A limit read from the config at each request, as the public register's (tests lower them)."""
    return lambda: current_app.config[name]


def _identifier_tried() -> str:
    # Lower-cased as the lookup is: one budget per identifier, whether an account has it or not.
    return "account:" + request.form.get("username", "").lower()


def _email_asked() -> str:
    return "email:" + request.form.get("email", "").strip().lower()


def _login_failed(response) -> bool:
    # Marked on the request, not on g: the tests keep one app context, hence one g, across requests.
    return getattr(request, "login_failed", False)


def _home_for(user: User) -> str:
    return url_for("admin.index") if user.is_staff and "admin.index" in _endpoints() else url_for("operator.home")


def _endpoints():
    from flask import current_app
    return current_app.view_functions


def _safe_next(target: str | None) -> str | None:
    # Only same-site relative paths: never redirect a person to another host after login.
    # Control characters and backslashes are refused: "/\t/host" becomes "//host" once the tab is
    # dropped (by Werkzeug or the browser), and browsers read "/\\host" as "//host".
    if not target or "\\" in target or any(ord(c) < 32 or ord(c) == 127 for c in target):
        return None
    parts = urlsplit(target)
    if target.startswith("/") and not target.startswith("//") and not parts.scheme and not parts.netloc:
        return target
    return None


def _renew_session() -> None:
    """Start the signed-in session afresh: nothing put in the session before login (by a planted cookie, say)
    carries over, except the language chosen. Flask-WTF keeps its CSRF secret in the session, so a new one
    comes with it; forget the token it cached for this request."""
    lang = session.get("lang")
    session.clear()
    g.pop(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), None)
    if lang:
        session["lang"] = lang


# Only wrong identifiers or passwords count (deduct_when); a refused attempt beyond the limit is not
# checked, so it costs nothing either and the wait does not grow.
@bp.route("/connexion", methods=("GET", "POST"))
@limiter.limit(_setting("LOGIN_RATE_LIMIT_ACCOUNT"), key_func=_identifier_tried, methods=["POST"],
               deduct_when=_login_failed)
@limiter.limit(_setting("LOGIN_RATE_LIMIT_ADDRESS"), key_func=get_remote_address, methods=["POST"],
               deduct_when=_login_failed)
def login():
    form = LoginForm()
    if form.validate_on_submit():
        user = db.session.scalar(select(User).where(func.lower(User.username) == form.username.data.lower()))
        password_right = check_password(user.password_hash if user else None, form.password.data)
        if not password_right or not user.is_active:
            # An account not activated (or disabled) answers as a wrong password does, and counts as one: the
            # answer never confirms a password. The owner of a never-activated account gets its link again.
            if password_right and user.activated_at is None and user.is_enabled:
                accounts.resend_activation(user)
            request.login_failed = True
            form.password.errors.append(_("Identifiant ou mot de passe incorrect."))
        else:
            accounts.renew_password_hash(user, form.password.data)
            end_current_session()  # whoever was signed in on this browser before
            _renew_session()
            login_user(user)
            open_session(user)
            return redirect(_safe_next(request.args.get("next")) or _home_for(user))
    return render_template("auth/login.html", form=form), (200 if not form.errors else 422)


@bp.errorhandler(429)
def too_many_attempts(error):
    """Over a login or reset limit: the form again, with the wait in minutes beside it."""
    reset_at = max((limit.reset_at for limit in limiter.current_limits if limit.breached), default=time.time() + 60)
    seconds = int(reset_at - time.time())  # as Retry-After says it (reset_at is already rounded up)
    minutes = max(1, math.ceil(seconds / 60))
    if request.endpoint == "auth.login":
        message = ngettext("Trop de tentatives de connexion : réessayez dans %(num)d minute.",
                           "Trop de tentatives de connexion : réessayez dans %(num)d minutes.", minutes)
        return render_template("auth/login.html", form=LoginForm(), throttled=message), 429
    if request.endpoint == "auth.password_forgotten":
        message = ngettext("Trop de demandes : réessayez dans %(num)d minute.",
                           "Trop de demandes : réessayez dans %(num)d minutes.", minutes)
        return render_template("auth/password_forgotten.html", form=PasswordForgottenForm(),
                               throttled=message), 429
    if request.endpoint == "auth.sign_up":
        message = ngettext("Trop de demandes : réessayez dans %(num)d minute.",
                           "Trop de demandes : réessayez dans %(num)d minutes.", minutes)
        return render_template("auth/sign_up.html", form=SignUpForm(), throttled=message), 429
    return render_template("error.html", code=429), 429


@bp.post("/deconnexion")
@login_required
def logout():
    # Every session of the account ends, here and on any other device or copy of the cookie.
    end_sessions(current_user.id)
    logout_user()
    forget_login()
    flash(_("Vous êtes déconnecté."), "info")
    return redirect(url_for("auth.login"))


def _sign_up_sent(response) -> bool:
    return getattr(request, "sign_up_sent", False)


# Each sign-up sends a mail (activation, or "un compte existe déjà" with a reset link): counted per client IP
# and per address as "Mot de passe oublié" is, whether the address has an account or not. Only forms that
# pass validation count, so a person correcting the form spends nothing.
@bp.route("/inscription", methods=("GET", "POST"))
@limiter.limit(_setting("SIGN_UP_RATE_LIMIT"), key_func=_email_asked, methods=["POST"], deduct_when=_sign_up_sent)
@limiter.limit(_setting("SIGN_UP_RATE_LIMIT"), key_func=get_remote_address, methods=["POST"],
               deduct_when=_sign_up_sent)
def sign_up():
    form = SignUpForm()
    if form.validate_on_submit():
        request.sign_up_sent = True
        accounts.sign_up(username=form.username.data, email=form.email.data, password=form.password.data,
                         first_name=form.first_name.data, last_name=form.last_name.data,
                         phone=form.phone.data, mobile=form.mobile.data, postal_address=form.postal_address.data)
        # The same page whether the address was new or already had an account (accounts.sign_up).
        return render_template("auth/sign_up_done.html", email=form.email.data)
    return render_template("auth/sign_up.html", form=form), (200 if not form.errors else 422)


# Every request counts, per client IP and per address asked: a flood of reset emails to one mailbox
# is cut short, and the limit is the same whether the address has an account or not.
@bp.route("/mot-de-passe-oublie", methods=("GET", "POST"))
@limiter.limit(_setting("PASSWORD_RESET_RATE_LIMIT"), key_func=_email_asked, methods=["POST"])
@limiter.limit(_setting("PASSWORD_RESET_RATE_LIMIT"), key_func=get_remote_address, methods=["POST"])
def password_forgotten():
    form = PasswordForgottenForm()
    if form.validate_on_submit():
        accounts.request_password_reset(form.email.data)
        return render_template("auth/password_reset_sent.html", email=form.email.data)
    return render_template("auth/password_forgotten.html", form=form), (200 if not form.errors else 422)


@bp.route("/mot-de-passe/<token>", methods=("GET", "POST"))
def reset_password(token: str):
    try:
        user = accounts.user_for_password_reset(token)
    except InvalidResetToken as error:
        return render_template("auth/password_reset_invalid.html", reason=error.reason), 400
    form = NewPasswordForm()
    if form.validate_on_submit():
        accounts.reset_password(user, form.password.data)
        flash(_("Votre mot de passe a été modifié : vous pouvez vous connecter."), "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/password_reset.html", form=form, user=user), (200 if not form.errors else 422)


@bp.get("/activer/<token>")
def activate(token: str):
    user = accounts.activate(token)
    if user is None:
        flash(_("Ce lien d'activation n'est pas valide ou a expiré."), "danger")
    else:
        flash(_("Votre compte est activé : vous pouvez vous connecter."), "success")
    return redirect(url_for("auth.login"))


@bp.get("/")
def index():
    if current_user.is_authenticated:
        return redirect(_home_for(current_user))
    return redirect(url_for("auth.login"))
