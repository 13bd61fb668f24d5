"""Operator blueprint: the SOPRANO/REX home, the filing form, the application page."""
from flask import abort, flash, jsonify, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app import workflow
from app.extensions import db
from app.models import Application, ApplicationKind, ApplicationStatus, Company, Document, Registration, Role
from app.application_form import (
    ApplicationForm, ModificationForm, add_row, attach_errors, content_to_formdata, error_summary, form_to_content, lock_fields,
    locked_errors, remove_row, set_choices, too_many_rows,
)
from app.operator import queries
from app.operator.common import (
    abandon_draft_from_form, application_or_404, bp, form_version, operator_required, registration_or_404,
)
from app.operator.forms import AbandonForm, CommentForm, ComplementForm, DeregistrationForm, ObservationsForm
from app.queries import files, reference
from app.workflow import consent, hearing
from app.workflow import registrations as registration_workflow
from app.workflow.documents import add_document, may_download, remove_document

S = ApplicationStatus


def _is_modification(application: Application) -> bool:
    return application.kind == ApplicationKind.REX_MODIFICATION


def _eori_route(application: Application, endpoint: str):
    """An EORI file has its own form, recap and confirmation (app/operator/eori.py)."""
    if application.kind == ApplicationKind.EORI:
        return redirect(url_for(endpoint, application_id=application.id))
    return None


# --- home and lists -------------------------------------------------------------------------------

@bp.get("/")
@operator_required
def home():
    return redirect(url_for("operator.applications", tab="en-cours"))


@bp.get("/demandes/<any('en-cours', 'brouillons', 'rejetees'):tab>")
@operator_required
def applications(tab: str):
    status = request.args.get("statut") or None
    search = request.args.get("q") or None
    page = queries.applications_in_tab(current_user, tab, status, search, request.args.get("page", 1, type=int))
    return render_template("operator/list.html", tab=tab, page=page, status=status, search=search or "",
                           statuses=queries.TABS[tab])


@bp.get("/autorisations")
@operator_required
def registrations():
    status = request.args.get("statut") or None
    holders = queries.holders_of(current_user)
    # The filter offers the account's own companies; any other value shows them all.
    holder = next((company.id for company in holders if str(company.id) == request.args.get("titulaire")), None)
    page = queries.registrations_of(current_user, status, holder, request.args.get("q"),
                                    request.args.get("page", 1, type=int))
    return render_template("operator/registrations.html", page=page, status=status, holder=holder, holders=holders,
                           statuses=queries.REGISTRATION_STATUSES, search=request.args.get("q", ""),
                           tab="autorisations")


@bp.get("/autorisations/<int:registration_id>")
@operator_required
def registration(registration_id: int):
    return _render_registration(registration_or_404(registration_id), CommentForm(), DeregistrationForm())


def _render_registration(reg: Registration, comment_form, deregistration_form, code=200, observations_form=None):
    application = reg.application
    return render_template(
        "operator/registration.html", registration=reg, application=application,
        versions=registration_workflow.versions_of(reg), periods=registration_workflow.periods_of(reg),
        pending=registration_workflow.pending_modification(reg),
        ground=registration_workflow.ground_label(reg.revocation_ground),
        history=files.registration_history(reg.id), thread=files.registration_thread(reg.id),
        comment_form=comment_form, deregistration_form=deregistration_form,
        observations_form=observations_form or ObservationsForm(),
        hearing_ground=registration_workflow.ground_label(reg.hearing_ground),
        labels=reference.heading_labels([g.heading for g in application.goods_lines]),
        tab="autorisations"), code


@bp.post("/autorisations/<int:registration_id>/modification")
@operator_required
def request_modification(registration_id: int):
    reg = registration_or_404(registration_id)
    try:
        draft = registration_workflow.request_modification(current_user, reg)
    except workflow.WorkflowError as exc:
        flash(str(exc.message), "danger")
        return redirect(url_for("operator.registration", registration_id=reg.id))
    return redirect(url_for("operator.edit", application_id=draft.id))


@bp.post("/autorisations/<int:registration_id>/radiation")
@operator_required
def request_deregistration(registration_id: int):
    reg = registration_or_404(registration_id)
    form = DeregistrationForm()
    if form.validate():
        try:
            registration_workflow.request_deregistration(current_user, reg, form.reason.data)
            flash(_("Votre demande de radiation a été transmise au service."), "success")
            return redirect(url_for("operator.registration", registration_id=reg.id))
        except workflow.WorkflowError as exc:
            if exc.field == "reason":
                form.reason.errors = [str(exc.message)]
            else:
                flash(str(exc.message), "danger")
    return _render_registration(reg, CommentForm(), form, 422)


@bp.post("/autorisations/<int:registration_id>/observations")
@operator_required
def present_observations(registration_id: int):
    reg = registration_or_404(registration_id)
    form = ObservationsForm()
    if form.validate():
        try:
            hearing.present_observations(current_user, reg, form.answer.data)
            flash(_("Vos observations ont été transmises au service."), "success")
            return redirect(url_for("operator.registration", registration_id=reg.id) + "#revocation-envisagee")
        except workflow.WorkflowError as exc:
            if exc.field == "answer":
                form.answer.errors = [str(exc.message)]
            else:
                flash(str(exc.message), "danger")
    return _render_registration(reg, CommentForm(), DeregistrationForm(), 422, observations_form=form)


@bp.post("/autorisations/<int:registration_id>/consentement")
@operator_required
def change_consent(registration_id: int):
    reg = registration_or_404(registration_id)
    give = request.form.get("consent") == "1"
    try:
        (consent.give_consent if give else consent.withdraw_consent)(current_user, reg)
        flash(_("Votre consentement à la publication est enregistré : le registre public l'applique dès maintenant.")
              if give else _("Votre consentement est retiré : le registre public ne publie plus que le numéro, le "
                             "statut et les dates."), "success")
    except workflow.WorkflowError as exc:
        flash(str(exc.message), "danger")
    return redirect(url_for("operator.registration", registration_id=reg.id) + "#publication")


@bp.post("/autorisations/<int:registration_id>/message")
@operator_required
def post_registration_message(registration_id: int):
    reg = registration_or_404(registration_id)
    form = CommentForm()
    if form.validate():
        try:
            registration_workflow.comment(current_user, reg, form.body.data)
            return redirect(url_for("operator.registration", registration_id=reg.id) + "#fil")
        except workflow.WorkflowError as exc:
            if exc.field == "body":
                form.body.errors = [str(exc.message)]
            else:
                flash(str(exc.message), "danger")
    return _render_registration(reg, form, DeregistrationForm(), 422)


# --- filing ---------------------------------------------------------------------------------------

@bp.route("/deposer", methods=("GET", "POST"))
@operator_required
def new_application():
    if request.method == "POST":
        try:
            application = workflow.create_draft(current_user)
        except workflow.WorkflowError as exc:
            flash(exc.message, "danger")
            return redirect(url_for("operator.new_application"))
        return redirect(url_for("operator.edit", application_id=application.id))
    return render_template("operator/new.html", tab="deposer")


def _build_form(application: Application, formdata=None) -> ApplicationForm:
    content = workflow.content_of(application)
    modification = _is_modification(application)
    data = None
    if formdata is None:
        data = content_to_formdata(content)
        if modification:
            data["request_comment"] = application.request_comment
    form = (ModificationForm if modification else ApplicationForm)(formdata=formdata, data=data)
    if formdata is None:
        form.version.data = str(application.version)
    elif modification:
        lock_fields(form, workflow.content_of(application.registration.application))
    companies = current_user.client_companies if current_user.role == Role.REPRESENTATIVE else \
        current_user.certified_companies
    set_choices(form, reference.offices(), companies)
    return form


def _identity(form: ApplicationForm, application: Application) -> dict:
    company = db.session.get(Company, form.company_id.data) if form.company_id.data else None
    if company is None:
        return {"eori": None, "name": None}
    return {"eori": company.eori, "name": company.name}


def _company_changed_prefill(form, application, force=False):
    """A representative who picks another client gets that client's data, as the guide describes: in the
    browser as soon as it is picked (static/js/client-prefill.js), here on save, or with « Reprendre les
    données de l'opérateur » (force)."""
    company = db.session.get(Company, form.company_id.data) if form.company_id.data else None
    if company and (force or company.id != application.company_id):
        for name in ("address", "postcode", "city", "country", "phone", "email", "fax"):
            form[f"exporter_{name}"].data = getattr(company, name)


@bp.route("/demandes/<int:application_id>/formulaire", methods=("GET", "POST"))
@operator_required
def edit(application_id: int):
    application = application_or_404(application_id)
    if eori := _eori_route(application, "operator.eori_edit"):
        return eori
    if not workflow.may(current_user, application, "save_draft"):
        return redirect(url_for("operator.show", application_id=application.id))
    if request.method == "GET":
        form = _build_form(application)
        add_row(form, request.args.get("ajouter"))
        return _render_form(form, application, {})

    form = _build_form(application, request.form)
    action = request.form.get("action", "save")
    if action == "abandon":
        return abandon_draft_from_form(application)
    if not form.validate():
        return _render_form(form, application, {}, 422)
    _company_changed_prefill(form, application, force=action == "prefill")
    removal = action.startswith("remove-")
    if removal:
        remove_row(form, action)
    too_many = too_many_rows(form)
    if too_many:
        return _render_form(form, application, too_many, 422)
    try:
        workflow.save_draft(current_user, application, form_to_content(form, _identity(form, application)),
                            expected_version=form_version(form),
                            request_comment=form.request_comment.data if _is_modification(application) else None)
    except workflow.WorkflowError as exc:
        return _render_error(form, application, exc)
    if action == "prefill":
        return redirect(url_for("operator.edit", application_id=application.id) + "#section-2")
    if action == "documents":  # « Gérer les documents de la demande »: what was typed is saved first
        return redirect(url_for("operator.documents", application_id=application.id))
    if action in ("add-contacts", "add-goods"):
        return redirect(url_for("operator.edit", application_id=application.id, ajouter=action[4:]) +
                        f"#{action[4:]}")
    if action == "validate":
        errors = workflow.validation_errors(application)
        if errors:
            form = _build_form(application, request.form)
            form.validate()
            form.version.data = str(application.version)  # the draft was just saved: a newer version
            section_errors = attach_errors(form, errors)
            flash(_("Votre demande ne peut pas être validée : les champs à compléter vous sont indiqués."),
                  "danger")
            return _render_form(form, application, section_errors, 422)
        return redirect(url_for("operator.summary", application_id=application.id))
    if removal:
        return redirect(url_for("operator.edit", application_id=application.id))
    flash(_("Votre demande est enregistrée à l'état de brouillon sous la référence %(ref)s. Vous la retrouverez "
            "dans « Mes brouillons ».", ref=application.reference) if application.status == S.DRAFT else
          _("Vos modifications sont enregistrées."), "success")
    return redirect(url_for("operator.applications", tab="brouillons") if application.status == S.DRAFT
                    else url_for("operator.show", application_id=application.id))


def _render_form(form, application, section_errors, code=200):
    modification = _is_modification(application)
    return render_template("operator/form.html", form=form, application=application,
                           section_errors=section_errors,
                           errors_found=error_summary(form, section_errors) if code >= 400 else [], documents=files.documents_of(application.id),
                           locked=modification, locked_errors=locked_errors(form) if modification else [],
                           tab="autorisations" if modification else "deposer"), code


def _render_error(form, application, exc):
    if exc.field and exc.field in form:
        form[exc.field].errors = [*form[exc.field].errors, str(exc.message)]
    else:
        flash(str(exc.message), "danger")
    return _render_form(form, application, {}, 409 if isinstance(exc, workflow.StaleFile) else 422)


@bp.route("/demandes/<int:application_id>/recapitulatif", methods=("GET", "POST"))
@operator_required
def summary(application_id: int):
    application = application_or_404(application_id)
    if eori := _eori_route(application, "operator.eori_summary"):
        return eori
    if not workflow.may(current_user, application, "save_draft"):
        return redirect(url_for("operator.show", application_id=application.id))
    form = ComplementForm()
    if request.method == "GET":
        form.version.data = str(application.version)
    errors = {}
    if request.method == "POST" and form.validate():
        try:
            if workflow.may(current_user, application, "submit"):
                workflow.submit(current_user, application, expected_version=form_version(form))
                if _is_modification(application):
                    flash(_("Votre demande de modification a été transmise aux autorités douanières sous la "
                            "référence %(ref)s.", ref=application.reference), "success")
                    return redirect(url_for("operator.registration", registration_id=application.registration_id))
                return redirect(url_for("operator.confirmation", application_id=application.id))
            workflow.complete(current_user, application, form.complement.data, expected_version=form_version(form))
            flash(_("Les informations complémentaires saisies ont été transmises au service."), "success")
            return redirect(url_for("operator.show", application_id=application.id))
        except workflow.Incomplete as exc:
            flash(str(exc.message), "danger")
            return redirect(url_for("operator.edit", application_id=application.id))
        except workflow.WorkflowError as exc:
            if exc.field == "request_comment":  # the comment is typed on the form: back to it, error beside it
                entry = _build_form(application)
                entry.request_comment.errors = [str(exc.message)]
                return _render_form(entry, application, {}, 422)
            if exc.field == "complement":
                form.complement.errors = [str(exc.message)]
            else:
                flash(str(exc.message), "danger")
            errors = {"any": True}
    modified = _modified(application)
    return render_template("operator/summary.html", application=application, form=form, changed_sections=modified,
                           labels=_goods_labels(application, modified),
                           documents=files.documents_of(application.id),
                           tab="autorisations" if _is_modification(application) else "deposer"), \
        (422 if errors else 200)


@bp.get("/demandes/<int:application_id>/confirmation")
@operator_required
def confirmation(application_id: int):
    application = application_or_404(application_id)
    if eori := _eori_route(application, "operator.eori_confirmation"):
        return eori
    return render_template("operator/confirmation.html", application=application, tab="en-cours")


# --- the application page -------------------------------------------------------------------------

@bp.get("/demandes/<int:application_id>")
@operator_required
def show(application_id: int):
    application = application_or_404(application_id)
    return _render_show(application, CommentForm(), AbandonForm())


def _modified(application: Application) -> dict:
    """The sections a modification request changes (empty for any other file, or once abandoned)."""
    if not _is_modification(application) or application.status == S.ABANDONED:
        return {}
    return registration_workflow.modified_sections(application)


def _goods_labels(application: Application, modified: dict) -> dict:
    former = modified["5"][0] if "5" in modified else []
    return reference.heading_labels([g.heading for g in application.goods_lines] + [g["heading"] for g in former])


def _render_show(application, comment_form, abandon_form, code=200):
    modified = _modified(application)
    return render_template(
        "operator/show.html", application=application, comment_form=comment_form, abandon_form=abandon_form,
        history=files.history_of(application.id), thread=files.thread_of(application.id),
        documents=files.documents_of(application.id),
        labels=_goods_labels(application, modified), changed_sections=modified,
        registration=files.registration_of_application(application.id),
        tab=queries.tab_of(application)), code


@bp.post("/demandes/<int:application_id>/message")
@operator_required
def post_message(application_id: int):
    application = application_or_404(application_id)
    form = CommentForm()
    if form.validate():
        try:
            workflow.comment(current_user, application, form.body.data)
            return redirect(url_for("operator.show", application_id=application.id) + "#fil")
        except workflow.WorkflowError as exc:
            if exc.field == "body":
                form.body.errors = [str(exc.message)]
            else:  # the thread form is not on the page (draft, abandoned file): say why at the top
                flash(str(exc.message), "danger")
    return _render_show(application, form, AbandonForm(), 422)


@bp.post("/demandes/<int:application_id>/dupliquer")
@operator_required
def duplicate(application_id: int):
    application = application_or_404(application_id)
    try:
        copy = workflow.duplicate(current_user, application)
    except workflow.WorkflowError as exc:
        flash(str(exc.message), "danger")
        return redirect(url_for("operator.show", application_id=application.id))
    flash(_("La demande %(ref)s a été créée à partir d'un duplicata de la demande %(src)s.",
            ref=copy.reference, src=application.reference), "success")
    return redirect(url_for("operator.edit", application_id=copy.id))


@bp.post("/demandes/<int:application_id>/abandonner")
@operator_required
def abandon(application_id: int):
    application = application_or_404(application_id)
    form = AbandonForm()
    if form.validate():
        try:
            workflow.abandon(current_user, application, form.comment.data)
            flash(_("Votre demande %(ref)s a été abandonnée.", ref=application.reference), "info")
            return redirect(url_for("operator.show", application_id=application.id))
        except workflow.WorkflowError as exc:
            flash(str(exc.message), "danger")
    return _render_show(application, CommentForm(), form, 422)


@bp.route("/demandes/<int:application_id>/completer", methods=("GET", "POST"))
@operator_required
def start_complement(application_id: int):
    application = application_or_404(application_id)
    if not workflow.may(current_user, application, "complete"):
        flash(_("Cette demande n'est pas au statut « Incomplète »."), "danger")
        return redirect(url_for("operator.show", application_id=application.id))
    if request.method == "POST":
        return redirect(url_for("operator.edit", application_id=application.id))
    return render_template("operator/complete_confirm.html", application=application, tab="en-cours")


@bp.post("/demandes/<int:application_id>/annuler-complement")
@operator_required
def cancel_complement(application_id: int):
    """« Annuler la saisie du complément »: the file is back as the office left it; nothing is recorded."""
    application = application_or_404(application_id)
    form = ComplementForm()
    try:
        workflow.cancel_complement(current_user, application, expected_version=form_version(form))
        flash(_("La saisie du complément est annulée : votre demande est revenue à son état précédent."), "info")
    except workflow.WorkflowError as exc:
        flash(str(exc.message), "danger")
    return redirect(url_for("operator.show", application_id=application.id))


# --- documents ------------------------------------------------------------------------------------

@bp.route("/demandes/<int:application_id>/documents", methods=("GET", "POST"))
@operator_required
def documents(application_id: int):
    application = application_or_404(application_id)
    error = {}
    if request.method == "POST":
        upload = request.files.get("file")
        name = request.form.get("name", "")
        try:
            add_document(current_user, application, name, upload.filename if upload else "",
                         upload.read() if upload else b"")
            flash(_("Le document « %(name)s » a été ajouté à la demande.", name=name.strip()), "success")
            return redirect(url_for("operator.documents", application_id=application.id))
        except workflow.WorkflowError as exc:
            error = {exc.field or "status": str(exc.message)}
            if exc.field is None:  # not about a field (e.g. the file's status): the upload form may be hidden
                flash(str(exc.message), "danger")
    return render_template("operator/documents.html", application=application, error=error,
                           name=request.form.get("name", ""), documents=files.documents_of(application.id),
                           tab="deposer"), (422 if error else 200)


@bp.get("/demandes/<int:application_id>/documents/<int:document_id>")
@operator_required
def download(application_id: int, document_id: int):
    application = application_or_404(application_id)
    document = db.session.get(Document, document_id)
    if document is None or document.application_id != application.id or not may_download(current_user, document):
        abort(404)
    from io import BytesIO
    response = send_file(BytesIO(document.content), mimetype=document.content_type, as_attachment=True,
                         download_name=document.filename)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.post("/demandes/<int:application_id>/documents/<int:document_id>/supprimer")
@operator_required
def delete_document(application_id: int, document_id: int):
    application = application_or_404(application_id)
    document = db.session.get(Document, document_id)
    if document is None or document.application_id != application.id:
        abort(404)
    try:
        remove_document(current_user, application, document)
        flash(_("Le document a été retiré de la demande."), "info")
    except workflow.WorkflowError as exc:
        flash(str(exc.message), "danger")
    return redirect(url_for("operator.documents", application_id=application.id))


# --- reference look-ups ---------------------------------------------------------------------------

@bp.get("/positions-tarifaires")
@login_required
def headings():
    term = request.args.get("q", "")
    if len(term.strip()) < 2:
        return jsonify([])
    return jsonify([{"code": h.code if len(h.code) == 4 else f"{h.code}00", "label": h.description}
                    for h in reference.search_headings(term)])
