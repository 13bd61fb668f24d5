"""Operations ("Exploitation"), for administrators only: RQ queues, workers and failed jobs (with
"Relancer"), and the backlogs of the email outbox and of the transmissions to the central REX.

The figures come from jobs/monitoring.py; this view renders them and turns the two POST actions into a
flash message and a redirect back to the page. The jobs layer adds it to the back-office (jobs.init_app).
"""
from flask import flash, redirect, request, url_for
from flask_admin import BaseView, expose
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from redis.exceptions import RedisError

from app import audit
from app.admin_views.outbox import STATUS_LABELS
from app.admin_views.security import RoleRequired
from app.extensions import db
from app.models import Role
from app.models._time import utcnow
from app.models.outbox import OUTBOX_FAILED
from jobs import monitoring

WORKER_STATES = {"idle": _l("inactif"), "busy": _l("occupé"), "suspended": _l("suspendu"),
                 "started": _l("démarré")}


class OperationsView(RoleRequired, BaseView):
    allowed_roles = {Role.ADMIN}

    @expose("/")
    def index(self):
        connection = monitoring.redis_connection()
        queues, failed, redis_error = [], [], None
        if connection is not None:
            try:
                queues = monitoring.queue_stats(connection)
                failed = [(q.name, monitoring.failed_jobs(connection, q.name)) for q in queues if q.failed]
            except RedisError as exc:  # the page exists to show what is down: say it, don't fail
                redis_error = f"{type(exc).__name__}: {exc}"
        return self.render("admin/operations.html", embedded=connection is None, queues=queues, failed=failed,
                           failed_limit=monitoring.FAILED_LIMIT, redis_error=redis_error,
                           worker_states=WORKER_STATES, outbox=monitoring.outbox_backlog(utcnow()),
                           outbox_labels=STATUS_LABELS, outbox_failed_url=self._outbox_failed_url(),
                           rex=monitoring.rex_backlog())

    @expose("/relancer", methods=("POST",))
    def requeue(self):
        connection = self._connection_or_flash()
        if connection is not None:
            queue, job_id = request.form.get("queue", ""), request.form.get("job_id", "")
            if monitoring.requeue(connection, queue, job_id):
                self._log(queue, [job_id])
                flash(_("Tâche %(job)s remise dans la file %(queue)s.", job=job_id, queue=queue), "success")
            else:
                flash(_("Tâche %(job)s introuvable parmi les échecs de la file %(queue)s (déjà relancée ou "
                        "expirée).", job=job_id, queue=queue), "danger")
        return redirect(url_for(".index"))

    @expose("/relancer-tout", methods=("POST",))
    def requeue_all(self):
        connection = self._connection_or_flash()
        if connection is not None:
            queue = request.form.get("queue", "")
            count = monitoring.requeue_all(connection, queue)
            if count:
                self._log(queue, [f"{count} tâche(s)"])
            flash(ngettext("%(num)d tâche remise dans la file %(queue)s.",
                           "%(num)d tâches remises dans la file %(queue)s.", count, queue=queue),
                  "success" if count else "warning")
        return redirect(url_for(".index"))

    def _log(self, queue: str, jobs: list[str]) -> None:
        """A failed job put back in its queue is a change made here: the administration log says so."""
        audit.record_action(current_user, self.endpoint, "Relancer", "rq_job", jobs, f"file {queue}",
                            [{"field": "queue", "old": "failed", "new": queue}])
        db.session.commit()

    @staticmethod
    def _connection_or_flash():
        connection = monitoring.redis_connection()
        if connection is None:
            flash(_("Pas de file RQ à relancer : les tâches sont exécutées dans le processus web."), "danger")
        return connection

    def _outbox_failed_url(self) -> str | None:
        """The outbox list filtered on failed messages, with the filter argument the outbox view parses."""
        for view in self.admin._views:
            if getattr(view, "endpoint", None) != "courriels":
                continue
            for index, flt in enumerate(view._filters or ()):
                if getattr(getattr(flt, "column", None), "key", None) == "status":
                    arg = f"flt0_{view.get_filter_arg(index, flt)}"
                    return url_for("courriels.index_view", **{arg: OUTBOX_FAILED})
        return None


def register(admin) -> None:
    admin.add_view(OperationsView(name=_l("Exploitation"), endpoint="operations", url="/admin/operations",
                                  category=_l("Administration")))
