"""The officer's day (issue 20): news and read markers, Mon travail, saved views, background batches and exports.

Background tasks run synchronously here (BACKGROUND_TASKS_IN_THREAD off, no Redis): the request that starts one
returns once it is over; tests/e2e/test_officer_day.py watches one advance in a browser.
"""
import pytest
from sqlalchemy import select

from app import workflow
from app.admin_views import batch as batch_view, exports
from app.extensions import db
from app.models import BackgroundTask, BackgroundTaskItem, OutboxEmail, SavedView
from app.workflow import news
from app.workflow.instruction import assign
from tests.backoffice.helpers import OFFICE_A, events, fresh, text_of


@pytest.fixture(autouse=True)
def synchronous_tasks(app, monkeypatch):
    monkeypatch.setitem(app.config, "BACKGROUND_TASKS_IN_THREAD", False)
    monkeypatch.setitem(app.config, "REDIS_URL", None)


@pytest.fixture
def mine(world):
    """A file of office A assigned to officer A, read once by officer A and by their colleague."""
    application = world.file_a
    assign(world.officer_a, application, world.officer_a)
    for officer in (world.officer_a, world.colleague_a):
        news.mark_read(officer, application)
    return application


def unread_for(user, application) -> bool:
    return application.id in news.unread_ids(user, [application.id])


# --- news and read markers --------------------------------------------------------------------------------------

def test_an_operator_reply_makes_the_file_unread_for_its_officer_only(world, mine):
    assert not unread_for(world.officer_a, mine)

    workflow.comment(world.operator, mine, "Voici les précisions demandées.")

    assert unread_for(world.officer_a, mine)
    assert not unread_for(world.colleague_a, mine)  # not their file
    assert not unread_for(world.supervisor_a, mine)
    [item] = news.my_news(world.officer_a)
    assert item["application"].id == mine.id and [str(k) for k in item["kinds"]] == ["Réponse de l'opérateur"]
    assert news.my_news(world.colleague_a) == []


def test_the_officer_own_message_is_no_news(world, mine):
    workflow.comment(world.officer_a, mine, "Merci de joindre le Kbis.")
    assert not unread_for(world.officer_a, mine)


def test_opening_the_file_marks_it_read_for_me(world, mine, as_user):
    workflow.comment(world.operator, mine, "Réponse.")
    client = as_user(world.officer_a)

    queue = client.get("/admin/tous/").get_data(as_text=True)
    assert queue.count('class="unread-marker"') == 1
    home = client.get("/admin/mon-travail/").get_data(as_text=True)
    assert mine.reference in home and "Réponse de l'opérateur" in home

    page = client.get(f"/admin/dossier/{mine.id}").get_data(as_text=True)
    assert "Nouveau depuis votre dernière consultation" in page

    assert not unread_for(world.officer_a, fresh(mine.id))
    assert mine.reference not in client.get("/admin/mon-travail/").get_data(as_text=True).split('id="echeances"')[0]
    assert "Nouveau depuis" not in client.get(f"/admin/dossier/{mine.id}").get_data(as_text=True)


def test_a_completion_and_a_transmission_error_are_news(world, factory):
    application = factory.incomplete(factory.operator(), world.officer_a)
    assign(world.officer_a, application, world.officer_a)
    news.mark_read(world.officer_a, application)
    workflow.complete(application.created_by, application, "Complément : factures jointes.")
    workflow.record(application, "rex_transmission_error", None, comment="HTTP 503")
    db.session.commit()

    [item] = news.my_news(world.officer_a)
    assert sorted(str(k) for k in item["kinds"]) == ["Complément apporté",
                                                     "Erreur de communication avec l'application REX"]


def test_a_kind_of_news_declared_elsewhere_is_news_too(world, mine, monkeypatch):
    monkeypatch.setitem(news.NEWS_KINDS, "proposal", news.NewsKind("proposal", "Proposition à valider",
                                                                   ("decision_proposed",)))
    workflow.record(mine, "decision_proposed", world.colleague_a)
    db.session.commit()
    assert unread_for(world.officer_a, mine)


def test_an_officer_lands_on_mon_travail_with_the_counts_of_the_office(world, as_user):
    client = as_user(world.officer_a)
    response = client.get("/admin/")
    assert response.headers["Location"].endswith("/admin/mon-travail/")
    page = client.get("/admin/mon-travail/").get_data(as_text=True)
    assert 'data-count="under_review">1<' in page  # file_a; file_b is office B's
    assert 'data-count="incomplete">1<' in page


def test_the_daily_digest_is_sent_to_the_officers_who_chose_it(world, mine, as_user):
    from jobs.digest import send_daily_digests

    workflow.comment(world.operator, mine, "Réponse.")
    assert send_daily_digests(force=True) == 0  # nobody chose it yet
    as_user(world.officer_a).post("/admin/mon-travail/resume-quotidien", data={"daily_digest": "1"})
    assert fresh(mine.id) and send_daily_digests(force=True) == 1
    [email] = db.session.scalars(select(OutboxEmail).where(OutboxEmail.template == "daily_digest")).all()
    assert email.recipient == world.officer_a.email and mine.reference in email.body


# --- saved views ------------------------------------------------------------------------------------------------

def save_view(client, name, scope, endpoint="tous", query="flt0_statut_equals=incomplete", **extra):
    data = {"queue": endpoint, "query": query, "name": name, "scope": scope, "columns": ["reference", "status"],
            **extra}
    return client.post("/admin/vues/nouvelle", data=data)


def test_an_office_view_is_in_every_menu_of_the_office_and_opens_the_filtered_queue(world, as_user):
    response = save_view(as_user(world.officer_a), "Incomplètes du service", "office")
    assert response.status_code == 302
    view = db.session.scalars(select(SavedView)).one()
    assert (view.scope, view.office_id, view.owner_id) == ("office", world.office_a.id, world.officer_a.id)

    colleague = as_user(world.colleague_a)
    assert "Incomplètes du service" in colleague.get("/admin/mon-travail/").get_data(as_text=True)
    opened = colleague.get(f"/admin/vues/{view.id}")
    assert opened.status_code == 302 and "flt0_statut_equals=incomplete" in opened.headers["Location"]
    listing = text_of(colleague.get(opened.headers["Location"]))
    assert fresh(world.incomplete_a.id).reference in listing and fresh(world.file_a.id).reference not in listing


def test_a_view_keeps_its_columns_and_its_sort(world, as_user):
    client = as_user(world.officer_a)
    response = client.post("/admin/vues/nouvelle", data={
        "queue": "tous", "query": "sort=1&flt0_statut_equals=incomplete", "name": "Compacte", "scope": "user",
        "columns": ["reference", "status"]})
    view = db.session.scalars(select(SavedView)).one()
    assert "colonnes=reference%2Cstatus" in view.query and "sort=1" in view.query
    listing = client.get(client.get(response.headers["Location"]).headers["Location"]).get_data(as_text=True)
    assert "N° demande" in listing and "Statut" in listing and "Opérateur" not in listing.split("<tbody")[0]
    assert "colonnes=reference,status" in listing  # the sort and page links keep the columns


def test_another_office_view_is_refused_by_url_and_never_offered(world, as_user):
    save_view(as_user(world.officer_a), "Vue du service A", "office")
    view = db.session.scalars(select(SavedView)).one()

    other = as_user(world.officer_b)
    assert other.get(f"/admin/vues/{view.id}").status_code == 404
    assert other.post(f"/admin/vues/{view.id}/supprimer").status_code == 404
    assert "Vue du service A" not in other.get("/admin/mon-travail/").get_data(as_text=True)
    assert as_user(world.supervisor_other).get(f"/admin/vues/{view.id}").status_code == 404
    assert db.session.get(SavedView, view.id) is not None


def test_a_personal_view_is_its_owner_only(world, as_user):
    save_view(as_user(world.officer_a), "Ma vue", "user")
    view = db.session.scalars(select(SavedView)).one()
    assert as_user(world.colleague_a).get(f"/admin/vues/{view.id}").status_code == 404
    assert as_user(world.officer_a).get(f"/admin/vues/{view.id}").status_code == 302


def test_a_supervisor_pins_a_view_for_a_supervised_office_only(world, as_user):
    client = as_user(world.supervisor_a)
    refused = save_view(client, "Épinglée ailleurs", "office", office_id=str(world.office_b.id), pinned="1")
    assert refused.status_code == 422 and "Choisissez un service que vous supervisez." in text_of(refused)
    assert save_view(client, "Épinglée", "office", office_id=str(world.office_a.id), pinned="1").status_code == 302
    view = db.session.scalars(select(SavedView)).one()
    assert view.pinned and view.office_id == world.office_a.id
    assert "Épinglée" in as_user(world.officer_a).get("/admin/mon-travail/").get_data(as_text=True)
    assert "Épinglée" not in as_user(world.officer_b).get("/admin/mon-travail/").get_data(as_text=True)


def test_a_view_without_a_name_is_refused_beside_the_field_and_keeps_what_was_typed(world, as_user):
    response = save_view(as_user(world.officer_a), "  ", "office")
    assert response.status_code == 422 and "Donnez un nom à cette vue." in text_of(response)
    assert save_view(as_user(world.officer_a), "A\x00B", "office").status_code == 400  # as every NUL in a form
    no_column = save_view(as_user(world.officer_a), "Vide", "office", columns=[])
    assert no_column.status_code == 422 and "Choisissez au moins une colonne." in text_of(no_column)
    assert db.session.scalars(select(SavedView)).all() == []


# --- background batches -----------------------------------------------------------------------------------------

@pytest.fixture
def many(world, factory, monkeypatch):
    monkeypatch.setattr(batch_view, "INLINE_LIMIT", 2)
    return [factory.submitted(factory.operator(), office_code=OFFICE_A) for _ in range(4)]


def test_a_large_batch_runs_as_a_task_with_its_progress_page(world, many, as_user):
    client = as_user(world.officer_a)
    ids = ",".join(str(f.id) for f in many)
    response = client.post("/admin/lot/?queue=tous",
                           data={"action": "assign", "officer_id": str(world.colleague_a.id), "ids": ids})
    task = db.session.scalars(select(BackgroundTask)).one()
    assert response.headers["Location"].endswith(f"/admin/mes-traitements/{task.id}")
    db.session.refresh(task)
    assert (task.state, task.done, task.total, task.failed) == ("done", 4, 4, 0)
    page = client.get(f"/admin/mes-traitements/{task.id}").get_data(as_text=True)
    assert all(fresh(f.id).reference in page for f in many)
    assert client.get(f"/admin/mes-traitements/{task.id}/etat").get_json()["finished"] is True
    assert "Affectation de 4 dossiers" in client.get("/admin/mes-traitements/").get_data(as_text=True)
    for f in many:
        assert [e.kind for e in events(f.id)][-1] == "assigned"


def test_a_cancelled_batch_leaves_done_files_done(world, many, as_user, monkeypatch):
    from app.workflow import batch as workflow_batch
    from jobs import batch as jobs_batch

    client = as_user(world.officer_a)
    real = workflow_batch.apply_to_file
    calls = []

    def apply_then_cancel(*args):
        result = real(*args)
        calls.append(args[2])
        if len(calls) == 2:  # the officer presses "Annuler" while the third file waits
            task = db.session.scalars(select(BackgroundTask)).one()
            assert client.post(f"/admin/mes-traitements/{task.id}/annuler").status_code == 302
        return result

    monkeypatch.setattr(jobs_batch, "apply_to_file", apply_then_cancel)
    client.post("/admin/lot/?queue=tous", data={"action": "assign", "officer_id": str(world.colleague_a.id),
                                               "ids": ",".join(str(f.id) for f in many)})

    task = db.session.scalars(select(BackgroundTask)).one()
    db.session.refresh(task)
    assert (task.state, task.done) == ("cancelled", 2)
    done, waiting = many[:2], many[2:]
    for f in done:
        assert fresh(f.id).assigned_officer_id == world.colleague_a.id
        assert [e.kind for e in events(f.id)][-1] == "assigned"
    for f in waiting:
        assert fresh(f.id).assigned_officer_id is None
    assert len(db.session.scalars(select(BackgroundTaskItem)).all()) == 2


def test_a_batch_lists_the_files_it_refused_with_their_reason(world, many, as_user):
    assign(world.officer_a, many[0], world.colleague_a)
    client = as_user(world.officer_a)
    client.post("/admin/lot/?queue=tous", data={"action": "assign", "officer_id": str(world.colleague_a.id),
                                               "ids": ",".join(str(f.id) for f in many)})
    task = db.session.scalars(select(BackgroundTask)).one()
    page = text_of(client.get(f"/admin/mes-traitements/{task.id}"))
    assert "Dossiers refusés" in page and fresh(many[0].id).reference in page


def test_a_task_is_its_requester_only(world, many, as_user):
    as_user(world.officer_a).post("/admin/lot/?queue=tous", data={
        "action": "assign", "officer_id": str(world.colleague_a.id), "ids": ",".join(str(f.id) for f in many)})
    task = db.session.scalars(select(BackgroundTask)).one()
    colleague = as_user(world.colleague_a)
    for path in ("", "/etat", "/fichier"):
        assert colleague.get(f"/admin/mes-traitements/{task.id}{path}").status_code == 404
    assert colleague.post(f"/admin/mes-traitements/{task.id}/annuler").status_code == 404


# --- background exports -----------------------------------------------------------------------------------------

def test_an_export_over_the_limit_is_prepared_in_the_background_for_its_requester_only(world, factory, as_user,
                                                                                      monkeypatch):
    monkeypatch.setattr(exports, "EXPORT_MAX_ROWS", 1)
    client = as_user(world.officer_a)
    response = client.get("/admin/tous/export/csv/", query_string={"search": ""})
    assert "/admin/mes-traitements/export" in response.headers["Location"]
    confirm = client.get(response.headers["Location"])
    assert "Cet export dépasse 1 lignes" in text_of(confirm), text_of(confirm)[-900:]

    started = client.post("/admin/mes-traitements/export", data={"queue": "tous", "export_type": "csv",
                                                                 "query": ""})
    task = db.session.scalars(select(BackgroundTask)).one()
    assert started.headers["Location"].endswith(f"/admin/mes-traitements/{task.id}")
    db.session.refresh(task)
    assert (task.state, task.total, task.done) == ("done", 2, 2)  # office A's two filed files

    download = client.get(f"/admin/mes-traitements/{task.id}/fichier")
    assert download.status_code == 200
    body = download.get_data().decode("utf-8-sig")
    assert fresh(world.file_a.id).reference in body and fresh(world.file_b.id).reference not in body
    [email] = db.session.scalars(select(OutboxEmail).where(OutboxEmail.template == "export_ready")).all()
    assert email.recipient == world.officer_a.email

    assert as_user(world.colleague_a).get(f"/admin/mes-traitements/{task.id}/fichier").status_code == 404
    assert as_user(world.officer_b).get(f"/admin/mes-traitements/{task.id}/fichier").status_code == 404


def test_an_export_of_a_queue_the_user_cannot_see_is_not_started(world, as_user):
    client = as_user(world.officer_a)
    assert client.post("/admin/mes-traitements/export", data={"queue": "journal", "export_type": "csv",
                                                              "query": ""}).status_code == 404
    assert db.session.scalars(select(BackgroundTask)).all() == []
