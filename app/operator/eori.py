"""'Demande de numéro EORI' (seed 004): the form, its recap and the confirmation, on the operator blueprint.

The application page, the documents, the thread and 'Compléter la demande' are those of views.py; its
edit, summary and confirmation routes send an EORI file here.
"""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app import workflow
from app.models import Application, ApplicationKind, ApplicationStatus
from app.application_form import error_summary
from app.operator.common import (
    abandon_draft_from_form, application_or_404, bp, form_version, operator_required,
)
from app.operator.eori_forms import EoriForm, attach_errors, content_to_formdata, form_to_content, set_choices
from app.operator.forms import ComplementForm
from app.queries import files, reference
from app.workflow import eori as eori_workflow

S = ApplicationStatus


def _eori_application(application_id: int) -> Application:
    application = application_or_404(application_id)
    if application.kind != ApplicationKind.EORI:
        abort(404)
    return application


def _show(application: Application):
    return redirect(url_for("operator.show", application_id=application.id))


@bp.post("/eori/deposer")
@operator_required
def new_eori():
    try:
        application = eori_workflow.create_draft(current_user)
    except workflow.WorkflowError as exc:
        flash(str(exc.message), "danger")
        return redirect(url_for("operator.new_application"))
    return redirect(url_for("operator.eori_edit", application_id=application.id))


def _build_form(application: Application, formdata=None) -> EoriForm:
    data = None
    if formdata is None:
        data = content_to_formdata(eori_workflow.content_of(application.eori_request), application.office_id)
    form = EoriForm(formdata=formdata, data=data)
    if formdata is None:
        form.version.data = str(application.version)
    set_choices(form, reference.offices())
    return form


def _render_form(form: EoriForm, application: Application, code=200):
    return render_template("operator/eori_form.html", form=form, application=application,
                           errors_found=error_summary(form) if code >= 400 else [],
                           documents=files.documents_of(application.id), tab="deposer"), code


@bp.route("/eori/<int:application_id>/formulaire", methods=("GET", "POST"))
@operator_required
def eori_edit(application_id: int):
    application = _eori_application(application_id)
    if not workflow.may(current_user, application, "save_draft"):
        return _show(application)
    if request.method == "GET":
        return _render_form(_build_form(application), application)

    form = _build_form(application, request.form)
    action = request.form.get("action", "save")
    if action == "abandon":
        return abandon_draft_from_form(application)
    if not form.validate():
        return _render_form(form, application, 422)
    try:
        eori_workflow.save_draft(current_user, application, form_to_content(form), form.office_id.data,
                                 expected_version=form_version(form))
    except workflow.Incomplete as exc:  # malformed identifiers, a bad date: each beside its field
        for message in attach_errors(form, exc.errors).values():
            flash(str(message), "danger")
        flash(str(exc.message), "danger")
        return _render_form(form, application, 422)
    except workflow.WorkflowError as exc:
        if exc.field in form:
            form[exc.field].errors = [*form[exc.field].errors, str(exc.message)]
        else:
            flash(str(exc.message), "danger")
        return _render_form(form, application, 409 if isinstance(exc, workflow.StaleFile) else 422)
    form.version.data = str(application.version)  # saved: the next post builds on this version
    if action == "documents":
        return redirect(url_for("operator.documents", application_id=application.id))
    if action == "validate":
        errors = workflow.validation_errors(application)
        if not errors:
            return redirect(url_for("operator.eori_summary", application_id=application.id))
        for message in attach_errors(form, errors).values():
            flash(str(message), "danger")
        flash(_("Votre demande ne peut pas être validée : les champs à compléter vous sont indiqués."), "danger")
        return _render_form(form, application, 422)
    if application.status == S.DRAFT:
        flash(_("Votre demande est enregistrée à l'état de brouillon sous la référence %(ref)s. Vous la retrouverez "
                "dans « Mes brouillons ».", ref=application.reference), "success")
        return redirect(url_for("operator.applications", tab="brouillons"))
    flash(_("Vos modifications sont enregistrées."), "success")
    return _show(application)


@bp.route("/eori/<int:application_id>/recapitulatif", methods=("GET", "POST"))
@operator_required
def eori_summary(application_id: int):
    """'Soumettre ma demande' for a draft; for an incomplete file, 'Transmettre le complément'."""
    application = _eori_application(application_id)
    if not workflow.may(current_user, application, "save_draft"):
        return _show(application)
    form = ComplementForm()
    if request.method == "GET":
        form.version.data = str(application.version)
    elif form.validate():
        try:
            if workflow.may(current_user, application, "submit"):
                workflow.submit(current_user, application, expected_version=form_version(form))
                return redirect(url_for("operator.eori_confirmation", application_id=application.id))
            workflow.complete(current_user, application, form.complement.data, expected_version=form_version(form))
            flash(_("Les informations complémentaires saisies ont été transmises au service."), "success")
            return _show(application)
        except workflow.Incomplete as exc:  # changed meanwhile (e.g. the number was granted to someone else)
            entry = _build_form(application)
            for message in attach_errors(entry, exc.errors).values():
                flash(str(message), "danger")
            flash(str(exc.message), "danger")
            return _render_form(entry, application, 422)
        except workflow.WorkflowError as exc:
            if exc.field == "complement":
                form.complement.errors = [str(exc.message)]
            else:
                flash(str(exc.message), "danger")
    return render_template("operator/eori_summary.html", application=application, form=form,
                           documents=files.documents_of(application.id), tab="deposer"), \
        (422 if request.method == "POST" else 200)


@bp.get("/eori/<int:application_id>/confirmation")
@operator_required
def eori_confirmation(application_id: int):
    application = _eori_application(application_id)
    if workflow.may(current_user, application, "submit"):
        return redirect(url_for("operator.eori_edit", application_id=application.id))
    return render_template("operator/eori_confirmation.html", application=application, tab="en-cours")
