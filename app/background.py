"""What the product hands to background work, without knowing how that work runs.

Two kinds of hand-over, both registered at start-up by the jobs layer (``jobs.init_app``, loaded as a plugin by
``create_app``), so that nothing below the faces imports ``jobs``:

- effects due after a commit: a transaction that queued an email or a transmission to the Commission's REX marks
  the effect due (``mark_due``); ``commit()`` commits and then tells whoever connected to that effect. The rows are
  durable before anyone is asked to deliver them, and a rolled-back transaction asks for nothing.
- tasks: named pieces of work the faces start (``start``), such as a batch of transitions too large for a request.

Without a registered runner an effect is simply not announced (the periodic jobs deliver the rows) and a task
cannot start (``available`` says so).
"""
from collections.abc import Callable

from blinker import Namespace
from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.extensions import db

EMAILS = "emails"
REX_TRANSMISSIONS = "rex_transmissions"
EFFECTS = (EMAILS, REX_TRANSMISSIONS)

_signals = Namespace()
_due = {effect: _signals.signal(f"{effect}-due") for effect in EFFECTS}
_tasks: dict[str, Callable] = {}
_DUE_KEY = "effects_due"


def mark_due(effect: str) -> None:
    """Called in the transaction that wrote the rows (an outbox email, a transmission)."""
    assert effect in _due, effect
    db.session.info.setdefault(_DUE_KEY, set()).add(effect)


def due_effects() -> set[str]:
    """The effects the current transaction has marked so far (read by the transition table's tests)."""
    return set(db.session.info.get(_DUE_KEY, ()))


def commit() -> None:
    """Commit, then announce the effects the transaction made due."""
    db.session.commit()
    announce()


def announce() -> None:
    """Tell the receivers of each effect the committed transaction made due, once."""
    effects = db.session.info.pop(_DUE_KEY, set())
    app = current_app._get_current_object()
    for effect in sorted(effects):
        _due[effect].send(app)


def on_due(effect: str, receiver: Callable) -> None:
    """Register `receiver(app)` for an effect. Registered once per process (blinker keeps a strong reference)."""
    _due[effect].connect(receiver, weak=False)


def register_task(name: str, runner: Callable) -> None:
    _tasks[name] = runner


def available(name: str) -> bool:
    return name in _tasks


def start(name: str, *args, **kwargs):
    """Start the task; what it returns is the runner's (a job, or the result when run in-process)."""
    return _tasks[name](*args, **kwargs)


@event.listens_for(Session, "after_rollback")
def _forget_due_effects(session: Session) -> None:
    session.info.pop(_DUE_KEY, None)
