"""An officer's page of one registration (autorisation): versions, history, thread, revocation and its
cancellation, the holder's deregistration request. Views parse, call the workflow, render."""
from flask import abort, flash, redirect, request, url_for
from flask_admin import BaseView, expose
from flask_babel import gettext as _
from flask_login import current_user

from app import workflow
from app.admin_views.instruction import _call
from app.admin_views.security import InstructorView
from app.extensions import db
from app.models import Registration, RevocationGround, RexTransmission
from app.queries import files, reference
from app.workflow import four_eyes, hearing, instruction, registrations
from app.workflow.access import officer_may_instruct


class RegistrationView(InstructorView, BaseView):
    """/admin/autorisation/<id>: one version of a registration and the office's actions on it."""

    def is_visible(self):
        return False

    def _registration(self, registration_id: int) -> Registration:
        registration = db.session.get(Registration, registration_id)
        if registration is None or not officer_may_instruct(current_user, registration):
            abort(404)
        return registration

    def _run(self, registration, action, success_message):
        try:
            _call(action)
        except workflow.WorkflowError as exc:
            flash(str(exc.message), "error")
            return self.show(registration.id, status_code=409 if isinstance(exc, workflow.StaleFile) else 422,
                             form_error={exc.field: str(exc.message)} if exc.field else {})
        flash(success_message, "success")
        return redirect(url_for(".show", registration_id=registration.id))

    @expose("/")
    def index(self):
        return redirect(url_for("autorisations_service.index_view"))

    @expose("/<int:registration_id>")
    def show(self, registration_id: int, status_code: int = 200, form_error: dict | None = None):
        registration = self._registration(registration_id)
        application = registration.application
        return self.render(
            "admin/registration.html", registration=registration, application=application,
            versions=registrations.versions_of(registration), periods=registrations.periods_of(registration),
            pending=registrations.pending_modification(registration),
            history=files.registration_history(registration.id), thread=files.registration_thread(registration.id),
            labels=reference.heading_labels([g.heading for g in application.goods_lines]),
            documents=files.documents_of(application.id),
            transmissions=files.transmissions_of_registration(registration.id),
            grounds=registrations.REVOCATION_GROUNDS, ground_label=registrations.ground_label,
            pending_proposal=four_eyes.pending_proposal, action_label=four_eyes.action_label,
            intended_grounds={k: v for k, v in registrations.REVOCATION_GROUNDS.items()
                              if k != RevocationGround.HOLDER_REQUEST},
            form_error=form_error or {}, form_values=request.form if request.method == "POST" else {},
        ), status_code

    @expose("/<int:registration_id>/revoquer", methods=("POST",))
    def revoke(self, registration_id: int):
        registration = self._registration(registration_id)
        return self._run(registration, lambda: registrations.revoke(
            current_user, registration, request.form.get("ground"), request.form.get("comment", "")),
            _("L'enregistrement %(number)s est révoqué ; le titulaire en est informé.", number=registration.number))

    @expose("/<int:registration_id>/notifier-revocation", methods=("POST",))
    def notify_revocation_intent(self, registration_id: int):
        registration = self._registration(registration_id)
        return self._run(registration, lambda: hearing.notify_revocation_intent(
            current_user, registration, request.form.get("hearing_ground"), request.form.get("hearing_grounds", "")),
            _("L'intention de révoquer est notifiée au titulaire, qui peut présenter ses observations."))

    @expose("/<int:registration_id>/proposer-revocation", methods=("POST",))
    def propose_revocation(self, registration_id: int):
        registration = self._registration(registration_id)
        return self._run(registration, lambda: four_eyes.propose_revocation(
            current_user, registration, request.form.get("comment", "")),
            _("La révocation est proposée : elle prendra effet lorsqu'un second agent l'aura validée."))

    @expose("/<int:registration_id>/valider-decision", methods=("POST",))
    def approve_decision(self, registration_id: int):
        registration = self._registration(registration_id)
        return self._run(registration, lambda: four_eyes.approve_revocation(current_user, registration),
                         _("La décision est validée et prend effet."))

    @expose("/<int:registration_id>/renvoyer-proposition", methods=("POST",))
    def return_proposal(self, registration_id: int):
        registration = self._registration(registration_id)
        return self._run(registration, lambda: four_eyes.return_revocation_proposal(
            current_user, registration, request.form.get("return_comment", "")),
            _("La proposition est renvoyée à son auteur."))

    @expose("/<int:registration_id>/abandonner-revocation", methods=("POST",))
    def abandon_revocation(self, registration_id: int):
        registration = self._registration(registration_id)
        return self._run(registration, lambda: hearing.abandon_revocation(
            current_user, registration, request.form.get("abandon_comment", "")),
            _("La procédure de révocation est abandonnée ; le titulaire en est informé."))

    @expose("/<int:registration_id>/annuler-revocation", methods=("POST",))
    def cancel_revocation(self, registration_id: int):
        registration = self._registration(registration_id)
        return self._run(registration, lambda: registrations.cancel_revocation(
            current_user, registration, request.form.get("comment", "")),
            _("La révocation est annulée : l'enregistrement est de nouveau « Octroyée »."))

    @expose("/<int:registration_id>/confirmer-radiation", methods=("POST",))
    def confirm_deregistration(self, registration_id: int):
        registration = self._registration(registration_id)
        return self._run(registration, lambda: registrations.confirm_deregistration(
            current_user, registration, request.form.get("comment", "")),
            _("La radiation est confirmée : l'enregistrement est révoqué à la demande du titulaire."))

    @expose("/<int:registration_id>/message", methods=("POST",))
    def message(self, registration_id: int):
        registration = self._registration(registration_id)
        try:
            _call(lambda: registrations.comment(current_user, registration, request.form.get("body", "")))
        except workflow.WorkflowError as exc:
            return self.show(registration_id, 422, {"body": str(exc.message)})
        return redirect(url_for(".show", registration_id=registration.id) + "#fil")

    @expose("/<int:registration_id>/transmissions/<int:transmission_id>/renvoyer", methods=("POST",))
    def resend_transmission(self, registration_id: int, transmission_id: int):
        registration = self._registration(registration_id)
        transmission = db.session.get(RexTransmission, transmission_id)
        if transmission is None or transmission.registration_id != registration.id:
            abort(404)
        return self._run(registration, lambda: instruction.resend_transmission(current_user, transmission),
                         _("La transmission à l'application REX est relancée."))
