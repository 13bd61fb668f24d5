import re

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional, ValidationError

from app.auth.accounts import username_taken
from app.forms import Form
from app.auth.passwords import PASSWORD_RULE, password_problems

REQUIRED = _l("Ce champ est obligatoire.")


class LoginForm(Form):
    username = StringField(_l("Identifiant"), validators=[DataRequired(REQUIRED)])
    password = PasswordField(_l("Mot de passe"), validators=[DataRequired(REQUIRED)])


class NewPasswordForm(Form):
    """The password rules of sign-up, shared by the password reset."""
    password = PasswordField(_l("Mot de passe"), validators=[DataRequired(REQUIRED)])
    password_confirm = PasswordField(_l("Confirmer le mot de passe"), validators=[
        DataRequired(REQUIRED), EqualTo("password", _l("Les deux mots de passe ne sont pas identiques."))])

    def validate_password(self, field):
        if password_problems(field.data or ""):
            raise ValidationError(PASSWORD_RULE)


class SignUpForm(NewPasswordForm):
    username = StringField(_l("Identifiant"), validators=[DataRequired(REQUIRED), Length(max=60)])
    email = EmailField(_l("Courrier électronique"), validators=[
        DataRequired(REQUIRED), Email(_l("Adresse électronique invalide.")), Length(max=254)])
    email_confirm = EmailField(_l("Confirmer le courrier électronique"), validators=[
        DataRequired(REQUIRED), EqualTo("email", _l("Les deux adresses ne sont pas identiques."))])
    last_name = StringField(_l("Nom"), validators=[DataRequired(REQUIRED), Length(max=80)])
    first_name = StringField(_l("Prénom"), validators=[DataRequired(REQUIRED), Length(max=80)])
    phone = StringField(_l("Numéro de téléphone"), validators=[Optional(), Length(max=40)])
    mobile = StringField(_l("Numéro de téléphone mobile"), validators=[Optional(), Length(max=40)])
    postal_address = StringField(_l("Adresse postale"), validators=[Optional(), Length(max=255)])
    accept_terms = BooleanField(_l("J'accepte les conditions générales d'utilisation"), validators=[
        DataRequired(_l("Vous devez accepter les conditions générales d'utilisation."))])

    def validate_username(self, field):
        # Guide 3.2.1: the identifier has neither digits nor special characters.
        if not re.fullmatch(r"[A-Za-zÀ-ÖØ-öø-ÿ]+", field.data or ""):
            raise ValidationError(_l("L'identifiant ne doit contenir ni chiffre ni caractère spécial."))
        # One cannot choose an identifier without being told which are taken; saying so reveals no email
        # address. An address already registered is never refused (accounts.sign_up).
        if username_taken(field.data):
            raise ValidationError(_l("Cet identifiant est déjà utilisé : choisissez-en un autre."))


class PasswordForgottenForm(Form):
    email = EmailField(_l("Courrier électronique"), validators=[
        DataRequired(REQUIRED), Email(_l("Adresse électronique invalide.")), Length(max=254)])
