"""The operator's small forms: a message, an abandon, a deregistration request, a complement."""
from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, TextAreaField
from wtforms.validators import Length

from app.forms import Form


class CommentForm(Form):
    body = TextAreaField(_l("Votre message"), validators=[Length(max=5000)])


class AbandonForm(Form):
    comment = TextAreaField(_l("Votre commentaire..."), validators=[Length(max=2000)])


class DeregistrationForm(Form):
    reason = TextAreaField(_l("Motif de la demande de radiation"), validators=[Length(max=2000)])


class ObservationsForm(Form):
    answer = TextAreaField(_l("Vos observations"), validators=[Length(max=5000)])


class ComplementForm(Form):
    version = HiddenField()
    complement = TextAreaField(_l("Compléments apportés à la demande"), validators=[Length(max=5000)])
