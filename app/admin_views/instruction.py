"""The instruction page of one file and the officer actions on it. Views parse, call the workflow, render."""
from io import BytesIO

from flask import abort, flash, redirect, request, send_file, url_for
from flask_admin import BaseView, expose
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from app import workflow
from app.admin_views.security import InstructorView
from app.extensions import db
from app.identifiers import parse_id
from app.models import Application, Contact, Document, GoodsLine, Office, Registration, RexTransmission, Role, User
from app.queries import files, reference
from app.workflow import applications, clock, four_eyes, instruction, news, registrations
from app.workflow.access import officer_may_instruct


def _version() -> int | None:
    try:
        return int(request.form.get("version", ""))
    except ValueError:
        return None


def _call(action):
    """Run a workflow call. Where the database takes no row lock (SQLite), a concurrent change of the file
    surfaces at a flush inside the transition, not at its version check: answer it as StaleFile, not 500."""
    try:
        return action()
    except (StaleDataError, IntegrityError):
        db.session.rollback()
        raise workflow.StaleFile(_("Ce dossier a changé pendant votre action : rechargez la page.")) from None


class InstructionView(InstructorView, BaseView):
    """/admin/dossier/<id>: every section as filed, documents, history, thread and the allowed actions."""

    def is_visible(self):
        return False

    def _application(self, application_id: int) -> Application:
        application = db.session.get(Application, application_id)
        if (application is None or application.submitted_at is None
                or not officer_may_instruct(current_user, application)):
            abort(404)
        return application

    def _back(self, application, anchor=""):
        return redirect(url_for(".show", application_id=application.id) + anchor)

    def _run(self, application, action, success_message):
        try:
            _call(action)
        except workflow.WorkflowError as exc:
            flash(str(exc.message), "error")
            return self.show(application.id, status_code=409 if isinstance(exc, workflow.StaleFile) else 422,
                             form_error={exc.field: str(exc.message)} if exc.field else {})
        flash(success_message, "success")
        return self._back(application)

    @expose("/")
    def index(self):
        return redirect(url_for("a_traiter.index_view"))

    @expose("/<int:application_id>")
    def show(self, application_id: int, status_code: int = 200, form_error: dict | None = None):
        application = self._application(application_id)
        # What is new for me on this file is shown once, then read: opening the file marks it read for me only.
        unread = news.news_on_file(current_user, application)
        if request.method == "GET":
            news.mark_read(current_user, application)
        offices = db.session.scalars(select(Office).where(Office.id != application.office_id)
                                     .order_by(Office.name)).all()
        return self.render(
            "admin/instruction.html", application=application, history=files.history_of(application.id),
            thread=files.thread_of(application.id), documents=files.documents_of(application.id),
            labels=reference.heading_labels([g.heading for g in application.goods_lines]),
            registration=files.registration_of_application(application.id), offices=offices,
            officers=instruction.officers_of(application), form_error=form_error or {},
            form_values=request.form if request.method == "POST" else {},
            transmissions=files.transmissions_of_application(application.id),
            modified=registrations.modified_sections(application) if application.registration_id else {},
            clock=clock, pending_proposal=four_eyes.pending_proposal, action_label=four_eyes.action_label,
            earlier=applications.earlier_revocation(application) if application.kind.value == "REX" else None,
            ground_label=registrations.ground_label,
            unread=unread,
        ), status_code

    @expose("/<int:application_id>/prendre-en-charge", methods=("POST",))
    def take(self, application_id: int):
        application = self._application(application_id)
        officer = current_user
        if current_user.role == Role.SUPERVISOR and request.form.get("officer_id"):
            officer = db.session.get(User, parse_id(request.form.get("officer_id")) or 0) or abort(404)
        return self._run(application, lambda: instruction.assign(current_user, application, officer, _version()),
                         _("Le dossier %(ref)s est affecté à %(name)s.", ref=application.reference,
                           name=officer.full_name))

    @expose("/<int:application_id>/demander-informations", methods=("POST",))
    def request_information(self, application_id: int):
        application = self._application(application_id)
        return self._run(application, lambda: workflow.request_information(
            current_user, application, request.form.get("message", ""), _version()),
            _("Les informations complémentaires ont été demandées : le demandeur dispose de 30 jours."))

    @expose("/<int:application_id>/proposer-octroi", methods=("POST",))
    def propose_grant(self, application_id: int):
        application = self._application(application_id)
        return self._run(application, lambda: four_eyes.propose_grant(
            current_user, application, request.form.get("remedy_note"), _version()),
                         _("La décision est proposée : elle prendra effet lorsqu'un second agent l'aura validée."))

    @expose("/<int:application_id>/proposer-rejet", methods=("POST",))
    def propose_rejection(self, application_id: int):
        application = self._application(application_id)
        return self._run(application, lambda: four_eyes.propose_rejection(
            current_user, application, request.form.get("reason", ""), _version()),
            _("La décision est proposée : elle prendra effet lorsqu'un second agent l'aura validée."))

    @expose("/<int:application_id>/valider-decision", methods=("POST",))
    def approve_decision(self, application_id: int):
        application = self._application(application_id)
        return self._run(application, lambda: four_eyes.approve_decision(current_user, application, _version()),
                         _("La décision est validée et prend effet."))

    @expose("/<int:application_id>/renvoyer-proposition", methods=("POST",))
    def return_proposal(self, application_id: int):
        application = self._application(application_id)
        return self._run(application, lambda: four_eyes.return_proposal(
            current_user, application, request.form.get("return_comment", ""), _version()),
            _("La proposition est renvoyée à son auteur."))

    @expose("/<int:application_id>/prolonger-delai", methods=("POST",))
    def extend_deadline(self, application_id: int):
        application = self._application(application_id)
        return self._run(application, lambda: clock.extend_deadline(
            current_user, application, request.form.get("extension_days"), request.form.get("extension_reason", ""),
            bool(request.form.get("at_holders_request")), _version()),
            _("Le délai de réponse est prolongé ; le demandeur en est informé."))

    @expose("/<int:application_id>/suspendre-delai", methods=("POST",))
    def suspend_clock(self, application_id: int):
        application = self._application(application_id)
        return self._run(application, lambda: clock.suspend_clock(
            current_user, application, request.form.get("suspension_reason", ""), _version()),
            _("Le délai du dossier est suspendu."))

    @expose("/<int:application_id>/reprendre-delai", methods=("POST",))
    def resume_clock(self, application_id: int):
        application = self._application(application_id)
        return self._run(application, lambda: clock.resume_clock(
            current_user, application, request.form.get("resume_comment", ""), _version()),
            _("Le délai du dossier a repris."))

    @expose("/<int:application_id>/octroyer", methods=("POST",))
    def grant(self, application_id: int):
        application = self._application(application_id)
        result = {}

        def act():
            extra = {"remedy_note": request.form.get("remedy_note")} if application.kind.value == "REX" else {}
            result["granted"] = workflow.grant(current_user, application, _version(), **extra)
        granted = {"EORI": _("Numéro EORI attribué."), "REX_MODIFICATION": _("Modification validée : nouvelle "
                                                                             "version de l'autorisation.")}
        response = self._run(application, act, granted.get(application.kind.value, _("Autorisation octroyée.")))
        if isinstance(result.get("granted"), Registration):
            flash(_("Numéro REX : %(number)s", number=result["granted"].number), "success")
        elif "granted" in result:
            flash(_("Numéro EORI : %(number)s", number=result["granted"].eori), "success")
        return response

    @expose("/<int:application_id>/rejeter", methods=("POST",))
    def reject(self, application_id: int):
        application = self._application(application_id)
        return self._run(application, lambda: workflow.reject(
            current_user, application, request.form.get("reason", ""), _version()), _("La demande est rejetée."))

    @expose("/<int:application_id>/reaffecter", methods=("POST",))
    def reassign(self, application_id: int):
        application = self._application(application_id)
        office = db.session.get(Office, parse_id(request.form.get("office_id")) or 0)
        if office is None:
            return self.show(application_id, 422, {"office_id": _("Choisissez le service.")})
        return self._run(application, lambda: instruction.reassign(
            current_user, application, office, request.form.get("comment", ""), _version()),
            _("Le dossier est réaffecté au service %(office)s ; l'opérateur en est informé.", office=office.name))

    @expose("/<int:application_id>/transmissions/<int:transmission_id>/renvoyer", methods=("POST",))
    def resend_transmission(self, application_id: int, transmission_id: int):
        application = self._application(application_id)
        transmission = db.session.get(RexTransmission, transmission_id)
        if transmission is None or transmission.registration.application_id != application.id:
            abort(404)
        try:
            _call(lambda: instruction.resend_transmission(current_user, transmission))
        except workflow.NotAllowed:
            abort(404)
        except workflow.WorkflowError as exc:
            flash(str(exc.message), "error")
            return self.show(application.id, status_code=409 if isinstance(exc, workflow.StaleFile) else 422)
        flash(_("La transmission à l'application REX est relancée."), "success")
        return self._back(application, "#transmissions-rex")

    @expose("/<int:application_id>/message", methods=("POST",))
    def message(self, application_id: int):
        application = self._application(application_id)
        try:
            _call(lambda: workflow.comment(current_user, application, request.form.get("body", "")))
        except workflow.WorkflowError as exc:
            # Flashed too: the thread form (and its field message) is not shown on an abandoned file.
            flash(str(exc.message), "error")
            return self.show(application_id, 422, {"body": str(exc.message)})
        return self._back(application, "#fil")

    @expose("/<int:application_id>/documents/<int:document_id>")
    def download(self, application_id: int, document_id: int):
        application = self._application(application_id)
        document = db.session.get(Document, document_id)
        if document is None or document.application_id != application.id:
            abort(404)
        response = send_file(BytesIO(document.content), mimetype=document.content_type, as_attachment=True,
                             download_name=document.filename)
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response

    @expose("/<int:application_id>/contacts/<int:contact_id>", methods=("GET", "POST"))
    def correct_contact(self, application_id: int, contact_id: int):
        application = self._application(application_id)
        contact = db.session.get(Contact, contact_id)
        if contact is None or contact.application_id != application.id:
            abort(404)
        fields = ("full_name", "address", "postcode", "city", "country", "phone", "email", "fax")
        return self._correction(application, contact, fields, instruction.correct_contact, "contact")

    @expose("/<int:application_id>/marchandises/<int:line_id>", methods=("GET", "POST"))
    def correct_goods_line(self, application_id: int, line_id: int):
        application = self._application(application_id)
        line = db.session.get(GoodsLine, line_id)
        if line is None or line.application_id != application.id:
            abort(404)
        return self._correction(application, line, ("heading", "description"), instruction.correct_goods_line,
                                "goods")

    def _correction(self, application, row, fields, action, kind):
        error, status = {}, 200
        if request.method == "POST":
            values = {f: request.form.get(f, "") for f in fields}
            try:
                _call(lambda: action(current_user, row, values, request.form.get("comment"), _version()))
                flash(_("La correction est enregistrée ; l'opérateur la voit dans l'historique."), "success")
                return self._back(application)
            except workflow.WorkflowError as exc:
                db.session.refresh(row)
                error = {exc.field or "_": str(exc.message)}
                status = 409 if isinstance(exc, workflow.StaleFile) else 422  # as the other actions answer
        return self.render("admin/correction.html", application=application, row=row, fields=fields, kind=kind,
                           error=error, values=request.form), status
