"""An officer's page of one operator (company): its EORI number, the accounts acting for it, its REX
registrations, and the invalidation of the number (DA Art. 7). Views parse, call the workflow, render."""
from datetime import date

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
from app.models import Certification, Company, Office, Registration
from app.models._time import utcnow
from app.workflow import StaleFile, WorkflowError, eori
from app.workflow.access import officer_may_instruct, officer_may_read_company


def certifications_of(company: Company) -> list[Certification]:
    return list(db.session.scalars(select(Certification).where(Certification.company_id == company.id)
                                   .options(joinedload(Certification.user)).order_by(Certification.granted_at)))


def registrations_of(company: Company) -> list[Registration]:
    return list(db.session.scalars(select(Registration).where(Registration.company_id == company.id)
                                   .options(joinedload(Registration.office))
                                   .order_by(Registration.created_at.desc(), Registration.id.desc())))


def _date(value: str) -> date | None:
    """The date input's ISO value; empty means today (the workflow's default)."""
    return date.fromisoformat(value) if value else None


class CompanyView(InstructorView, BaseView):
    """/admin/operateur/<id>: readable by the officers of the office that granted the number. Companies known
    before this service (no office) are readable by every officer, and no office may invalidate them."""

    def is_visible(self):
        return False

    def _company(self, company_id: int) -> Company:
        company = db.session.get(Company, company_id)
        if company is None or not officer_may_read_company(current_user, company):
            abort(404)
        return company

    @expose("/")
    def index(self):
        return redirect(url_for("admin.index"))

    @expose("/<int:company_id>")
    def show(self, company_id: int, status_code: int = 200, form_error: dict | None = None):
        company = self._company(company_id)
        office = db.session.get(Office, company.office_id) if company.office_id else None
        return self.render(
            "admin/company.html", company=company, office=office,
            certifications=certifications_of(company),
            registrations=registrations_of(company), application=eori.granting_application(company),
            retention_end=eori.retention_end(company), reasons=eori.INVALIDATION_REASONS, role_labels=ROLE_LABELS,
            today=utcnow().date(), form_error=form_error or {},
            form_values=request.form if request.method == "POST" else {},
        ), status_code

    @expose("/<int:company_id>/invalider", methods=("POST",))
    def invalidate(self, company_id: int):
        company = self._company(company_id)
        if not officer_may_instruct(current_user, company):
            abort(404)
        try:
            on = _date(request.form.get("on", ""))
        except ValueError:
            return self.show(company_id, 422, {"on": _("Date invalide : saisissez-la au format JJ/MM/AAAA.")})
        try:
            _call(lambda: eori.invalidate(current_user, company, request.form.get("reason", ""), on,
                                          request.form.get("comment", "")))
        except WorkflowError as exc:
            flash(str(exc.message), "error")
            return self.show(company_id, 409 if isinstance(exc, StaleFile) else 422,
                             {exc.field: str(exc.message)} if exc.field else {})
        flash(_("Le numéro EORI %(number)s est invalidé ; le titulaire en est informé.", number=company.eori),
              "success")
        return redirect(url_for(".show", company_id=company.id))

    @expose("/<int:company_id>/reactiver", methods=("POST",))
    def reactivate(self, company_id: int):
        company = self._company(company_id)
        if not officer_may_instruct(current_user, company):
            abort(404)
        try:
            _call(lambda: eori.reactivate(current_user, company, request.form.get("reactivation_comment", "")))
        except WorkflowError as exc:
            flash(str(exc.message), "error")
            return self.show(company_id, 409 if isinstance(exc, StaleFile) else 422,
                             {exc.field: str(exc.message)} if exc.field else {})
        flash(_("Le numéro EORI %(number)s est de nouveau valide ; le titulaire en est informé.", number=company.eori),
              "success")
        return redirect(url_for(".show", company_id=company.id))
