"""Batch actions over the ticked rows or over every file matching the queue's current filters.

Flask-Admin acts only on the rows ticked on the page; like Django's select_across,
this page shows how many files the current filters match before anything is done.
"""
from flask import abort, flash, redirect, request, url_for
from flask_admin import BaseView, expose
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app import background, background_tasks
from app.admin_views.queues import QueueView
from app.admin_views.security import InstructorView
from app.extensions import db
from app.identifiers import parse_id
from app.models import Application, Office, Role, User
from app.workflow.access import office_scope
from app.workflow.batch import apply_to_files
from app.workflow.rules import NUL_CHARACTER, has_nul

INLINE_LIMIT = 100  # above this, the batch runs as a background job


class BatchView(InstructorView, BaseView):
    def is_visible(self):
        return False

    def _queue(self, endpoint: str) -> QueueView:
        """A queue of files (not of registrations: nothing here acts on them), whose scoped query selects."""
        for view in self.admin._views:
            if isinstance(view, QueueView) and view.endpoint == endpoint:
                return view
        abort(404)

    def _selected_ids(self, queue) -> list[int]:
        """The ticked rows (ids=) or every row the queue's filters and search match, within the scope."""
        if request.values.get("ids"):
            wanted = [i for i in map(parse_id, request.values["ids"].split(",")) if i]
            query = queue.get_query().filter(Application.id.in_(wanted))
        else:
            args = queue._get_list_extra_args()
            _, query = queue.get_list(None, None, False, args.search, args.filters, execute=False, page_size=0)
        return [row.id for row in query.with_entities(Application.id).order_by(None)]

    def _targets(self):
        scope = office_scope(current_user)
        officers = db.session.scalars(select(User).where(User.role == Role.OFFICER, User.office_id.in_(scope))
                                      .order_by(User.last_name)).all()
        offices = db.session.scalars(select(Office).order_by(Office.name)).all() \
            if current_user.role == Role.SUPERVISOR else []
        return officers, offices

    @expose("/", methods=("GET", "POST"))
    def confirm(self):
        queue = self._queue(request.values.get("queue", ""))
        ids = self._selected_ids(queue)
        officers, offices = self._targets()
        error = {}
        if request.method == "POST":
            action = request.form.get("action")
            params, error = self._parse(action, officers, offices)
            if not error:
                return self._run(queue, action, ids, params)
        return self.render("admin/batch.html", queue=queue, count=len(ids), officers=officers, offices=offices,
                           error=error, ticked=bool(request.values.get("ids")),
                           # the ticked rows in scope only: the page's forms post back nothing else
                           ids=",".join(map(str, ids)) if request.values.get("ids") else ""), (422 if error else 200)

    def _parse(self, action, officers, offices):
        if action == "assign":
            officer_id = parse_id(request.form.get("officer_id"))
            if officer_id not in {o.id for o in officers}:
                return {}, {"officer_id": _("Choisissez un agent du service.")}
            return {"officer_id": officer_id}, {}
        if action == "reassign" and current_user.role == Role.SUPERVISOR:
            office_id = parse_id(request.form.get("office_id"))
            comment = request.form.get("comment", "").strip()
            error = {}
            if office_id not in {o.id for o in offices}:
                error["office_id"] = _("Choisissez le service.")
            if not comment:
                error["comment"] = _("Indiquez le motif de la réaffectation.")
            elif has_nul(comment):
                error["comment"] = str(NUL_CHARACTER)
            return {"office_id": office_id, "comment": comment}, error
        return {}, {"action": _("Action inconnue.")}

    def _run(self, queue, action, ids, params):
        if len(ids) > INLINE_LIMIT and background.available(background_tasks.TASK):
            label = (_("Affectation de %(n)s dossiers", n=len(ids)) if action == "assign"
                     else _("Réaffectation de %(n)s dossiers", n=len(ids)))
            task = background_tasks.create(current_user, "batch", f"{label} · {queue.name}", len(ids),
                                           {"action": action, "ids": ids, "params": params})
            flash(_("%(n)s dossiers seront traités en arrière-plan ; chacun recevra son événement d'historique.",
                    n=len(ids)), "info")
            return redirect(url_for("traitements.show", task_id=task.id))
        else:
            result = apply_to_files(current_user, action, ids, params)
            flash(_("%(n)s dossier(s) traité(s).", n=result["done"]), "success")
            for reference, reason in list(result["refused"].items())[:20]:
                flash(f"{reference} : {reason}", "warning")
        return redirect(url_for(f"{queue.endpoint}.index_view"))

