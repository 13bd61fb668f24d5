"""The back-office in Flask-Admin: queues, the instruction page, supervision and administration."""
from pathlib import Path

from flask import Flask, redirect, url_for
from flask_admin import Admin, expose
from flask_admin.menu import MenuLink
from flask_admin.theme import Bootstrap4Theme
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.admin_views.batch import BatchView
from app.admin_views.certifications import CertificationQueueView
from app.admin_views.companies import CompanyView
from app.admin_views.decisions import DecisionsQueueView
from app.admin_views.instruction import InstructionView
from app.admin_views.paper import PaperFilingView
from app.admin_views.queues import (
    AllFilesQueue, IncompleteQueue, ModificationRequestQueue, RegistrationsQueue, ToInstructQueue,
)
from app.admin_views.registrations import RegistrationView
from app.admin_views.security import ProtectedIndexView
from app.models import Role

# Flask-Admin's catalogue (its "admin" domain) misses a few messages its French pages show: the ones
# translations/fr/LC_MESSAGES/admin.po adds. Flask-Admin reads this folder before its own.
TRANSLATIONS = str(Path(__file__).resolve().parent.parent.parent / "translations")


class HomeView(ProtectedIndexView):
    @expose("/")
    def index(self):
        if current_user.role == Role.OFFICER:
            return redirect(url_for("mon_travail.index"))
        if current_user.role == Role.SUPERVISOR and "supervision.index" in self.admin.app.view_functions:
            return redirect(url_for("supervision.index"))
        return self.render("admin/home.html")


def init_admin(app: Flask) -> Admin:
    admin = Admin(app, name="SOPRANO - Back-office", theme=Bootstrap4Theme(fluid=True, base_template="admin/custom_base.html"),
                  index_view=HomeView(name=_l("Accueil"), url="/admin"), translations_path=TRANSLATIONS)
    from app.admin_views import officer_work

    officer_work.register(admin)  # "Mon travail" first in the menu: the officers' home
    queues = _l("Files d'attente")
    admin.add_view(ToInstructQueue(name=_l("À traiter"), endpoint="a_traiter", category=queues))
    admin.add_view(IncompleteQueue(name=_l("Incomplètes"), endpoint="incompletes", category=queues))
    admin.add_view(ModificationRequestQueue(name=_l("Modifications demandées"), endpoint="modifications",
                                            category=queues))
    admin.add_view(AllFilesQueue(name=_l("Tous les dossiers du service"), endpoint="tous", category=queues))
    admin.add_view(DecisionsQueueView(name=_l("Décisions à valider"), endpoint="decisions_a_valider",
                                      url="/admin/decisions-a-valider", category=queues))
    admin.add_view(RegistrationsQueue(name=_l("Autorisations du service"), endpoint="autorisations_service",
                                      category=queues))
    admin.add_view(CertificationQueueView(name=_l("Habilitations à traiter"), endpoint="habilitations_a_traiter",
                                          url="/admin/habilitations-a-traiter", category=queues))
    admin.add_view(RegistrationView(name=_l("Autorisation"), endpoint="autorisation", url="/admin/autorisation"))
    admin.add_view(CompanyView(name=_l("Opérateur"), endpoint="operateur", url="/admin/operateur"))
    admin.add_view(InstructionView(name=_l("Dossier"), endpoint="dossier", url="/admin/dossier"))
    admin.add_view(PaperFilingView(name=_l("Déposer pour le compte d'un opérateur"), endpoint="papier",
                                   url="/admin/papier", category=queues))
    admin.add_view(BatchView(name=_l("Traitement par lot"), endpoint="batch", url="/admin/lot"))
    from app.admin_views.search import SearchView

    admin.add_view(SearchView(name=_l("Recherche"), endpoint="recherche", url="/admin/recherche"))
    from app.admin_views import extra

    extra.register(admin)
    admin.add_link(MenuLink(name=_l("Aide"), endpoint="help.index"))
    return admin
