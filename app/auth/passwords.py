"""Password rules of the seed guide (3.2.1) and hashing."""
import re

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
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


# Argon2id at OWASP's minimum (Password Storage Cheat Sheet: m=19 MiB, t=2, p=1): about 37 ms of CPU a login on
# this project's machine, where werkzeug's scrypt default (N=2**15, below OWASP's scrypt minimum) took 170 ms.
ARGON2ID = "argon2id"
_argon2 = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1, type=Type.ID)


def _method() -> str:
    return current_app.config["PASSWORD_HASH_METHOD"] if has_app_context() else ARGON2ID


def hash_password(password: str) -> str:
    method = _method()
    if method == ARGON2ID:
        return _argon2.hash(password)
    return generate_password_hash(password, method=method)


def check_password(password_hash: str | None, password: str) -> bool:
    """True if `password` matches; False for a wrong password or a hash that is not one (never raises).
    Without a hash (no such account), the same work is done against a decoy, so the answer takes as long."""
    if not password_hash:
        hash_password(password)
        return False
    if password_hash.startswith("$argon2"):
        try:
            return _argon2.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False
    try:
        return check_password_hash(password_hash, password)
    except ValueError:  # an unknown or malformed method in the stored hash
        return False


def needs_rehash(password_hash: str) -> bool:
    """A hash made with another method or other parameters than today's: replaced at the next login, when the
    password is at hand (older accounts' werkzeug scrypt hashes become Argon2id)."""
    if _method() != ARGON2ID:
        return False
    return not password_hash.startswith("$argon2id$") or _argon2.check_needs_rehash(password_hash)
