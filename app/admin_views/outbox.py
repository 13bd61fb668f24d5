"""The email outbox, for administrators only: every message with its status, attempts and last error, so a
delivery failure is seen; 'Relancer' puts failed messages back in the queue (jobs.outbox.retry_failed).

Read-only otherwise: no create, edit, delete or details, whatever the URL (403).
"""
from flask import flash
from flask_admin import expose
from flask_admin.actions import action
from flask_admin.contrib.sqla import ModelView
from flask_admin.contrib.sqla.filters import FilterEqual
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select

from app import audit
from app.admin_views.mixins import BoundedNumbersMixin, ReadOnlyModelMixin, StableFilterArgsMixin
from app.admin_views.security import RoleRequired
from app.extensions import db
from app.identifiers import parse_id
from app.models import OutboxEmail, Role
from app.models.outbox import OUTBOX_FAILED, OUTBOX_PENDING, OUTBOX_SENDING, OUTBOX_SENT
from app.notifications import retry_failed

STATUS_LABELS = {
    OUTBOX_PENDING: _l("En attente"),
    OUTBOX_SENDING: _l("En cours d'envoi"),
    OUTBOX_SENT: _l("Envoyé"),
    OUTBOX_FAILED: _l("Échec"),
}


class OutboxAdmin(RoleRequired, BoundedNumbersMixin, StableFilterArgsMixin, ReadOnlyModelMixin, ModelView):
    allowed_roles = {Role.ADMIN}
    page_size = 50
    column_display_actions = False
    column_list = ("created_at", "recipient", "subject", "template", "status", "attempts", "next_attempt_at",
                   "last_error", "sent_at", "message_id")
    column_labels = {"created_at": _l("Créé le"), "recipient": _l("Destinataire"), "subject": _l("Objet"),
                     "template": _l("Modèle"), "status": _l("Statut"), "attempts": _l("Tentatives"),
                     "next_attempt_at": _l("Prochaine tentative"), "last_error": _l("Dernière erreur"),
                     "sent_at": _l("Envoyé le"), "message_id": _l("Message-ID")}
    column_default_sort = ("id", True)
    column_searchable_list = ("recipient", "subject")
    column_formatters = {"status": lambda v, c, m, n: STATUS_LABELS.get(m.status, m.status)}

    def __init__(self, *args, **kwargs):
        super().__init__(OutboxEmail, db, *args, **kwargs)

    column_filters = [
        FilterEqual(OutboxEmail.status, _l("Statut"), options=[(k, v) for k, v in STATUS_LABELS.items()]),
    ]

    # ReadOnlyModelMixin forbids every action; this view has one, 'Relancer'.
    def get_actions_list(self):
        return ModelView.get_actions_list(self)

    @expose("/action/", methods=("POST",))
    def action_view(self):
        return ModelView.action_view(self)

    @action("relancer", _l("Relancer"), _l("Relancer les messages en échec sélectionnés ?"))
    def action_retry(self, ids):
        wanted = [i for i in map(parse_id, ids) if i]
        failed = db.session.scalars(select(OutboxEmail.id).where(OutboxEmail.id.in_(wanted),
                                                                 OutboxEmail.status == OUTBOX_FAILED)).all()
        if failed:  # logged in the transaction retry_failed commits
            audit.record_action(current_user, self.endpoint, "Relancer", OutboxEmail.__tablename__, failed,
                                f"{len(failed)} message(s)", [{"field": "status", "old": OUTBOX_FAILED,
                                                               "new": OUTBOX_PENDING}])
        count = retry_failed(failed)
        flash(ngettext("%(num)d message remis en file d'envoi.", "%(num)d messages remis en file d'envoi.", count),
              "success")


def register(admin) -> None:
    admin.add_view(OutboxAdmin(name=_l("Courriels envoyés"), endpoint="courriels", category=_l("Administration")))
