"""The Content-Security-Policy as Chromium applies it: no violation reported on the public register, the login
page, an operator form, the back-office lists with their filters, batch actions and delete confirmation, the
instruction page and a Flask-Admin form."""
import re

from playwright.sync_api import Page, expect

from app import workflow
from app.extensions import db
from app.models import Role
from tests.factories import PASSWORD


def _log_in(page: Page, username: str):
    page.goto("/connexion")
    page.get_by_label("Identifiant").fill(username)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Me connecter").click()


def test_pages_run_without_csp_violation(page: Page, factory):
    operator = factory.operator()
    draft = factory.draft(operator, operator.certified_companies[0])
    submitted = factory.submitted(operator)
    workflow.comment(operator, submitted, "Première ligne\nSeconde ligne")  # the thread has style attributes
    officer = factory.officer()
    admin = factory.user(Role.ADMIN)
    draft_id, submitted_id, reference = draft.id, submitted.id, submitted.reference
    db.session.commit()  # nothing left open: the server thread works on its own connections

    violations, dialogs = [], []
    page.on("console", lambda message: violations.append(f"{page.url}: {message.text}")
            if "Content Security Policy" in message.text else None)
    page.on("pageerror", lambda error: violations.append(f"{page.url}: {error}"))

    def dismiss(dialog):
        dialogs.append(dialog.message)
        dialog.dismiss()
    page.on("dialog", dismiss)

    # The public register, then the operator: the login page and the filing form.
    page.goto("/registre?number=FR999999999")
    _log_in(page, operator.username)
    page.goto(f"/rex/demandes/{draft_id}/formulaire")
    expect(page.get_by_role("button", name="Valider et passer à l'étape suivante")).to_be_visible()
    page.get_by_role("button", name="Me déconnecter").click()

    # Officer: a queue, one of its filters, the batch action (an inline onclick of Flask-Admin), the file.
    _log_in(page, officer.username)
    expect(page).to_have_url(re.compile(r"/admin/mon-travail/"))  # the officers' home, then their queue
    page.locator("#files-du-service").get_by_role("link", name="À traiter").click()
    expect(page).to_have_url(re.compile(r"/admin/a_traiter/"))
    page.wait_for_load_state("load")  # the dropdown opens only once Flask-Admin's scripts have run
    page.get_by_role("link", name="Ajouter un filtre").click()
    page.locator("a.filter").first.click()
    expect(page.locator("table.filters tr")).to_have_count(1)
    page.locator("input.action-checkbox").first.check()
    page.get_by_role("button", name="Avec la sélection").click()
    page.get_by_role("link", name="Affecter / réaffecter…").click()
    expect(page).to_have_url(re.compile(r"/admin/lot/"))
    page.goto(f"/admin/dossier/{submitted_id}")
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Demande {reference}")
    expect(page.locator("#fil p[style]")).to_have_css("white-space", "pre-line")  # allowed by its hash
    thread = page.locator("#fil")
    thread.get_by_role("button", name="Envoyer").click()  # empty: Bootstrap marks the field with a data: icon
    expect(thread.get_by_label("Votre message")).to_have_class(re.compile(r"\bis-invalid\b"))
    page.get_by_role("button", name="Me déconnecter").click()

    # Administrator: a Flask-Admin form (select2 widgets), then the row delete button, which asks first (its
    # onclick runs), and nothing is deleted on "no".
    _log_in(page, admin.username)
    page.goto("/admin/comptes/new/")
    expect(page.locator(".select2-container").first).to_be_visible()
    page.goto("/admin/habilitations/")
    rows = page.locator("table.model-list tbody tr")
    count = rows.count()
    rows.first.get_by_title("Supprimer l'enregistrement").click()
    assert dialogs == ["Êtes-vous bien sûr de vouloir  supprimer cet objet?"]
    expect(rows).to_have_count(count)

    assert violations == []
