"""'Habilitations à traiter': the requests to act for a company that the officer's offices decide (guide 3.2.3).
Views parse, call the workflow, render."""
from flask import abort, flash, redirect, request, url_for
from flask_admin import BaseView, expose
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.admin_views.administration import ROLE_LABELS
from app.admin_views.instruction import _call
from app.admin_views.security import InstructorView
from app.extensions import db
from app.models import CertificationRequest, CertificationStatus
from app.workflow import WorkflowError, certifications
from app.workflow.access import office_scope

DECIDED_SHOWN = 50


def decided_for(officer) -> list[CertificationRequest]:
    """The last requests decided in the officer's offices, newest first."""
    return list(db.session.scalars(
        select(CertificationRequest)
        .where(CertificationRequest.office_id.in_(office_scope(officer)),
               CertificationRequest.status != CertificationStatus.PENDING)
        .options(joinedload(CertificationRequest.user), joinedload(CertificationRequest.company),
                 joinedload(CertificationRequest.decided_by))
        .order_by(CertificationRequest.decided_at.desc(), CertificationRequest.id.desc()).limit(DECIDED_SHOWN)))


class CertificationQueueView(InstructorView, BaseView):
    """/admin/habilitations-a-traiter/: pending requests of the offices in scope, with Accorder and Refuser."""

    def _request(self, request_id: int) -> CertificationRequest:
        # Another office's request does not exist for this officer, as another office's file.
        certification_request = db.session.get(CertificationRequest, request_id)
        if certification_request is None or certification_request.office_id not in office_scope(current_user):
            abort(404)
        return certification_request

    @expose("/")
    def index(self, status_code: int = 200, errors: dict | None = None):
        return self.render(
            "admin/certifications.html", pending=certifications.pending_for(current_user),
            decided=decided_for(current_user), decided_limit=DECIDED_SHOWN, role_labels=ROLE_LABELS,
            errors=errors or {}, values=request.form if request.method == "POST" else {},
        ), status_code

    def _run(self, certification_request, action, success_message):
        try:
            _call(action)
        except WorkflowError as exc:
            flash(str(exc.message), "error")
            # Errors are keyed by request: each row of the list has its own refusal form.
            return self.index(422, {certification_request.id: {exc.field or "_": str(exc.message)}})
        flash(success_message, "success")
        return redirect(url_for(".index"))

    @expose("/<int:request_id>/accorder", methods=("POST",))
    def approve(self, request_id: int):
        certification_request = self._request(request_id)
        return self._run(certification_request, lambda: certifications.approve(current_user, certification_request),
                         _("Habilitation accordée à %(name)s pour %(company)s.",
                           name=certification_request.user.full_name, company=certification_request.company.name))

    @expose("/<int:request_id>/refuser", methods=("POST",))
    def refuse(self, request_id: int):
        certification_request = self._request(request_id)
        return self._run(certification_request, lambda: certifications.refuse(
            current_user, certification_request, request.form.get("reason", "")),
            _("La demande d'habilitation de %(name)s est refusée ; le demandeur en est informé.",
              name=certification_request.user.full_name))
