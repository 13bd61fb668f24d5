"""Saved views of the queues (issue 20): a queue with its filters, search, sort and columns, under a name, for
its owner ("Pour moi") or for an office ("Pour mon service"). Office views appear in the menu of every officer of
that office; a supervisor saves (and pins) views for the offices they supervise. A view of another office is never
offered, and opening one by its URL is a 404: `visible_to` is the only way in."""
from urllib.parse import parse_qsl, urlencode

from flask_babel import gettext as _
from sqlalchemy import and_, or_, select

from app.extensions import db
from app.models import Role, SavedView, User
from app.models.officer_work import SCOPE_MINE, SCOPE_OFFICE
from app.workflow.rules import has_nul, NUL_CHARACTER

NAME_MAX = 80


def offices_of(user: User) -> list[int]:
    """The offices whose views `user` sees and may save for."""
    if user.role == Role.OFFICER:
        return [user.office_id] if user.office_id else []
    if user.role == Role.SUPERVISOR:
        return [o.id for o in user.supervised_offices]
    return []


def _visible(user: User):
    offices = offices_of(user)
    return or_(and_(SavedView.scope == SCOPE_MINE, SavedView.owner_id == user.id),
               and_(SavedView.scope == SCOPE_OFFICE, SavedView.office_id.in_(offices)))


def menu(user: User) -> list[SavedView]:
    """The views of the menu: pinned ones first, then the office's, then one's own, each by name."""
    if user.role not in (Role.OFFICER, Role.SUPERVISOR):
        return []
    return list(db.session.scalars(select(SavedView).where(_visible(user))
                                   .order_by(SavedView.pinned.desc(), SavedView.scope.desc(), SavedView.name)))


def visible_to(user: User, view_id: int | None) -> SavedView | None:
    if view_id is None or user.role not in (Role.OFFICER, Role.SUPERVISOR):
        return None
    return db.session.scalar(select(SavedView).where(SavedView.id == view_id, _visible(user)))


def may_delete(user: User, view: SavedView) -> bool:
    if view.owner_id == user.id:
        return True
    return user.role == Role.SUPERVISOR and view.scope == SCOPE_OFFICE and view.office_id in offices_of(user)


def clean_query(query: str) -> str:
    """Only list arguments (no page number): the view opens on its first page."""
    pairs = [(k, v) for k, v in parse_qsl(query or "", keep_blank_values=False) if k != "page" and not has_nul(k + v)]
    return urlencode(pairs)


def save(user: User, endpoint: str, query: str, name: str, scope: str, office_id: int | None,
         pinned: bool, endpoints: set[str]) -> tuple[SavedView | None, dict]:
    """Validate and store; returns (view, {}) or (None, errors by field). Commits."""
    errors = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = _("Donnez un nom à cette vue.")
    elif len(name) > NAME_MAX:
        errors["name"] = _("Le nom ne peut dépasser %(n)s caractères.", n=NAME_MAX)
    elif has_nul(name):
        errors["name"] = str(NUL_CHARACTER)
    if endpoint not in endpoints:
        errors["endpoint"] = _("Cette file d'attente n'existe pas.")
    offices = offices_of(user)
    if scope == SCOPE_OFFICE:
        if user.role == Role.OFFICER:
            office_id = user.office_id
        if office_id not in offices:
            errors["office_id"] = _("Choisissez un service que vous supervisez.") if user.role == Role.SUPERVISOR \
                else _("Vous n'êtes rattaché à aucun service.")
    elif scope == SCOPE_MINE:
        office_id, pinned = (offices[0] if offices else None), False
    else:
        errors["scope"] = _("Choisissez pour qui enregistrer cette vue.")
    if errors:
        return None, errors
    view = SavedView(name=name, owner_id=user.id, scope=scope, office_id=office_id, endpoint=endpoint,
                     query=clean_query(query), pinned=bool(pinned and user.role == Role.SUPERVISOR))
    db.session.add(view)
    db.session.commit()
    return view, {}


def delete(view: SavedView) -> None:
    db.session.delete(view)
    db.session.commit()
