"""The supervision dashboard: right figures for each supervised office, each a link to exactly those files."""
from datetime import timedelta

import pytest

from app import workflow
from app.extensions import db
from app.models import Application, Role
from app.models._time import utcnow
from app.workflow import instruction
from tests.admin.helpers import OFFICE_A, OFFICE_B, OFFICE_C, file_references, page
from tests.operator.html import parse


def _set(application_id: int, **values):
    """Test set-up: move dates of a file (its version counter is left alone)."""
    table = Application.__table__
    db.session.connection().execute(table.update().where(table.c.id == application_id).values(**values))
    db.session.commit()
    db.session.expire_all()


@pytest.fixture
def world(factory):
    class World:
        pass
    w = World()
    w.officer = factory.officer(OFFICE_A)
    w.colleague = factory.officer(OFFICE_A)
    w.officer_b = factory.officer(OFFICE_B)
    w.supervisor = factory.user(Role.SUPERVISOR, supervised=[factory.office(OFFICE_A), factory.office(OFFICE_B)])
    w.under_review = [factory.submitted(factory.operator(), office_code=OFFICE_A) for _ in range(3)]
    w.incomplete = [factory.incomplete(factory.operator(), w.officer) for _ in range(2)]
    w.rejected = factory.rejected(factory.operator(), w.officer)
    w.granted = factory.granted(factory.operator(), w.officer)
    operator = factory.operator()
    w.abandoned = factory.submitted(operator, office_code=OFFICE_A)
    workflow.abandon(operator, w.abandoned)
    w.office_b_file = factory.submitted(factory.operator(), office_code=OFFICE_B)
    w.not_supervised = factory.submitted(factory.operator(), office_code=OFFICE_C)
    # Workload: one file under review and one incomplete file for the officer, one under review for the colleague.
    instruction.assign(w.officer, w.under_review[0], w.officer)
    instruction.assign(w.officer, w.incomplete[0], w.officer)
    instruction.assign(w.colleague, w.under_review[1], w.colleague)
    # The oldest file under review of office A, 12 days old; one incomplete file ends in 3 days, the other in 20.
    _set(w.under_review[2].id, submitted_at=utcnow() - timedelta(days=12, hours=1))
    _set(w.incomplete[0].id, answer_deadline=utcnow() + timedelta(days=3))
    _set(w.incomplete[1].id, answer_deadline=utcnow() + timedelta(days=20))
    return w


def _board(response, office_code):
    doc = parse(page(response))
    board = doc.find("section", **{"data-office": office_code})
    assert board is not None, f"no board for {office_code}"
    return board


def _figure(node):
    link = node.find("a")
    return int((link or node).text().split()[0]), (link.attrs["href"] if link is not None else None)


def _status_cell(board, status):
    return _figure(board.find("td", **{"data-status": status}))


def _workload(board):
    rows = {}
    for tr in board.find("table", class_="workload").find("tbody").find_all("tr"):
        rows[tr.find("th").text()] = {td.attrs["data-status"]: _figure(td) for td in tr.find_all("td")}
    return rows


def test_supervision_counts_files_per_status_for_each_supervised_office(world, login):
    client = login(world.supervisor)
    response = client.get("/admin/supervision/")
    a = _board(response, OFFICE_A)
    assert {s: _status_cell(a, s)[0] for s in ("under_review", "incomplete", "rejected", "granted", "abandoned")} \
        == {"under_review": 3, "incomplete": 2, "rejected": 1, "granted": 1, "abandoned": 1}
    b = _board(response, OFFICE_B)
    assert _status_cell(b, "under_review")[0] == 1 and _status_cell(b, "granted")[0] == 0
    assert parse(page(response)).find("section", **{"data-office": OFFICE_C}) is None


@pytest.mark.parametrize("status, expected", [
    ("under_review", lambda w: w.under_review), ("incomplete", lambda w: w.incomplete),
    ("rejected", lambda w: [w.rejected]), ("granted", lambda w: [w.granted]),
    ("abandoned", lambda w: [w.abandoned]),
])
def test_supervision_status_count_links_to_the_queue_showing_exactly_those_files(world, login, status, expected):
    client = login(world.supervisor)
    count, link = _status_cell(_board(client.get("/admin/supervision/"), OFFICE_A), status)
    assert link is not None
    shown = file_references(client.get(link))
    assert shown == {f.reference for f in expected(world)}
    assert len(shown) == count


def test_supervision_shows_oldest_file_under_review_with_its_age_and_a_link(world, login):
    client = login(world.supervisor)
    board = _board(client.get("/admin/supervision/"), OFFICE_A)
    oldest = board.find("p", class_="oldest")
    reference_link = oldest.find("a")
    assert reference_link.text() == world.under_review[2].reference
    assert reference_link.attrs["href"] == f"/admin/dossier/{world.under_review[2].id}"
    assert "12 jours" in oldest.text()
    age_link = list(oldest.find_all("a"))[1]  # the age opens the queue, oldest first
    queue = client.get(age_link.attrs["href"])
    references = [a.text() for a in parse(page(queue)).find_all("a")
                  if (a.attrs.get("href") or "").startswith("/admin/dossier/")]
    assert references[0] == world.under_review[2].reference
    assert set(references) == {f.reference for f in world.under_review}


def test_supervision_counts_incomplete_files_near_their_deadline_and_links_to_them(world, login):
    client = login(world.supervisor)
    count, link = _figure(_board(client.get("/admin/supervision/"), OFFICE_A).find("p", class_="near-deadline"))
    assert count == 1
    assert file_references(client.get(link)) == {world.incomplete[0].reference}


def test_supervision_workload_per_officer_and_unassigned_links_to_those_files(world, login):
    client = login(world.supervisor)
    workload = _workload(_board(client.get("/admin/supervision/"), OFFICE_A))
    assert {name: {s: n for s, (n, _) in cells.items()} for name, cells in workload.items()} == {
        world.officer.full_name: {"under_review": 1, "incomplete": 1},
        world.colleague.full_name: {"under_review": 1, "incomplete": 0},
        "Non affectés": {"under_review": 1, "incomplete": 1},
    }
    expected = {
        (world.officer.full_name, "under_review"): {world.under_review[0].reference},
        (world.officer.full_name, "incomplete"): {world.incomplete[0].reference},
        (world.colleague.full_name, "under_review"): {world.under_review[1].reference},
        (world.colleague.full_name, "incomplete"): set(),
        ("Non affectés", "under_review"): {world.under_review[2].reference},
        ("Non affectés", "incomplete"): {world.incomplete[1].reference},
    }
    for (name, status), references in expected.items():
        _, link = workload[name][status]
        assert file_references(client.get(link)) == references, (name, status, link)


def test_supervision_is_forbidden_to_officers_operators_and_admins(world, factory, login):
    for user in (world.officer, factory.operator(), factory.user(Role.ADMIN)):
        assert login(user).get("/admin/supervision/").status_code == 403


def test_supervisor_home_opens_the_supervision_page(world, login):
    response = login(world.supervisor).get("/admin/")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/admin/supervision/")


def test_supervision_links_keep_working_in_english(world, login):
    client = login(world.supervisor)
    for _ in range(2):  # the queue parses its arguments with the names of its previous rendering
        response = client.get("/admin/supervision/", query_string={"lang": "en"})
        assert "Files by status" in page(response)
        _, link = _status_cell(_board(response, OFFICE_A), "rejected")
        assert file_references(client.get(link)) == {world.rejected.reference}
        _, link = _workload(_board(response, OFFICE_A))[world.officer.full_name]["under_review"]
        assert file_references(client.get(link)) == {world.under_review[0].reference}
