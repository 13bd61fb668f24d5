"""Writing the administration log (app/models/admin_log.py): what a screen changed on an object, read from
SQLAlchemy's attribute history before the commit, and added to the same transaction as the change."""
import enum
from datetime import date, datetime

from sqlalchemy import inspect
from sqlalchemy.orm import RelationshipDirection

from app.extensions import db
from app.models.admin_log import ACTION, CREATE, DELETE, UPDATE, AdminLogEntry

# Never written to the log, only the fact that it changed.
SECRET_ATTRIBUTES = {"password_hash"}


def _value(value):
    """A JSON-storable, readable form of an attribute's value."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple, set)):
        return sorted(str(_value(v)) for v in value)
    return str(value)


def _attributes(model):
    """(key, is_collection) of the columns and of the many-to-one and many-to-many relationships a screen
    edits; the foreign key columns behind those relationships are read through them (an office's name, not
    its id), and one-to-many collections are the other objects' business."""
    mapper = inspect(model).mapper
    through_relationships = set()
    relationships = []
    for rel in mapper.relationships:
        if rel.direction == RelationshipDirection.ONETOMANY or rel.viewonly:
            continue
        through_relationships.update(column.key for column in rel.local_columns)
        relationships.append((rel.key, rel.uselist))
    columns = [(attr.key, False) for attr in mapper.column_attrs
               if not any(c.primary_key for c in attr.columns) and attr.key not in through_relationships]
    return columns + relationships


def _history(model) -> list[dict]:
    """Old and new values of what changed since the object was loaded (or all it holds, when new)."""
    state = inspect(model)
    changes = []
    with db.session.no_autoflush:  # reading a relationship must not flush the change away from its history
        for key, is_collection in _attributes(model):
            history = state.attrs[key].history
            if not history.has_changes():
                continue
            if is_collection:
                old = [*history.unchanged, *history.deleted]
                new = [*history.unchanged, *history.added]
            else:
                old = history.deleted[0] if history.deleted else None
                new = history.added[0] if history.added else None
            old, new = _value(old), _value(new)
            if old == new or (state.pending and new in (None, [], "")):
                continue
            changes.append({"field": key, "secret": True} if key in SECRET_ATTRIBUTES
                           else {"field": key, "old": old, "new": new})
    return changes


def _contents(model) -> list[dict]:
    """Everything a deleted object held, as old values."""
    changes = []
    with db.session.no_autoflush:
        for key, _ in _attributes(model):
            value = _value(getattr(model, key))
            if key in SECRET_ATTRIBUTES:
                changes.append({"field": key, "secret": True})
            elif value not in (None, [], ""):
                changes.append({"field": key, "old": value, "new": None})
    return changes


def _identity(model) -> str:
    return ",".join(map(str, inspect(model).identity or ()))


def record_change(actor, screen: str, model, created: bool) -> AdminLogEntry | None:
    """Called before the commit of a create or an edit; an edit that changed nothing leaves no entry."""
    changes = _history(model)
    if not created and not changes:
        return None
    if created:
        db.session.flush()  # the new object's id
    entry = AdminLogEntry(actor_id=actor.id, action=CREATE if created else UPDATE, screen=screen,
                          object_type=model.__tablename__, object_id=_identity(model),
                          object_repr=str(model)[:255], changes=changes)
    db.session.add(entry)
    return entry


def record_deletion(actor, screen: str, model) -> AdminLogEntry:
    """Called before the object is deleted, in the transaction of its deletion."""
    entry = AdminLogEntry(actor_id=actor.id, action=DELETE, screen=screen, object_type=model.__tablename__,
                          object_id=_identity(model), object_repr=str(model)[:255], changes=_contents(model))
    db.session.add(entry)
    return entry


def record_action(actor, screen: str, name: str, object_type: str, ids, description: str,
                  changes: list[dict]) -> AdminLogEntry:
    """A screen's action over rows (not an edit form): one entry naming the rows it touched."""
    entry = AdminLogEntry(actor_id=actor.id, action=ACTION, screen=screen, object_type=object_type,
                          object_id=",".join(map(str, ids))[:255], object_repr=f"{name} : {description}"[:255],
                          changes=changes)
    db.session.add(entry)
    return entry
