"""Signed-in sessions as the server knows them (app/auth/sessions.py): the cookie carries a random token,
this table its digest. A session without its row is over, whatever the cookie says."""
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String, delete, event, inspect
from sqlalchemy.orm import Mapped, Session, mapped_column

from app.extensions import db
from app.models._time import utcnow
from app.models.users import User

# A change of any of these ends every session of the account: its holder must sign in again, with the new
# password, the new role, or not at all.
REVOKING_ATTRIBUTES = ("password_hash", "role", "is_enabled")


class UserSession(db.Model):
    __tablename__ = "user_session"

    # SHA-256 of the cookie's token: reading the table gives no cookie that works.
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


@event.listens_for(Session, "before_flush")
def _end_sessions_of_changed_accounts(session, flush_context, instances):
    """Whoever changes the password, the role or the enabled flag (an administration screen, a reset link,
    the CLI), the account's sessions end in the same transaction."""
    changed = [user.id for user in session.dirty
               if isinstance(user, User) and user.id is not None
               and any(inspect(user).attrs[name].history.has_changes() for name in REVOKING_ATTRIBUTES)]
    if changed:
        session.execute(delete(UserSession).where(UserSession.user_id.in_(changed)))
