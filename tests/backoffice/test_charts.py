"""The supervisors' charts (issue 20): server-side SVG, each chart also a table, each figure a link to the queue
filtered to the files it counts."""
import re
from datetime import timedelta

from sqlalchemy import update

from app import workflow
from app.extensions import db
from app.models import Application
from app.models._time import utcnow
from app.workflow.instruction import assign
from tests.backoffice.helpers import OFFICE_A, text_of


def figure_link(html: str, marker: str, index: int = -1) -> tuple[str, str]:
    cells = re.findall(rf'<td class="text-right" {marker}[^>]*>(?:<a href="([^"]+)">)?([^<]*)', html)
    link, value = cells[index]
    return value, link.replace("&amp;", "&")


def test_the_charts_count_what_their_links_list(world, factory, as_user):
    granted = factory.granted(factory.operator(), world.officer_a)
    assign(world.officer_a, world.file_a, world.officer_a)
    old = factory.submitted(factory.operator(), office_code=OFFICE_A)
    db.session.execute(update(Application).where(Application.id == old.id)
                       .values(submitted_at=utcnow() - timedelta(days=40)))
    db.session.commit()
    client = as_user(world.supervisor_a)

    response = client.get("/admin/graphiques/")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.count("<svg") == 3 and "cdn" not in html.lower() and "<script src=\"http" not in html
    assert html.count("<caption>") == 4  # every chart is also a table

    value, link = figure_link(html, 'data-week="received"')  # this week: the files filed by the factory
    assert int(value) >= 3
    listing = text_of(client.get(link))
    assert granted.reference in listing and world.file_a.reference in listing
    assert world.file_b.reference not in listing  # office B is not supervised by this supervisor

    decided, link = figure_link(html, 'data-week="decided"')
    assert decided == "1" and "flt" in link and granted.reference in text_of(client.get(link))
    assert "_between=" in link

    ages = re.findall(r'<td class="text-right" data-age>(?:<a href="([^"]+)">)?(\d+)', html)
    assert [int(n) for _, n in ages] == [1, 0, 0, 1, 0]  # file_a, filed today; the one filed 40 days ago
    old_listing = text_of(client.get(ages[3][0].replace("&amp;", "&")))
    assert old.reference in old_listing and world.file_a.reference not in old_listing

    assert world.officer_a.full_name in html
    count, link = figure_link(html, 'data-decision="count"', 0)
    assert count == "1"


def test_the_charts_of_one_office_and_never_of_an_office_not_supervised(world, as_user):
    client = as_user(world.supervisor_a)
    assert client.get(f"/admin/graphiques/?service={world.office_a.id}").status_code == 200
    assert client.get(f"/admin/graphiques/?service={world.office_b.id}").status_code == 404
    assert as_user(world.officer_a).get("/admin/graphiques/").status_code == 403


def test_the_time_to_decision_gives_median_and_90th_percentile(world, factory, as_user):
    from app.admin_views.charts import percentile_of_histogram

    # as PostgreSQL's percentile_cont(0.9) over 1, 2, ... 10 days (the histogram counts tenths of a day)
    assert percentile_of_histogram({str(days * 10): 1 for days in range(1, 11)}, 0.9) == 9.1
    for days in (2, 4, 10):
        application = factory.submitted(factory.operator(), office_code=OFFICE_A)
        workflow.reject(world.officer_a, application, "Relation préférentielle inexistante.")
        db.session.execute(update(Application).where(Application.id == application.id)
                           .values(submitted_at=utcnow() - timedelta(days=days)))
    db.session.commit()
    html = as_user(world.supervisor_a).get("/admin/graphiques/").get_data(as_text=True)
    assert re.search(r'data-decision="median">4[.,]0 j', html), html[html.find("delai-decision"):][:800]
    assert re.search(r'data-decision="p90">8[.,]8 j', html)


def test_the_figures_come_from_a_snapshot_younger_than_15_minutes_refreshed_by_the_job(world, factory, as_user):
    from jobs.charts import refresh_chart_snapshots

    client = as_user(world.supervisor_a)
    first = client.get("/admin/graphiques/").get_data(as_text=True)
    assert "Chiffres du" in first
    before = re.findall(r'data-age>(?:<a href="[^"]+">)?(\d+)', first)
    factory.submitted(factory.operator(), office_code=OFFICE_A)
    assert re.findall(r'data-age>(?:<a href="[^"]+">)?(\d+)', client.get("/admin/graphiques/").get_data(
        as_text=True)) == before  # the snapshot of a moment ago
    assert refresh_chart_snapshots() >= 3
    after = re.findall(r'data-age>(?:<a href="[^"]+">)?(\d+)', client.get("/admin/graphiques/").get_data(as_text=True))
    assert int(after[0]) == int(before[0]) + 1
