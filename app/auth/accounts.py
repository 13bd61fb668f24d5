"""Account actions: sign up, activate. Views and the CLI call these."""
from flask import current_app
from sqlalchemy import func, select

from app.auth.passwords import hash_password
from app.auth.tokens import activation_token, user_id_from_activation_token
from app.extensions import db
from app.models import Role, User
from app.models._time import utcnow
from app.notifications import queue_email


def username_taken(username: str) -> bool:
    return db.session.scalar(select(User.id).where(func.lower(User.username) == username.lower())) is not None


def email_taken(email: str) -> bool:
    return db.session.scalar(select(User.id).where(func.lower(User.email) == email.lower())) is not None


def sign_up(*, username, email, password, first_name, last_name, phone=None, mobile=None,
            postal_address=None) -> User:
    user = User(username=username, email=email.lower(), password_hash=hash_password(password),
                first_name=first_name, last_name=last_name, phone=phone or None, mobile=mobile or None,
                postal_address=postal_address or None, role=Role.OPERATOR)
    db.session.add(user)
    db.session.flush()
    link = f"{current_app.config['PUBLIC_BASE_URL']}/activer/{activation_token(user.id)}"
    queue_email("activation", user.email, user=user, link=link)
    db.session.commit()
    from jobs import enqueue_outbox_delivery
    enqueue_outbox_delivery()
    return user


def activate(token: str) -> User | None:
    user_id = user_id_from_activation_token(token)
    user = db.session.get(User, user_id) if user_id else None
    if user is None:
        return None
    if user.activated_at is None:
        user.activated_at = utcnow()
        db.session.commit()
    return user
