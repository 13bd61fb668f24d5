"""Signed, expiring tokens for activation and password reset (no table: the signature is the proof)."""
import hashlib

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def activation_token(user_id: int) -> str:
    return _serializer("account-activation").dumps({"user": user_id})


def user_id_from_activation_token(token: str) -> int | None:
    try:
        data = _serializer("account-activation").loads(token, max_age=current_app.config["ACTIVATION_TOKEN_MAX_AGE"])
    except (SignatureExpired, BadSignature):
        return None
    return data.get("user")


class InvalidResetToken(Exception):
    """reason: "expired" (older than PASSWORD_RESET_MAX_AGE), "invalid" (tampered, truncated, another
    key's) or "used" (the password has changed since the token was made, or the account is gone)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def password_fingerprint(password_hash: str) -> str:
    """Changes with the password hash (a new salt each time), so a reset token dies once used. A digest, not
    a piece of the hash: the token's payload is readable by whoever holds the link."""
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]


def password_reset_token(user_id: int, password_hash: str) -> str:
    return _serializer("password-reset").dumps({"user": user_id, "pw": password_fingerprint(password_hash)})


def read_password_reset_token(token: str) -> tuple[int, str]:
    """(user id, password fingerprint) of a genuine token younger than PASSWORD_RESET_MAX_AGE."""
    try:
        data = _serializer("password-reset").loads(token, max_age=current_app.config["PASSWORD_RESET_MAX_AGE"])
    except SignatureExpired as error:
        raise InvalidResetToken("expired") from error
    except BadSignature as error:
        raise InvalidResetToken("invalid") from error
    return data["user"], data["pw"]
