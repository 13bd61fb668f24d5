"""The rows of signed-in sessions past their limits (app/auth/sessions.py). An expired session is refused
whether or not its row is still there; this keeps the table to the sessions that may still be used."""
from app.auth.sessions import purge_expired_sessions
from jobs.app_context import with_app_context


@with_app_context
def purge_sessions() -> int:
    return purge_expired_sessions()
