"""Signed, expiring activation tokens (no table: the signature is the proof)."""
from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="account-activation")


def activation_token(user_id: int) -> str:
    return _serializer().dumps({"user": user_id})


def user_id_from_activation_token(token: str) -> int | None:
    try:
        data = _serializer().loads(token, max_age=current_app.config["ACTIVATION_TOKEN_MAX_AGE"])
    except (SignatureExpired, BadSignature):
        return None
    return data.get("user")
