"""'Mes habilitations' (guide 3.2.3): the companies the account acts for, its requests, and 'Demander une
habilitation'. Open to every operator or representative account, certified or not yet."""
from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from app.forms import Form
from app.operator.common import bp, operator_required
from app.queries import reference
from app.workflow import WorkflowError, certifications
from app.workflow.access import company_label


class CertificationRequestForm(Form):
    identifier = StringField(_l("Numéro EORI ou SIRET de l'opérateur"), filters=[lambda v: v.strip() if v else v])
    # Used by the workflow only when the company has no office yet (known before this service).
    office_id = SelectField(_l("Service"), coerce=lambda v: int(v) if v not in (None, "", "None") else None,
                            validators=[Optional()], validate_choice=True)
    comment = TextAreaField(_l("Commentaire"), validators=[Optional(), Length(max=2000)])


def _form() -> CertificationRequestForm:
    form = CertificationRequestForm()
    form.office_id.choices = [("", _("Choisir le service"))] + [
        (o.id, f"{o.name} ({o.code})") for o in reference.offices()]
    return form


def _render(form, code=200):
    return render_template("operator/certifications.html", form=form, certifications=current_user.certifications,
                           requests=certifications.requests_of(current_user), tab="habilitations"), code


@bp.get("/habilitations")
@operator_required
def certifications_page():
    return _render(_form())


@bp.post("/habilitations")
@operator_required
def request_certification():
    form = _form()
    if not form.validate():
        return _render(form, 422)
    try:
        created = certifications.request_certification(current_user, form.identifier.data,
                                                       form.office_id.data, form.comment.data)
    except WorkflowError as exc:
        if exc.field in ("identifier", "office_id"):
            form[exc.field].errors = [*form[exc.field].errors, str(exc.message)]
        else:
            flash(str(exc.message), "danger")
        return _render(form, 422)
    flash(_("Votre demande d'habilitation pour %(name)s est transmise au service %(office)s.",
            name=company_label(current_user, created.company), office=created.office.name), "success")
    return redirect(url_for("operator.certifications_page"))
