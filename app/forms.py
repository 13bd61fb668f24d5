"""The base of the product's forms, and the one rule every text field shares: no NUL character.

Nobody types a NUL; a paste of binary junk can carry one. PostgreSQL cannot store it (SQLite would, silently),
so a text field that holds one is refused beside the field like any other bad input, with the rest of what
was typed kept (Django's ProhibitNullCharactersValidator does the same); the officers' texts are checked the
same way by the workflow (`app.workflow.kernel.typed_text`). Values that neither reads (URL parts, query strings, the posts of the
other back-office pages) are refused whole by `refuse_unchecked_nul`. FieldList reads the rows' indices of posted
names without failing on the ones that are not numbers.
"""
from flask import abort, request
from flask_wtf import FlaskForm
from wtforms import FieldList as PlainFieldList
from wtforms import Form as PlainForm
from wtforms import HiddenField, StringField
from wtforms.validators import StopValidation

from app.workflow.rules import NUL_CHARACTER, has_nul

# Where every posted value goes through a form of this module or a workflow check of has_nul, or is a choice
# or a number its view parses before any query: the operator's and account pages, and the officers' pages of
# a file, a registration, a company, the certification requests, the batch actions and the paper filing.
CHECKED_BLUEPRINTS = {"operator", "auth", "dossier", "autorisation", "operateur", "habilitations_a_traiter", "batch",
                      "papier"}
# Endpoints that answer any text in their URL and query string without querying it: the public register's
# form (the number beside its field), its API (a malformed number is unknown, or a 400 in JSON) and the paper
# filing's EORI search (beside the number).
CHECKED_ENDPOINTS = {"public.register", "public.rex_api", "public.eori_api", "papier.index"}


def refuse_nul(form, field):
    if any(has_nul(value) for value in field.raw_data or ()):
        raise StopValidation(NUL_CHARACTER)


class _RefusesNul:
    """Meta mixin: every visible text field (StringField and its kinds: text area, email, password) gets
    refuse_nul first. Hidden fields (the file's version) are not shown beside anything; their readers already
    treat a value they cannot parse as missing."""

    def bind_field(self, form, unbound_field, options):
        field = super().bind_field(form, unbound_field, options)
        if isinstance(field, StringField) and not isinstance(field, HiddenField):
            field.validators = [refuse_nul, *field.validators]
        return field


class Form(FlaskForm):
    """A page's form: Flask-WTF (CSRF, translated messages) with refuse_nul on its text fields."""

    class Meta(_RefusesNul):
        pass


class RowForm(PlainForm):
    """A row of a FieldList: plain WTForms (no CSRF of its own), with Flask-WTF's translated messages like its
    parent form and refuse_nul on its text fields."""

    class Meta(_RefusesNul):
        def get_translations(self, form):
            from flask import current_app
            from flask_wtf.i18n import translations

            if current_app.config.get("WTF_I18N_ENABLED", True):
                return translations
            return super().get_translations(form)


class FieldList(PlainFieldList):
    """WTForms reads a row's index from a posted name with isdigit() and then int(): 'goods-²-heading' ('²' is a
    digit but not a decimal) would fail int() (a 500). Such a name is no row of the list."""

    def _extract_indices(self, prefix, formdata):
        offset = len(prefix) + 1
        for key in formdata:
            if key.startswith(prefix):
                index = key[offset:].split(self._field_separator, 1)[0]
                if index.isdecimal():
                    yield int(index)


def refuse_unchecked_nul():
    """before_request: a NUL in a value no form of this module checks is refused with the 400 page before any
    query sees it."""
    blueprint, _, _ = (request.endpoint or "").partition(".")
    values = []
    if request.endpoint not in CHECKED_ENDPOINTS:
        values += [*map(str, (request.view_args or {}).values()), *request.args.values()]
    if blueprint not in CHECKED_BLUEPRINTS:
        values += request.form.values()
    if any(has_nul(value) for value in values):
        abort(400)
