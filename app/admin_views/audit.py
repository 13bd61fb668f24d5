"""The administration log: every administration screen writes to it (AuditedModelView), administrators read it
in a searchable grid, "Journal d'administration", where nothing can be edited or deleted."""
from flask import current_app
from flask_admin.contrib.sqla.filters import DateTimeBetweenFilter
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import or_, select

from app import audit
from app.admin_views.filters import ScopedEqual
from app.admin_views.mixins import ReadOnlyModelMixin
from app.extensions import db
from app.models import Role, User
from app.models.admin_log import ACTION, CREATE, DELETE, UPDATE, AdminLogEntry

ACTION_LABELS = {CREATE: _l("Création"), UPDATE: _l("Modification"), DELETE: _l("Suppression"),
                 ACTION: _l("Action")}
FIELD_LABELS = {"password_hash": _l("Mot de passe")}


class AuditedModelView:
    """For the administration screens' model views: a create, an edit or a delete adds its log entry to the
    transaction that commits the change, after the view's own on_model_change (a password is hashed there)."""

    def _on_model_change(self, form, model, is_created):
        super()._on_model_change(form, model, is_created)
        audit.record_change(current_user, self.endpoint, model, is_created)

    def on_model_delete(self, model):
        super().on_model_delete(model)
        audit.record_deletion(current_user, self.endpoint, model)


def _screens():
    """The administration screens by endpoint, for their names and their columns' labels."""
    admin = current_app.extensions["admin"][0]
    return {view.endpoint: view for view in admin._views}


def _screen_choices():
    screens = _screens()
    used = db.session.scalars(select(AdminLogEntry.screen).distinct()).all()
    return sorted(((e, str(screens[e].name) if e in screens else e) for e in used), key=lambda c: c[1])


def _actor_choices():
    users = db.session.scalars(select(User).where(User.role == Role.ADMIN).order_by(User.last_name))
    return [(str(u.id), f"{u.full_name} ({u.username})") for u in users]


def _text(value, choices: dict) -> str:
    if value is None or value == [] or value == "":
        return "—"
    if isinstance(value, bool):
        return str(_l("oui") if value else _l("non"))
    if isinstance(value, list):
        return ", ".join(value)
    return str(choices.get(value, value))


def _changes(view, context, model, name):
    screen = _screens().get(model.screen)
    labels = {**(getattr(screen, "column_labels", None) or {}), **FIELD_LABELS}
    choices = getattr(screen, "form_choices", None) or {}
    items = []
    for change in model.changes or []:
        label = labels.get(change["field"], change["field"])
        if change.get("secret"):
            items.append(Markup("<li><strong>{}</strong> : {}</li>").format(label, _l("modifié")))
            continue
        field_choices = dict(choices.get(change["field"], ()))
        items.append(Markup("<li><strong>{}</strong> : {} → {}</li>").format(
            label, _text(change.get("old"), field_choices), _text(change.get("new"), field_choices)))
    return Markup('<ul class="list-unstyled mb-0">{}</ul>').format(Markup("").join(items))


def _changes_export(view, context, model, name):
    return "; ".join(f"{c['field']}: (secret)" if c.get("secret") else f"{c['field']}: {c.get('old')} -> {c.get('new')}"
                     for c in model.changes or [])


def _screen(view, context, model, name):
    screen = _screens().get(model.screen)
    return str(screen.name) if screen is not None else model.screen


class AdminLogView(ReadOnlyModelMixin):
    """Mixed into the administrators' model view base in administration.py (which imports this module)."""

    can_export = True
    export_types = ["csv"]
    export_max_rows = 10_000
    simple_list_pager = True
    column_list = ("at", "actor", "screen", "action", "object_repr", "object_id", "changes")
    column_labels = {"at": _l("Date"), "actor": _l("Administrateur"), "screen": _l("Écran"),
                     "action": _l("Action"), "object_repr": _l("Objet"), "object_id": _l("Identifiant"),
                     "changes": _l("Anciennes et nouvelles valeurs")}
    column_formatters = {
        "at": lambda v, c, m, n: current_app.jinja_env.filters["datetime_fr"](m.at) if m.at else "",  # Paris time
        "actor": lambda v, c, m, n: f"{m.actor.full_name} ({m.actor.username})",
        "action": lambda v, c, m, n: ACTION_LABELS.get(m.action, m.action),
        "screen": _screen, "changes": _changes,
    }
    column_formatters_export = {
        "at": lambda v, c, m, n: m.at.isoformat() if m.at else "",
        "actor": lambda v, c, m, n: m.actor.username,
        "screen": lambda v, c, m, n: m.screen, "changes": _changes_export,
    }
    column_sortable_list = ("at",)
    column_default_sort = [("at", True), ("id", True)]
    column_searchable_list = ("object_repr",)  # enables the box; _apply_search decides
    column_select_related_list = (AdminLogEntry.actor,)

    def __init__(self, *args, **kwargs):
        self.column_filters = [
            ScopedEqual(AdminLogEntry.action, _l("Action"),
                        options=lambda: [(k, str(v)) for k, v in ACTION_LABELS.items()]),
            ScopedEqual(AdminLogEntry.screen, _l("Écran"), options=_screen_choices),
            ScopedEqual(AdminLogEntry.actor_id, _l("Administrateur"), options=_actor_choices),
            DateTimeBetweenFilter(AdminLogEntry.at, _l("Date")),
        ]
        super().__init__(AdminLogEntry, *args, **kwargs)

    def _apply_search(self, query, count_query, joins, count_joins, search):
        """The object's name or identifier, or the administrator's identifier or name."""
        term = search.strip()
        actors = select(User.id).where(or_(User.username.icontains(term, autoescape=True),
                                           User.last_name.icontains(term, autoescape=True)))
        clause = or_(AdminLogEntry.object_repr.icontains(term, autoescape=True), AdminLogEntry.object_id == term,
                     AdminLogEntry.actor_id.in_(actors))
        query = query.filter(clause)
        if count_query is not None:
            count_query = count_query.filter(clause)
        return query, count_query, joins, count_joins

    def search_placeholder(self):
        return str(_l("Objet, identifiant ou administrateur"))
