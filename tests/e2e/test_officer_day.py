"""The officer's day in a browser (issue 20): an office view saved by one officer and opened from the menu by a
colleague; a batch of 500 files that shows its progress, then its result, without a reload."""
import threading

from playwright.sync_api import Page, expect
from sqlalchemy import select

from app.extensions import db
from app.models import Application, BackgroundTask, HistoryEvent
from tests.factories import PASSWORD

OFFICE = "FR000600"


def _log_in(page: Page, username: str):
    page.goto("/connexion")
    page.get_by_label("Identifiant").fill(username)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Me connecter").click()


def test_an_office_view_saved_by_one_officer_is_opened_from_the_menu_by_a_colleague(page: Page, browser,
                                                                                   live_server, factory,
                                                                                   artifacts_dir):
    officer, colleague = factory.officer(OFFICE), factory.officer(OFFICE)
    waiting = factory.incomplete(factory.operator(), officer)
    fresh = factory.submitted(factory.operator(), office_code=OFFICE)
    waiting_ref, fresh_ref = waiting.reference, fresh.reference
    officer_name, colleague_name = officer.username, colleague.username
    db.session.commit()

    _log_in(page, officer_name)
    expect(page.get_by_role("heading", level=1)).to_have_text("Mon travail")  # the officers' home
    page.goto("/admin/tous/?flt0_statut_equals=incomplete")
    expect(page.get_by_role("link", name=waiting_ref)).to_be_visible()
    expect(page.get_by_role("link", name=fresh_ref)).to_have_count(0)
    page.get_by_role("link", name="Enregistrer cette vue…").click()
    page.get_by_label("Nom de la vue").fill("Incomplètes du service")
    page.get_by_label("Pour mon service").check()
    page.get_by_role("button", name="Enregistrer la vue").click()
    expect(page.get_by_role("link", name=waiting_ref)).to_be_visible()

    second = browser.new_context(base_url=live_server, locale="fr-FR", viewport={"width": 1280, "height": 900})
    other = second.new_page()
    try:
        _log_in(other, colleague_name)
        other.get_by_role("button", name="Vues enregistrées").or_(
            other.get_by_role("link", name="Vues enregistrées")).first.click()
        other.locator("#saved-views-menu").get_by_role("link", name="Incomplètes du service").click()
        expect(other.get_by_role("link", name=waiting_ref)).to_be_visible()
        expect(other.get_by_role("link", name=fresh_ref)).to_have_count(0)
        assert "flt0_statut_equals=incomplete" in other.url
        other.goto("/admin/mon-travail/")
        other.screenshot(path=artifacts_dir / "e2e-mon-travail.png", full_page=True)
    finally:
        second.close()


def test_a_batch_of_500_files_shows_its_progress_then_its_result(page: Page, app, factory, monkeypatch,
                                                                 artifacts_dir):
    from jobs import batch as jobs_batch

    monkeypatch.setitem(app.config, "REDIS_URL", None)  # in-process: a thread of the live server
    monkeypatch.setitem(app.config, "BACKGROUND_TASKS_IN_THREAD", True)
    officer, colleague = factory.officer(OFFICE), factory.officer(OFFICE)
    operator = factory.operator()
    # 500 files filed through the workflow would take minutes: the first is, the others are copies of it.
    first = factory.submitted(operator, office_code=OFFICE)
    rows = [{c.key: getattr(first, c.key) for c in Application.__table__.columns if c.key not in ("id", "reference",
                                                                                                 "company_id")}
            | {"reference": f"FR-REX-2026-9{n:06d}"} for n in range(499)]
    db.session.execute(Application.__table__.insert(), rows)
    officer_name, colleague_name = officer.username, colleague.full_name
    db.session.commit()

    # The runner pauses after its 50th file until the page has shown that progress: the test sees a batch under
    # way, whatever the speed of the machine.
    shown, calls, real = threading.Event(), [], jobs_batch.apply_to_file

    def paced(*args):
        calls.append(1)
        if len(calls) == 51:
            shown.wait(60)
        return real(*args)

    monkeypatch.setattr(jobs_batch, "apply_to_file", paced)
    page.on("dialog", lambda dialog: dialog.accept())

    _log_in(page, officer_name)
    page.goto("/admin/lot/?queue=a_traiter")
    expect(page.get_by_text("500 dossiers correspondent aux filtres en cours.")).to_be_visible()
    page.get_by_label("Agent").select_option(label=f"{colleague_name} ({OFFICE})")
    page.get_by_role("button", name="Affecter 500 dossiers").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Affectation de 500 dossiers")
    expect(page.locator(".task-done")).to_have_text("50")  # refreshed without a reload
    expect(page.locator(".task-total")).to_have_text("500")
    expect(page.locator(".task-state")).to_have_text("En cours")
    page.screenshot(path=artifacts_dir / "e2e-batch-progress.png", full_page=True)
    shown.set()

    expect(page.locator(".task-state")).to_have_text("Terminé", timeout=120_000)
    expect(page.locator(".task-done")).to_have_text("500")
    expect(page.locator("#task-done a")).to_have_count(500)
    page.screenshot(path=artifacts_dir / "e2e-batch-done.png")
    page.get_by_role("link", name="Mes traitements").last.click()
    expect(page.get_by_role("link", name="Affectation de 500 dossiers · À traiter")).to_be_visible()

    db.session.expire_all()
    task = db.session.scalars(select(BackgroundTask)).one()
    assert (task.state, task.done, task.failed) == ("done", 500, 0)
    assert db.session.scalar(select(db.func.count()).select_from(HistoryEvent)
                             .where(HistoryEvent.kind == "assigned")) == 500
