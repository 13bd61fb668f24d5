"""Password rules of the seed guide (3.2.1) and hashing."""
import re

from flask import current_app, has_app_context
from flask_babel import lazy_gettext as _l
from werkzeug.security import check_password_hash, generate_password_hash

PASSWORD_RULE = _l("Il doit être composé d'au moins 8 caractères, contenir des lettres minuscules, majuscules, "
                   "des chiffres et des caractères spéciaux (le caractère « underscore » _ n'est pas considéré "
                   "comme un caractère spécial).")


def password_problems(password: str) -> list[str]:
    """What the password lacks; empty when it follows the rule."""
    problems = []
    if len(password) < 8:
        problems.append("length")
    if not re.search(r"[a-z]", password):
        problems.append("lower")
    if not re.search(r"[A-Z]", password):
        problems.append("upper")
    if not re.search(r"\d", password):
        problems.append("digit")
    # A special character is anything but a letter, a digit, whitespace or the underscore.
    if not re.search(r"[^\w\s]", password):
        problems.append("special")
    return problems


def hash_password(password: str) -> str:
    method = current_app.config["PASSWORD_HASH_METHOD"] if has_app_context() else "scrypt"
    return generate_password_hash(password, method=method)


def check_password(password_hash: str, password: str) -> bool:
    return check_password_hash(password_hash, password)
