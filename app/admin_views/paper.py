"""'Déposer pour le compte d'un opérateur': the exceptional filing from a paper form signed by the operator."""
from flask import flash, redirect, request, url_for
from flask_admin import BaseView, expose
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app import workflow
from app.admin_views.security import InstructorView
from app.extensions import db
from app.models import Company, Office
from app.application_form import (
    ApplicationForm, add_row, attach_errors, form_to_content, remove_row, set_choices, too_many_rows,
)
from app.workflow.access import office_scope, officer_may_read_company
from app.workflow.instruction import file_on_paper
from app.workflow.rules import NUL_CHARACTER, has_nul


class PaperFilingView(InstructorView, BaseView):
    @expose("/", methods=("GET", "POST"))
    def index(self):
        eori = (request.values.get("eori") or "").strip().upper()
        if has_nul(eori):
            return self.render("admin/paper_company.html", eori=eori, error=str(NUL_CHARACTER)), 422
        company = db.session.scalar(select(Company).where(Company.eori == eori)) if eori else None
        # The company page's scope: another office's company is not shown here either, nor said to exist.
        if company is not None and not officer_may_read_company(current_user, company):
            company = None
        if company is None:
            error = _("Aucun opérateur enregistré ne porte le numéro EORI %(eori)s.", eori=eori) if eori else None
            return self.render("admin/paper_company.html", eori=eori, error=error), (404 if error else 200)
        return self._form(company)

    def _form(self, company: Company):
        offices = db.session.scalars(select(Office).where(Office.id.in_(office_scope(current_user)))
                                     .order_by(Office.name)).all()
        if request.method == "GET":
            form = ApplicationForm(formdata=None, data={
                **{f"exporter_{k}": getattr(company, k) for k in ("address", "postcode", "city", "country", "phone",
                                                                   "email", "fax")},
                "company_id": company.id, "office_id": offices[0].id if len(offices) == 1 else None})
        else:
            form = ApplicationForm(request.form)
        set_choices(form, offices, [company])
        section_errors, comment_error, code = {}, None, 200
        action = request.form.get("action", "")
        if request.method == "POST" and action.startswith("add-"):
            add_row(form, action[4:])
        elif request.method == "POST" and action.startswith("remove-"):
            remove_row(form, action)
        elif request.method == "POST" and form.validate():
            section_errors = too_many_rows(form)
            if not section_errors:
                content = form_to_content(form, {"eori": company.eori, "name": company.name})
                try:
                    application = file_on_paper(current_user, company, content, request.form.get("comment", ""))
                    flash(_("La demande %(ref)s est déposée pour le compte de %(name)s.",
                            ref=application.reference, name=company.name), "success")
                    return redirect(url_for("dossier.show", application_id=application.id))
                except workflow.Incomplete as exc:
                    section_errors = attach_errors(form, exc.errors)
                except workflow.WorkflowError as exc:
                    if exc.field == "comment":
                        comment_error = str(exc.message)
                    else:
                        section_errors = attach_errors(form, {exc.field or "company_id": exc.message})
            code = 422
        elif request.method == "POST":
            code = 422
        return self.render("admin/paper_form.html", form=form, company=company, section_errors=section_errors,
                           comment_error=comment_error, comment=request.form.get("comment", "")), code
