"""What every page of the operator blueprint shares: the blueprint, its access rule, the one fetch-and-authorise
helper per resource (as the Flask tutorial's get_post), the version a form carries, and abandoning a draft from
its form (REX and EORI alike)."""
from functools import wraps

from flask import Blueprint, abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app import workflow
from app.extensions import db
from app.models import Application, Registration, Role
from app.workflow.access import operator_may_access

bp = Blueprint("operator", __name__, url_prefix="/rex")


def operator_required(view):
    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if current_user.role not in (Role.OPERATOR, Role.REPRESENTATIVE):
            abort(403)
        return view(*args, **kwargs)
    return wrapped


def application_or_404(application_id: int) -> Application:
    """The file, or 404 when it does not exist or belongs to a company the account is not certified for."""
    application = db.session.get(Application, application_id)
    if application is None or not operator_may_access(current_user, application):
        abort(404)
    return application


def registration_or_404(registration_id: int) -> Registration:
    """The version, or 404 unless the account is certified for its holder."""
    registration = db.session.get(Registration, registration_id)
    if registration is None or not any(c.company_id == registration.company_id for c in current_user.certifications):
        abort(404)
    return registration


def form_version(form) -> int | None:
    """The version of the file the form was drawn from (the workflow refuses a stale one)."""
    try:
        return int(form.version.data)
    except (TypeError, ValueError):
        return None


def abandon_draft_from_form(application: Application):
    """'Abandonner ma demande' on a draft's form."""
    try:
        workflow.abandon_draft(current_user, application)
    except workflow.WorkflowError as exc:
        flash(str(exc.message), "danger")
        return redirect(url_for("operator.show", application_id=application.id))
    flash(_("Votre projet de demande %(ref)s est abandonné.", ref=application.reference), "info")
    return redirect(url_for("operator.applications", tab="brouillons"))
