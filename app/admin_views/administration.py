"""Administration screens, for administrators only: accounts, certifications ('habilitations'), companies,
and the reference data (customs offices, directorates, preferential relations, tariff headings).

Every view is behind RoleRequired with allowed_roles = {Role.ADMIN}: other roles get 403 on every URL,
anonymous users go to the login page. Foreign keys to large tables (accounts, companies) are chosen by
AJAX look-up; small ones (offices, directorates) are plain selects. No password hash is ever shown: an
account is created with an initial password typed by the administrator, checked against the password rule
and hashed; it can be replaced later from the same form.
"""
import re

from flask_admin.contrib.sqla import ModelView
from flask_admin.contrib.sqla.ajax import QueryAjaxModelLoader
from flask_admin.contrib.sqla.filters import BooleanEqualFilter
from flask_admin.form import BaseForm
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from flask_login import current_user
from sqlalchemy import func, select
from wtforms import PasswordField
from wtforms.validators import Email, NumberRange, Optional, ValidationError

from app.admin_views.audit import AdminLogView, AuditedModelView
from app.admin_views.filters import ScopedEqual
from app.admin_views.mixins import BoundedNumbersMixin, ReadOnlyModelMixin, StableFilterArgsMixin
from app.admin_views.security import RoleRequired
from app.auth.passwords import PASSWORD_RULE, hash_password, password_problems
from app.extensions import db
from app.models import (
    Certification, Company, Directorate, Office, PreferentialRelation, Role, TariffHeading, User,
)
from app.models._time import utcnow
from app.reference.countries import is_country

OFFICE_CODE = re.compile(r"^FR[A-Z0-9]{6}$")
EORI = re.compile(r"^[A-Z]{2}[A-Z0-9]{1,15}$")

ROLE_LABELS = {
    Role.OPERATOR: _l("Opérateur"),
    Role.REPRESENTATIVE: _l("Représentant en douane"),
    Role.OFFICER: _l("Agent des douanes"),
    Role.SUPERVISOR: _l("Superviseur"),
    Role.ADMIN: _l("Administrateur"),
}


def _role(value):
    return value if isinstance(value, Role) else Role(value)


def _role_choices():
    return [(role.value, label) for role, label in ROLE_LABELS.items()]


def _office_choices():
    return [(str(o.id), str(o)) for o in db.session.scalars(select(Office).order_by(Office.name))]


def _upper(value):
    return value.strip().upper() if isinstance(value, str) else value


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class AdminModelView(RoleRequired, BoundedNumbersMixin, StableFilterArgsMixin, AuditedModelView, ModelView):
    """Administrators only (RoleRequired's default); lists stay cheap on large tables; every change made here is
    written to the administration log (AuditedModelView)."""

    allowed_roles = {Role.ADMIN}
    page_size = 50
    can_set_page_size = True
    page_size_options = (20, 50, 100)
    can_view_details = False

    def __init__(self, model, *args, **kwargs):
        super().__init__(model, db, *args, **kwargs)

    def _get_filter_groups(self):
        self._refresh_filters_cache()  # choices (offices) read per request, not once at start-up
        return super()._get_filter_groups()

    def validate_form(self, form):
        valid = super().validate_form(form)
        # Flask-Admin's form template shows only `str` errors: a lazy (translatable) message would vanish.
        for field in form:
            if field.errors:
                field.errors = [str(e) if isinstance(e, LazyString) else e for e in field.errors]
        return valid


# --- accounts -----------------------------------------------------------------------------------------

class UserForm(BaseForm):
    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        if "role" not in self._fields:  # Flask-Admin builds its bulk-action form on this class too
            return valid
        # Cross-field rules run here: the nullable fields carry Optional(), which wipes earlier errors.
        for name, check in (("office", _check_office), ("supervised_offices", _check_supervised)):
            message = check(self.role.data, self[name].data) if not self.role.errors else None
            if message:
                self[name].errors = [*self[name].errors, message]
                valid = False
        return valid

    def populate_obj(self, obj):
        # The password is not a column: on_model_change hashes it into password_hash.
        for name, field in self._fields.items():
            if name != "password":
                field.populate_obj(obj, name)


def _creating(form) -> bool:
    return getattr(form, "_obj", None) is None


def _validate_password(form, field):
    if not field.data:
        if _creating(form):
            raise ValidationError(_l("Indiquez le mot de passe initial du compte."))
        return
    if password_problems(field.data):
        raise ValidationError(PASSWORD_RULE)


def _validate_username(form, field):
    query = select(User.id).where(func.lower(User.username) == (field.data or "").strip().lower())
    if form._obj is not None:
        query = query.where(User.id != form._obj.id)
    if db.session.scalar(query) is not None:
        raise ValidationError(_l("Cet identifiant est déjà utilisé : choisissez-en un autre."))


def _validate_email(form, field):
    query = select(User.id).where(func.lower(User.email) == (field.data or "").strip().lower())
    if form._obj is not None:
        query = query.where(User.id != form._obj.id)
    if db.session.scalar(query) is not None:
        raise ValidationError(_l("Un compte existe déjà avec cette adresse électronique."))


def _validate_role(form, field):
    if form._obj is not None and form._obj.id == current_user.id and field.data != Role.ADMIN:
        raise ValidationError(_l("Vous ne pouvez pas retirer votre propre rôle d'administrateur."))


def _check_office(role, office):
    if role == Role.OFFICER and office is None:
        return _l("Un agent des douanes doit être rattaché à un service.")
    if role in (Role.OPERATOR, Role.REPRESENTATIVE) and office is not None:
        return _l("Un opérateur ou un représentant n'est rattaché à aucun service.")
    return None


def _check_supervised(role, offices):
    if role == Role.SUPERVISOR and not offices:
        return _l("Un superviseur doit superviser au moins un service.")
    if role != Role.SUPERVISOR and offices:
        return _l("Seul un superviseur supervise des services.")
    return None


def _validate_enabled(form, field):
    if form._obj is not None and form._obj.id == current_user.id and not field.data:
        raise ValidationError(_l("Vous ne pouvez pas désactiver votre propre compte."))


def _role_label(view, context, model, name):
    return ROLE_LABELS.get(model.role, model.role)


class UserAdmin(AdminModelView):
    form_base_class = UserForm
    can_delete = False  # accounts are referenced by files and history: disable them instead
    simple_list_pager = True
    column_list = ("username", "email", "first_name", "last_name", "role", "office", "is_enabled", "activated_at")
    column_labels = {"username": _l("Identifiant"), "email": _l("Courriel"), "first_name": _l("Prénom"),
                     "last_name": _l("Nom"), "role": _l("Rôle"), "office": _l("Service"),
                     "supervised_offices": _l("Services supervisés"), "is_enabled": _l("Actif"),
                     "activated_at": _l("Activé le"), "phone": _l("Téléphone"), "mobile": _l("Mobile"),
                     "password": _l("Mot de passe")}
    column_formatters = {"role": _role_label,
                         "activated_at": lambda v, c, m, n: m.activated_at.strftime("%d/%m/%Y") if m.activated_at else ""}
    column_searchable_list = ("username", "email", "last_name")
    column_sortable_list = ("username", "email")
    column_default_sort = ("username", False)
    form_columns = ("username", "email", "first_name", "last_name", "phone", "mobile", "role", "office",
                    "supervised_offices", "is_enabled", "password")
    form_choices = {"role": _role_choices()}
    form_extra_fields = {"password": PasswordField(_l("Mot de passe"), validators=[_validate_password])}
    form_args = {
        "username": {"validators": [_validate_username], "filters": [_strip]},
        "email": {"validators": [Email(_l("Adresse électronique invalide.")), _validate_email],
                  "filters": [lambda v: v.strip().lower() if isinstance(v, str) else v]},
        "role": {"coerce": _role, "validators": [_validate_role]},
        "office": {"blank_text": ""},
        "is_enabled": {"validators": [_validate_enabled]},
    }
    form_widget_args = {"password": {"autocomplete": "new-password"}}
    column_descriptions = {"password": _l("À la création : mot de passe initial, à communiquer à la personne. "
                                          "En modification : laisser vide pour ne pas le changer.")}

    def __init__(self, *args, **kwargs):
        self.column_filters = [
            ScopedEqual(User.role, _l("Rôle"), options=lambda: [(r, str(l)) for r, l in _role_choices()]),
            ScopedEqual(User.office_id, _l("Service"), options=_office_choices),
            BooleanEqualFilter(User.is_enabled, _l("Actif")),
        ]
        super().__init__(User, *args, **kwargs)

    def on_model_change(self, form, model, is_created):
        if form.password.data:
            model.password_hash = hash_password(form.password.data)
        if is_created:
            model.activated_at = utcnow()


# --- certifications ('habilitations') ----------------------------------------------------------------

class OperatorAccountLoader(QueryAjaxModelLoader):
    """Only operators and representatives hold certifications."""

    def get_query(self):
        return super().get_query().filter(User.role.in_((Role.OPERATOR, Role.REPRESENTATIVE)))


def _validate_certification_user(form, field):
    user = field.data
    if user is None:
        return
    if user.role not in (Role.OPERATOR, Role.REPRESENTATIVE):
        raise ValidationError(_l("Seul un opérateur ou un représentant peut être habilité pour une société."))
    if form.on_behalf.data and user.role != Role.REPRESENTATIVE:
        raise ValidationError(_l("Seul un représentant en douane agit pour le compte d'un client."))


def _validate_certification_company(form, field):
    user, company = form.user.data, field.data
    if user is None or company is None:
        return
    query = select(Certification.id).where(Certification.user_id == user.id,
                                           Certification.company_id == company.id)
    if form._obj is not None:
        query = query.where(Certification.id != form._obj.id)
    if db.session.scalar(query) is not None:
        raise ValidationError(_l("Ce compte est déjà habilité pour cette société."))


class CertificationAdmin(AdminModelView):
    simple_list_pager = True
    column_list = ("user", "company", "on_behalf", "granted_at")
    column_labels = {"user": _l("Compte"), "company": _l("Société"),
                     "on_behalf": _l("Pour le compte d'un client (représentant)"), "granted_at": _l("Accordée le")}
    column_formatters = {"granted_at": lambda v, c, m, n: m.granted_at.strftime("%d/%m/%Y") if m.granted_at else ""}
    column_default_sort = ("id", True)
    column_sortable_list = ()
    column_searchable_list = ("user.username", "user.email", "company.eori", "company.name")
    form_columns = ("user", "company", "on_behalf")
    form_args = {"user": {"validators": [_validate_certification_user]},
                 "company": {"validators": [_validate_certification_company]}}
    column_descriptions = {"on_behalf": _l("Cochez pour un client d'un représentant en douane ; laissez décoché "
                                           "pour la société de la personne elle-même.")}

    def __init__(self, *args, **kwargs):
        self.form_ajax_refs = {
            "user": OperatorAccountLoader("user", db, User, fields=("username", "email", "last_name"),
                                          order_by=User.username, page_size=10, minimum_input_length=2,
                                          placeholder=_l("Identifiant, courriel ou nom")),
            "company": QueryAjaxModelLoader("company", db, Company, fields=("eori", "name"),
                                            order_by=Company.name, page_size=10, minimum_input_length=2,
                                            placeholder=_l("EORI ou raison sociale")),
        }
        super().__init__(Certification, *args, **kwargs)



# --- companies ----------------------------------------------------------------------------------------

def _validate_eori(form, field):
    if not EORI.match(field.data or ""):
        raise ValidationError(_l("Le numéro EORI commence par le code pays (2 lettres) suivi de 1 à 15 "
                                 "lettres majuscules ou chiffres (ex. FR73282932000074)."))


def _validate_country(form, field):
    if not is_country(field.data or ""):
        raise ValidationError(_l("Indiquez le code ISO du pays à deux lettres (ex. FR)."))


class CompanyAdmin(AdminModelView):
    can_delete = False  # files and registrations refer to companies
    simple_list_pager = True
    column_list = ("eori", "name", "city", "country", "email", "phone")
    column_labels = {"eori": _l("EORI"), "name": _l("Raison sociale"), "address": _l("Adresse"),
                     "postcode": _l("Code postal"), "city": _l("Ville"), "country": _l("Pays"),
                     "phone": _l("Téléphone"), "email": _l("Courriel"), "fax": _l("Fax")}
    column_searchable_list = ("eori", "name")
    column_sortable_list = ("eori",)
    column_default_sort = ("eori", False)
    form_columns = ("eori", "name", "address", "postcode", "city", "country", "phone", "email", "fax")
    form_args = {"eori": {"validators": [_validate_eori], "filters": [_upper]},
                 "country": {"validators": [_validate_country], "filters": [_upper]},
                 "email": {"validators": [Optional(), Email(_l("Adresse électronique invalide."))]}}

    def __init__(self, *args, **kwargs):
        super().__init__(Company, *args, **kwargs)


# --- reference data ------------------------------------------------------------------------------------

def _validate_office_code(form, field):
    if not OFFICE_CODE.match(field.data or ""):
        raise ValidationError(_l("Le code du service est « FR » suivi de 6 lettres majuscules ou chiffres "
                                 "(référence COL, ex. FR000600)."))


class OfficeAdmin(AdminModelView):
    can_delete = False  # files, accounts and history refer to offices
    column_list = ("code", "name", "city", "directorate")
    column_labels = {"code": _l("Code"), "name": _l("Nom"), "city": _l("Ville"), "directorate": _l("Direction"),
                     "four_eyes": _l("Décisions à quatre yeux"),
                     "max_extension_days": _l("Prolongation maximale du délai de réponse (jours)"),
                     "hearing_days": _l("Délai pour présenter des observations avant révocation (jours)")}
    column_searchable_list = ("code", "name", "city")
    column_sortable_list = ("code", "name")
    column_default_sort = ("code", False)
    form_columns = ("code", "name", "city", "directorate", "four_eyes", "max_extension_days", "hearing_days")
    form_args = {"code": {"validators": [_validate_office_code], "filters": [_upper]},
                 "max_extension_days": {"validators": [NumberRange(min=0, max=365)]},
                 "hearing_days": {"validators": [NumberRange(min=1, max=90)]}}

    def __init__(self, *args, **kwargs):
        super().__init__(Office, *args, **kwargs)


class DirectorateAdmin(AdminModelView):
    can_delete = False  # offices refer to directorates
    column_list = ("name",)
    column_labels = {"name": _l("Nom"), "offices": _l("Services")}
    column_searchable_list = ("name",)
    column_default_sort = ("name", False)
    form_columns = ("name",)

    def __init__(self, *args, **kwargs):
        super().__init__(Directorate, *args, **kwargs)


def _normalise_partners(value):
    return " ".join(value.upper().split()) if isinstance(value, str) else value


def _validate_partners(form, field):
    unknown = [code for code in (field.data or "").split() if not (len(code) == 2 and is_country(code))]
    if unknown:
        raise ValidationError(_l("Codes pays ISO inconnus : %(codes)s.", codes=", ".join(unknown)))
    if not field.data:
        raise ValidationError(_l("Indiquez au moins un pays ou territoire partenaire."))


class PreferentialRelationAdmin(AdminModelView):
    can_delete = False  # applications refer to relations by code
    column_list = ("code", "label", "partners", "rex_since")
    column_labels = {"code": _l("Code"), "label": _l("Libellé"), "partners": _l("Pays partenaires (codes ISO)"),
                     "rex_since": _l("REX depuis le")}
    column_searchable_list = ("code", "label")
    column_default_sort = ("code", False)
    form_columns = ("code", "label", "partners", "rex_since")
    form_args = {"code": {"filters": [_upper]},
                 "partners": {"validators": [_validate_partners], "filters": [_normalise_partners]}}

    def __init__(self, *args, **kwargs):
        super().__init__(PreferentialRelation, *args, **kwargs)

    def edit_form(self, obj=None):
        form = super().edit_form(obj)
        del form.code  # the code is the key applications refer to: it is not changed afterwards
        return form


class TariffHeadingAdmin(ReadOnlyModelMixin, AdminModelView):
    column_list = ("code", "chapter", "description_fr", "description_en")
    column_labels = {"code": _l("Code"), "chapter": _l("Chapitre"), "description_fr": _l("Libellé français"),
                     "description_en": _l("Libellé anglais")}
    column_searchable_list = ("code", "description_fr", "description_en")
    column_sortable_list = ("code",)
    column_default_sort = ("code", False)

    def __init__(self, *args, **kwargs):
        super().__init__(TariffHeading, *args, **kwargs)


class AdminLogAdmin(AdminLogView, AdminModelView):
    """'Journal d'administration': read-only here, and append-only in the model (app/models/admin_log.py)."""


def register(admin) -> None:
    administration = _l("Administration")
    references = _l("Référentiels")
    admin.add_view(UserAdmin(name=_l("Comptes"), endpoint="comptes", category=administration))
    admin.add_view(CertificationAdmin(name=_l("Habilitations"), endpoint="habilitations", category=administration))
    admin.add_view(CompanyAdmin(name=_l("Sociétés"), endpoint="societes", category=administration))
    admin.add_view(OfficeAdmin(name=_l("Services des douanes"), endpoint="services", category=references))
    admin.add_view(DirectorateAdmin(name=_l("Directions"), endpoint="directions", category=references))
    admin.add_view(PreferentialRelationAdmin(name=_l("Relations préférentielles"), endpoint="relations",
                                             category=references))
    admin.add_view(TariffHeadingAdmin(name=_l("Positions tarifaires"), endpoint="positions", category=references))
    admin.add_view(AdminLogAdmin(name=_l("Journal d'administration"), endpoint="journal", category=administration))
