"""/admin/recherche/: the back-office header search over every file and registration of the officer's scope
(the queues' scope, app/workflow/access.py). An exact reference or number opens the file."""
from flask import redirect, request, url_for
from flask_admin import BaseView, expose
from flask_login import current_user

from app.admin_views.security import InstructorView
from app.models import Application, ApplicationKind, ApplicationStatus
from app.operator.search import criteria_from_request, statuses
from app.queries import reference, search
from app.workflow.access import office_scope


class SearchView(InstructorView, BaseView):
    def is_visible(self):
        return False

    @expose("/")
    def index(self):
        criteria, errors = criteria_from_request()
        if request.args.get("ouvrir") != "0" and criteria.text and not errors:
            found = search.officer_exact(current_user, criteria.text)
            if isinstance(found, Application):
                return redirect(url_for("dossier.show", application_id=found.id))
            if found is not None:
                return redirect(url_for("autorisation.show", registration_id=found.id))
        results = search.officer_search(current_user, criteria) if not errors else search.Results([], [], False)
        scope = set(office_scope(current_user))
        return self.render(
            "admin/search.html", criteria=criteria, results=results, errors=errors,
            statuses=[s for s in statuses() if s != ApplicationStatus.DRAFT],
            types=list(ApplicationKind), offices=[o for o in reference.offices() if o.id in scope],
            file_url=lambda i: url_for("dossier.show", application_id=i),
            registration_url=lambda i: url_for("autorisation.show", registration_id=i)), (422 if errors else 200)
