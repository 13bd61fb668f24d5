"""No query string reaches url_for() unfiltered: arguments a page does not know change neither its answer
(never a 500) nor the links it draws (issue 16, item 5)."""
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import flask_admin
import pytest

from tests.backoffice.helpers import text_of
from tests.operator.html import parse

ROOT = Path(__file__).resolve().parent.parent.parent
# url_for()'s own parameters, the names our links pass explicitly, and a few more names pages read.
HOSTILE = {"endpoint": "x", "queue": "x", "export_type": "x", "_external": "1", "_anchor": "x",
           "_scheme": "javascript", "_method": "DELETE", "values": "x", "ids": "x", "url": "//evil.example",
           "page_size": "x", "sort": "x", "desc": "x"}
URL_FOR_PARAMETERS = {"endpoint", "_external", "_anchor", "_scheme", "_method"}
ROLES = ("anonymous", "operator", "officer_a", "supervisor_a", "admin")


def _pages(app):
    """Every GET route without URL arguments (logout and static files aside)."""
    return sorted(rule.rule for rule in app.url_map.iter_rules()
                  if "GET" in rule.methods and not rule.arguments and not rule.endpoint.endswith("static"))


def _links(response) -> list[str]:
    return [a.attrs.get("href") or "" for a in parse(response.get_data(as_text=True)).find_all("a")]


@pytest.mark.parametrize("role", ROLES)
def test_unknown_query_arguments_never_give_a_server_error(app, world, as_user, role):
    client = as_user(None if role == "anonymous" else getattr(world, role))
    failures = {}
    for path in _pages(app):
        response = client.get(path, query_string=HOSTILE)
        if response.status_code >= 500:
            failures[path] = response.status_code
        elif response.status_code == 200 and response.mimetype == "text/html":
            carried = [href for href in _links(response)
                       if "evil.example" in href or href.startswith("javascript:x")
                       or URL_FOR_PARAMETERS & parse_qs(urlsplit(href).query).keys()]
            if carried:
                failures[path] = carried
    assert failures == {}


@pytest.mark.parametrize("path", ["/admin/a_traiter/?queue=x", "/admin/tous/?endpoint=x",
                                  "/admin/lot/?queue=tous&endpoint=x", "/admin/tous/?export_type=x",
                                  "/admin/contacts/?endpoint=x"])
def test_the_probes_urls_answer_their_page(world, as_user, path):
    assert as_user(world.officer_a).get(path).status_code == 200


def test_the_accounts_list_ignores_unknown_arguments(world, as_user):
    assert as_user(world.admin).get("/admin/comptes/?endpoint=x&_anchor=x").status_code == 200


def test_links_of_a_filtered_queue_carry_its_search_and_filters_only(world, as_user):
    client = as_user(world.officer_a)
    query = {"search": world.file_a.reference, "flt0_statut_equals": "under_review", "sort": "1", "desc": "1",
             "endpoint": "x", "_external": "1", "queue": "incompletes"}

    page = client.get("/admin/tous/", query_string=query)
    links = {urlsplit(h).path: parse_qs(urlsplit(h).query) for h in _links(page)
             if urlsplit(h).path in ("/admin/tous/export/csv/", "/admin/lot/")}

    wanted = {"search": [world.file_a.reference], "flt0_statut_equals": ["under_review"]}
    assert links["/admin/tous/export/csv/"] == {**wanted, "sort": ["1"], "desc": ["1"]}
    assert links["/admin/lot/"] == {**wanted, "sort": ["1"], "desc": ["1"], "queue": ["tous"]}
    batch = client.get("/admin/lot/", query_string={**query, "queue": "tous"})
    assert "1 dossier correspond aux filtres en cours." in text_of(batch)
    [back] = [h for h in _links(batch) if urlsplit(h).path == "/admin/tous/" and urlsplit(h).query]
    assert parse_qs(urlsplit(back).query) == {**wanted, "sort": ["1"], "desc": ["1"]}


def test_our_copy_of_flask_admins_list_layout_differs_only_in_its_export_links():
    theirs = (Path(flask_admin.__file__).parent / "templates/bootstrap4/admin/model/layout.html").read_text()
    ours = (ROOT / "templates/admin/model/layout.html").read_text()
    ours = ours.split("#}\n", 1)[1]  # the comment that says why the copy exists

    assert ours.replace("**admin_view.list_arguments()", "**request.args") == theirs
    assert "request.args" not in ours
