"""Account actions: sign up, activate, reset a forgotten password. Views and the CLI call these.

An anonymous visitor never learns whether an email address has an account: sign-up and "mot de passe
oublié" answer the same page either way, and only the mailbox learns it (see README, Security).
"""
import hmac

from flask import current_app
from limits import parse
from redis.exceptions import RedisError
from sqlalchemy import func, select

from app import background
from app.auth.passwords import hash_password, needs_rehash
from app.auth.tokens import (
    InvalidResetToken, activation_token, password_fingerprint, password_reset_token, read_password_reset_token,
    user_id_from_activation_token,
)
from app.extensions import db, limiter
from app.models import Role, User
from app.models._time import utcnow
from app.notifications import queue_email


def username_taken(username: str) -> bool:
    return db.session.scalar(select(User.id).where(func.lower(User.username) == username.lower())) is not None


def user_with_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def password_reset_link(user: User) -> str:
    token = password_reset_token(user.id, user.password_hash)
    return f"{current_app.config['PUBLIC_BASE_URL']}/mot-de-passe/{token}"


def sign_up(*, username, email, password, first_name, last_name, phone=None, mobile=None,
            postal_address=None) -> User | None:
    """The new, inactive account; None when the address already has one, whose owner is then told so by
    email (with a reset link) instead of receiving an activation link."""
    password_hash = hash_password(password)  # in both cases, so that neither answer is the faster one
    existing = user_with_email(email)
    if existing is not None:
        queue_email("account_exists", existing.email, user=existing, link=password_reset_link(existing),
                    max_age_minutes=current_app.config["PASSWORD_RESET_MAX_AGE"] // 60)
        user = None
    else:
        user = User(username=username, email=email.lower(), password_hash=password_hash,
                    first_name=first_name, last_name=last_name, phone=phone or None, mobile=mobile or None,
                    postal_address=postal_address or None, role=Role.OPERATOR)
        db.session.add(user)
        db.session.flush()
        queue_email("activation", user.email, user=user, link=activation_link(user))
    background.commit()
    return user


def activation_link(user: User) -> str:
    return f"{current_app.config['PUBLIC_BASE_URL']}/activer/{activation_token(user.id)}"


def resend_activation(user: User) -> bool:
    """A never-activated account that gave its right password: its link again, to its own address only, at
    most ACTIVATION_RESEND_RATE_LIMIT times (counted in the limiter's storage, Redis with REDIS_URL)."""
    try:
        allowed = limiter.limiter.hit(parse(current_app.config["ACTIVATION_RESEND_RATE_LIMIT"]),
                                      "activation-resend", str(user.id))
    except RedisError:  # no count to trust: no mail rather than a flood
        return False
    if not allowed:
        return False
    queue_email("activation", user.email, user=user, link=activation_link(user))
    background.commit()
    return True


def activate(token: str) -> User | None:
    user_id = user_id_from_activation_token(token)
    user = db.session.get(User, user_id) if user_id else None
    if user is None:
        return None
    if user.activated_at is None:
        user.activated_at = utcnow()
        db.session.commit()
    return user


def request_password_reset(email: str) -> None:
    """Email a reset link if the address has an account; nothing otherwise (the caller answers the same)."""
    user = user_with_email(email)
    if user is None:
        return
    queue_email("password_reset", user.email, user=user, link=password_reset_link(user),
                max_age_minutes=current_app.config["PASSWORD_RESET_MAX_AGE"] // 60)
    background.commit()


def user_for_password_reset(token: str) -> User:
    """The account a reset link is for; InvalidResetToken when it is expired, tampered or already used."""
    user_id, fingerprint = read_password_reset_token(token)
    user = db.session.get(User, user_id)
    if user is None or not hmac.compare_digest(fingerprint, password_fingerprint(user.password_hash)):
        raise InvalidResetToken("used")
    return user


def reset_password(user: User, password: str) -> None:
    """A new hash (new salt) also retires the link. The link came to the account's address, which proves it
    as the activation link does: an account never activated is activated now."""
    user.password_hash = hash_password(password)
    if user.activated_at is None:
        user.activated_at = utcnow()
    db.session.commit()


def renew_password_hash(user: User, password: str) -> None:
    """At a successful login, the password at hand: a hash of an older method or cost is replaced by
    today's (app/auth/passwords.py). Like any new hash, it retires a reset link still pending."""
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
        db.session.commit()
