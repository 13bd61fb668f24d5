"""The officer's day (issue 20): "Mon travail", saved views of the queues, and "Mes traitements" (background
batches and exports with their progress). Views parse, call app/workflow/news.py, app/saved_views.py or
app/background_tasks.py, and render."""
from urllib.parse import parse_qsl, urlencode

from flask import Response, abort, flash, jsonify, redirect, request, url_for
from flask_admin import BaseView, expose
from flask_babel import format_number, gettext as _, lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select

from app import background_tasks, saved_views
from app.admin_views import exports
from app.admin_views.exports import XLSX_MIMETYPE
from app.admin_views.mixins import COLUMNS_ARG
from app.admin_views.security import InstructorView
from app.extensions import db
from app.identifiers import parse_id
from app.models import Registration, RegistrationStatus
from app.models.officer_work import SCOPE_MINE, SCOPE_OFFICE
from app.workflow import news


def _queue_views(admin) -> dict:
    """The queues a view may be saved from: every list of files or registrations of the officers."""
    from app.admin_views.queues import QueueView, RegistrationQueue

    return {v.endpoint: v for v in admin._views if isinstance(v, (QueueView, RegistrationQueue))}


class MonTravailView(InstructorView, BaseView):
    """/admin/mon-travail/: my files with news, my files nearing their deadline, the counts of my office's queues."""

    @expose("/")
    def index(self):
        office_id = current_user.office_id
        counts = news.office_counts(office_id)
        modifications = db.session.scalar(
            select(func.count()).select_from(Registration)
            .where(Registration.office_id == office_id,
                   Registration.status == RegistrationStatus.MODIFICATION_REQUESTED)) if office_id else 0
        return self.render("admin/mon_travail.html", news=news.my_news(current_user),
                           due=news.near_deadline(current_user), near_days=news.NEAR_DEADLINE_DAYS,
                           counts=counts, modifications=modifications, tasks=background_tasks.of_user(current_user)[:5],
                           state_label=background_tasks.state_label)

    @expose("/resume-quotidien", methods=("POST",))
    def digest(self):
        current_user.daily_digest = request.form.get("daily_digest") == "1"
        db.session.commit()
        flash(_("Vous recevrez un résumé quotidien par courriel.") if current_user.daily_digest
              else _("Vous ne recevrez plus de résumé quotidien."), "success")
        return redirect(url_for(".index"))


class SavedViewsView(InstructorView, BaseView):
    """/admin/vues/: save the queue now shown under a name, open a saved view, delete it."""

    def is_visible(self):
        return False

    @expose("/")
    def index(self):
        return redirect(url_for("mon_travail.index"))

    @expose("/nouvelle", methods=("GET", "POST"))
    def new(self):
        queues = _queue_views(self.admin)
        endpoint = request.values.get("queue", "")
        query = saved_views.clean_query(request.values.get("query", ""))
        if endpoint not in queues:
            abort(404)
        offices = sorted(current_user.supervised_offices, key=lambda o: o.name) \
            if current_user.role.value == "supervisor" else []
        errors, form = {}, request.form
        columns = [(name, str(label)) for name, label in queues[endpoint]._list_columns]
        shown = dict(parse_qsl(query)).get(COLUMNS_ARG, "").split(",")
        shown = [name for name, _ in columns if name in shown] or [name for name, _ in columns]
        if request.method == "POST":
            shown = [name for name, _ in columns if name in form.getlist("columns")]
            pairs = [(k, v) for k, v in parse_qsl(query) if k != COLUMNS_ARG]
            if 0 < len(shown) < len(columns):
                pairs.append((COLUMNS_ARG, ",".join(shown)))
            query = urlencode(pairs)
            view, errors = saved_views.save(current_user, endpoint, query, form.get("name", ""),
                                            form.get("scope", ""), parse_id(form.get("office_id")),
                                            form.get("pinned") == "1", set(queues))
            if not shown:
                errors["columns"] = _("Choisissez au moins une colonne.")
                if view is not None:
                    saved_views.delete(view)
                    view = None
            if view is not None:
                flash(_("Vue « %(name)s » enregistrée.", name=view.name), "success")
                return redirect(url_for(".open", view_id=view.id))
        return self.render("admin/saved_view_form.html", queue=queues[endpoint], endpoint=endpoint, query=query,
                           filters=[(k, v) for k, v in parse_qsl(query) if k != COLUMNS_ARG], offices=offices,
                           errors=errors, form=form, columns=columns, shown=shown,
                           SCOPE_MINE=SCOPE_MINE, SCOPE_OFFICE=SCOPE_OFFICE), (422 if errors else 200)

    @expose("/<view_id>")
    def open(self, view_id):
        view = saved_views.visible_to(current_user, parse_id(view_id))
        if view is None or view.endpoint not in _queue_views(self.admin):
            abort(404)
        target = url_for(f"{view.endpoint}.index_view")
        args = [*parse_qsl(view.query), ("vue", str(view.id))]
        return redirect(f"{target}?{urlencode(args)}")

    @expose("/<view_id>/supprimer", methods=("POST",))
    def delete(self, view_id):
        view = saved_views.visible_to(current_user, parse_id(view_id))
        if view is None:
            abort(404)
        if not saved_views.may_delete(current_user, view):
            abort(403)
        name = view.name
        saved_views.delete(view)
        flash(_("Vue « %(name)s » supprimée.", name=name), "success")
        return redirect(url_for("mon_travail.index"))


class TasksView(InstructorView, BaseView):
    """/admin/mes-traitements/: my background batches and exports of the last 7 days, each with its progress."""

    @expose("/")
    def index(self):
        return self.render("admin/tasks.html", tasks=background_tasks.of_user(current_user),
                           state_label=background_tasks.state_label)

    def _task(self, task_id):
        task = background_tasks.visible_to(current_user, parse_id(task_id) or 0)
        if task is None:
            abort(404)
        return task

    @expose("/<task_id>")
    def show(self, task_id):
        task = self._task(task_id)
        return self.render("admin/task.html", task=task, progress=background_tasks.progress(task),
                           refused=background_tasks.items(task, ok=False),
                           done_items=background_tasks.items(task, ok=True, limit=1000),
                           state_label=background_tasks.state_label)

    @expose("/<task_id>/etat")
    def state(self, task_id):
        task = self._task(task_id)
        data = background_tasks.progress(task)
        data["state_label"] = background_tasks.state_label(task.state)
        return jsonify(data)

    @expose("/<task_id>/annuler", methods=("POST",))
    def cancel(self, task_id):
        task = self._task(task_id)
        if background_tasks.request_cancel(task):
            flash(_("Annulation demandée : les dossiers déjà traités le restent."), "info")
        return redirect(url_for(".show", task_id=task.id))

    @expose("/<task_id>/fichier")
    def download(self, task_id):
        task = self._task(task_id)
        if task.kind != "export" or task.filename is None:
            abort(404)
        mimetype = XLSX_MIMETYPE if task.filename.endswith(".xlsx") else "text/csv; charset=utf-8"
        return Response(task.content, mimetype=mimetype,
                        headers={"Content-Disposition": f"attachment; filename={task.filename}"})

    @expose("/export", methods=("GET", "POST"))
    def new_export(self):
        """An export over EXPORT_MAX_ROWS rows: say how many rows, and prepare it in the background."""
        from flask_babel import get_locale

        queues = {v.endpoint: v for v in self.admin._views if hasattr(v, "_export_query")}
        endpoint, export_type = request.values.get("queue", ""), request.values.get("export_type", "")
        view = queues.get(endpoint)
        if view is None or export_type not in getattr(view, "export_types", ()) or not view.is_accessible():
            abort(404)
        query = saved_views.clean_query(request.values.get("query", ""))
        if request.method == "POST":
            task = background_tasks.create(
                current_user, "export", f"{_('Export')} {export_type.upper()} : {view.name}", 0,
                {"endpoint": endpoint, "export_type": export_type, "query": query, "locale": str(get_locale())})
            return redirect(url_for(".show", task_id=task.id))
        return self.render("admin/export_confirm.html", view=view, endpoint=endpoint, export_type=export_type,
                           query=query, limit=format_number(exports.EXPORT_MAX_ROWS),
                           back=url_for(f"{endpoint}.index_view") + (f"?{query}" if query else ""))


def register(admin) -> None:
    admin.add_view(MonTravailView(name=_l("Mon travail"), endpoint="mon_travail", url="/admin/mon-travail"))
    admin.add_view(SavedViewsView(name=_l("Vues enregistrées"), endpoint="vues", url="/admin/vues"))
    admin.add_view(TasksView(name=_l("Mes traitements"), endpoint="traitements", url="/admin/mes-traitements"))

    @admin.app.context_processor
    def _saved_views_menu():
        def saved_views_menu():
            if not current_user.is_authenticated:
                return []
            return saved_views.menu(current_user)
        return {"saved_views_menu": saved_views_menu}
