from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import func, select

from app.auth import accounts
from app.auth.forms import LoginForm, SignUpForm
from app.auth.passwords import check_password
from app.extensions import db
from app.models import User

bp = Blueprint("auth", __name__)


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


@bp.route("/connexion", methods=("GET", "POST"))
def login():
    form = LoginForm()
    if form.validate_on_submit():
        user = db.session.scalar(select(User).where(func.lower(User.username) == form.username.data.lower()))
        if user is None or not check_password(user.password_hash, form.password.data):
            form.password.errors.append(_("Identifiant ou mot de passe incorrect."))
        elif not user.is_active:
            form.username.errors.append(_("Ce compte n'est pas encore activé : cliquez sur le lien reçu par "
                                          "courriel."))
        else:
            login_user(user)
            return redirect(_safe_next(request.args.get("next")) or _home_for(user))
    return render_template("auth/login.html", form=form), (200 if not form.errors else 422)


@bp.post("/deconnexion")
@login_required
def logout():
    logout_user()
    flash(_("Vous êtes déconnecté."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/inscription", methods=("GET", "POST"))
def sign_up():
    form = SignUpForm()
    if form.validate_on_submit():
        accounts.sign_up(username=form.username.data, email=form.email.data, password=form.password.data,
                         first_name=form.first_name.data, last_name=form.last_name.data,
                         phone=form.phone.data, mobile=form.mobile.data, postal_address=form.postal_address.data)
        return render_template("auth/sign_up_done.html", email=form.email.data)
    return render_template("auth/sign_up.html", form=form), (200 if not form.errors else 422)


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
