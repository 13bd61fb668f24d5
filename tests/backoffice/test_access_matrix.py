"""Who may do what in the back-office: every account kind against every page and action.

Allowed cells answer 200/302 and the action takes effect. The others answer 403 (wrong role), 404 (a
file of another office, crafted POSTs included), or send anonymous users to /connexion, and change
nothing: the file is re-read (status, version, assigned officer, office, history, corrections) along
with the outbox, the registrations and the whole history table.
"""
import re
from dataclasses import dataclass
from typing import Callable
from urllib.parse import parse_qs, urlparse

import pytest
from markupsafe import escape

from app.models import ApplicationStatus as S, Registration
from tests.backoffice.helpers import (
    PDF, contact_form, count, events, fresh, goods_form, login_redirect, references_in, state, text_of,
)

ROLES = ("anonymous", "operator", "representative", "officer_a", "officer_b", "supervisor_a", "supervisor_other",
         "admin")
IN_SCOPE = {"officer_a", "supervisor_a"}  # accounts instructing office A, where the target file is
OTHER_OFFICE = {"officer_b", "supervisor_other"}  # instructors of other offices only


def actor_of(world, role):
    return None if role == "anonymous" else getattr(world, role)


def scope_files(world, role):
    """The files of the fixture each instructor may see: office A's two, or office B's one."""
    if role in IN_SCOPE:
        return {"under_review": {world.file_a.reference}, "incomplete": {world.incomplete_a.reference}}
    return {"under_review": {world.file_b.reference}, "incomplete": set()}


@dataclass
class Action:
    method: str
    url: Callable
    data: Callable = lambda w: None
    check: Callable = lambda w, role, response: None  # the effect, for allowed cells

    @property
    def writes(self):
        return self.method == "POST"


def _file_url(suffix=""):
    return lambda w: f"/admin/dossier/{w.file_a.id}{suffix}"


def _with_version(**data):
    return lambda w: {**data, "version": str(w.file_a.version)}


def _redirects_to_file(w, response):
    assert response.status_code == 302
    assert urlparse(response.headers["Location"]).path == f"/admin/dossier/{w.file_a.id}"


# --- the effect of each allowed cell ----------------------------------------------------------------

def _index(w, role, response):
    if role == "officer_a" or role == "officer_b":
        assert response.status_code == 302
        assert urlparse(response.headers["Location"]).path == "/admin/mon-travail/"  # the officers' home
    else:  # supervisors may be sent on to their supervision page
        assert response.status_code == 200 or urlparse(response.headers["Location"]).path.startswith("/admin/")


def _queue(statuses):
    def check(w, role, response):
        assert response.status_code == 200
        files = scope_files(w, role)
        assert references_in(response.get_data(as_text=True)) == set().union(*(files[s] for s in statuses))
    return check


def _export(w, role, response):
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    files = scope_files(w, role)
    assert references_in(response.get_data(as_text=True)) == files["under_review"] | files["incomplete"]


def _batch_action(w, role, response):
    assert response.status_code == 302
    location = urlparse(response.headers["Location"])
    assert location.path == "/admin/lot/"
    assert parse_qs(location.query) == {"queue": ["tous"], "ids": [str(w.file_a.id)]}


def _instruction_page(w, role, response):
    assert response.status_code == 200
    text = text_of(response)
    assert f"Demande {w.file_a.reference}" in text
    assert "Extrait Kbis" in text


def _taken(w, role, response):
    _redirects_to_file(w, response)
    assert fresh(w.file_a.id).assigned_officer_id == actor_of(w, role).id


def _status_is(status):
    def check(w, role, response):
        _redirects_to_file(w, response)
        assert fresh(w.file_a.id).status == status
    return check


def _granted(w, role, response):
    _status_is(S.GRANTED)(w, role, response)
    assert count(Registration, application_id=w.file_a.id) == 1


def _reassigned(w, role, response):
    _redirects_to_file(w, response)
    application = fresh(w.file_a.id)
    assert application.office_id == w.office_b.id
    assert application.assigned_officer_id is None


def _commented(w, role, response):
    assert response.status_code == 302
    assert [e.comment for e in events(w.file_a.id, "comment")] == ["Pouvez-vous joindre la facture ?"]


def _correction_page(shown):
    def check(w, role, response):
        assert response.status_code == 200
        assert f'value="{escape(shown(w))}"' in response.get_data(as_text=True)
    return check


def _contact_corrected(w, role, response):
    _redirects_to_file(w, response)
    assert fresh(w.file_a.id).contacts[0].phone == "05 59 99 99 99"


def _goods_corrected(w, role, response):
    _redirects_to_file(w, response)
    assert fresh(w.file_a.id).goods_lines[0].description == "Sacs à main en cuir pleine fleur"


def _downloaded(w, role, response):
    assert response.status_code == 200
    assert response.data == PDF
    assert response.headers["Content-Disposition"].startswith("attachment")


def _batch_page(w, role, response):
    assert response.status_code == 200
    expected = ("2 dossiers correspondent aux filtres en cours." if role in IN_SCOPE
                else "1 dossier correspond aux filtres en cours.")
    assert expected in text_of(response)


def _batch_count(in_scope: str, other_office: str):
    def check(w, role, response):
        assert response.status_code == 200
        page = text_of(response).split("Traitement par lot ·")[-1]
        assert (in_scope if role in IN_SCOPE else other_office) in page
        assert w.file_a.reference not in page or role in IN_SCOPE
    return check


def _company_shown(w, role, response):
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Jouets Qwzyx du service A" in page and w.company_a.email in page


def _batch_assigned(w, role, response):
    assert response.status_code == 302
    assert fresh(w.file_a.id).assigned_officer_id == w.officer_a.id
    assert len(events(w.file_a.id, "assigned")) == 1


ACTIONS = {
    "index": Action("GET", lambda w: "/admin/", check=_index),
    "queue_to_instruct": Action("GET", lambda w: "/admin/a_traiter/", check=_queue(["under_review"])),
    "queue_incomplete": Action("GET", lambda w: "/admin/incompletes/", check=_queue(["incomplete"])),
    "queue_all": Action("GET", lambda w: "/admin/tous/", check=_queue(["under_review", "incomplete"])),
    "queue_all_csv_export": Action("GET", lambda w: "/admin/tous/export/csv/", check=_export),
    "queue_batch_action": Action("POST", lambda w: "/admin/tous/action/",
                                 lambda w: {"action": "batch", "rowid": [str(w.file_a.id)]}, _batch_action),
    "instruction_page": Action("GET", _file_url(), check=_instruction_page),
    "take": Action("POST", _file_url("/prendre-en-charge"), _with_version(), _taken),
    "request_information": Action("POST", _file_url("/demander-informations"),
                                  _with_version(message="Merci de joindre la facture."), _status_is(S.INCOMPLETE)),
    "grant": Action("POST", _file_url("/octroyer"), _with_version(), _granted),
    "reject": Action("POST", _file_url("/rejeter"), _with_version(reason="Relation préférentielle inexistante."),
                     _status_is(S.REJECTED)),
    "reassign": Action("POST", _file_url("/reaffecter"),
                       lambda w: {"office_id": str(w.office_b.id), "comment": "Relève du Havre.",
                                  "version": str(w.file_a.version)}, _reassigned),
    "message": Action("POST", _file_url("/message"), lambda w: {"body": "Pouvez-vous joindre la facture ?"},
                      _commented),
    "contact_page": Action("GET", lambda w: f"/admin/dossier/{w.file_a.id}/contacts/{w.contact_id}",
                           check=_correction_page(lambda w: w.contact_name)),
    "contact_correction": Action("POST", lambda w: f"/admin/dossier/{w.file_a.id}/contacts/{w.contact_id}",
                                 lambda w: {**contact_form(w.file_a.id, phone="05 59 99 99 99"),
                                            "version": str(w.file_a.version)}, _contact_corrected),
    "goods_page": Action("GET", lambda w: f"/admin/dossier/{w.file_a.id}/marchandises/{w.line_id}",
                         check=_correction_page(lambda w: w.line_description)),
    "goods_correction": Action("POST", lambda w: f"/admin/dossier/{w.file_a.id}/marchandises/{w.line_id}",
                               lambda w: {**goods_form(w.file_a.id, description="Sacs à main en cuir pleine fleur"),
                                          "version": str(w.file_a.version)},
                               _goods_corrected),
    "document_download": Action("GET", lambda w: f"/admin/dossier/{w.file_a.id}/documents/{w.document.id}",
                                check=_downloaded),
    "batch_page": Action("GET", lambda w: "/admin/lot/?queue=tous", check=_batch_page),
    # Each queue the batch page takes resolves through that queue's own scoped query.
    "batch_page_to_instruct": Action("GET", lambda w: "/admin/lot/?queue=a_traiter", check=_batch_count(
        "1 dossier correspond aux filtres en cours.", "1 dossier correspond aux filtres en cours.")),
    "batch_page_incomplete": Action("GET", lambda w: "/admin/lot/?queue=incompletes", check=_batch_count(
        "1 dossier correspond aux filtres en cours.", "0 dossier correspond aux filtres en cours.")),
    "batch_page_ticked_file": Action("GET", lambda w: f"/admin/lot/?queue=tous&ids={w.file_a.id}",
                                     check=_batch_count("1 dossier coché.", "0 dossier coché.")),
    "batch_page_ticked_file_filtered": Action(
        "GET", lambda w: f"/admin/lot/?queue=a_traiter&ids={w.file_a.id},{w.incomplete_a.id}",
        check=_batch_count("1 dossier coché.", "0 dossier coché.")),
    # Registrations are no batch's business: their queues are unknown to it, ticked or not.
    "batch_page_registrations": Action("GET", lambda w: f"/admin/lot/?queue=autorisations_service&ids={w.file_a.id}"),
    "batch_page_registrations_all": Action("GET", lambda w: "/admin/lot/?queue=autorisations_service"),
    "batch_page_modifications": Action("GET", lambda w: "/admin/lot/?queue=modifications"),
    "company_page": Action("GET", lambda w: f"/admin/operateur/{w.company_a.id}", check=_company_shown),
    "paper_lookup": Action("GET", lambda w: f"/admin/papier/?eori={w.company_a.eori}", check=_company_shown),
    "batch_assign": Action("POST", lambda w: "/admin/lot/?queue=tous",
                           lambda w: {"action": "assign", "officer_id": str(w.officer_a.id),
                                      "ids": str(w.file_a.id)}, _batch_assigned),
}

# Lists, exports and batch pages answer every instructor, each with the files of their own offices.
SCOPED_PAGES = {"queue_to_instruct", "queue_incomplete", "queue_all", "queue_all_csv_export", "queue_batch_action",
                "batch_page", "batch_page_to_instruct", "batch_page_incomplete", "batch_page_ticked_file",
                "batch_page_ticked_file_filtered"}
NOT_BATCH_QUEUES = {"batch_page_registrations", "batch_page_registrations_all", "batch_page_modifications"}


def expected(role: str, action: str):
    """'ok', 'login', or the status code of the refusal."""
    if role == "anonymous":
        return "login"
    if role in ("operator", "representative"):
        return 403
    if action == "index":
        return "ok"
    if role == "admin":
        return 403
    if action in NOT_BATCH_QUEUES:
        return 404
    if role in IN_SCOPE:
        return "ok"
    assert role in OTHER_OFFICE
    if action in SCOPED_PAGES:
        return "ok"
    if action == "batch_assign":  # office A's officer is not among the agents they may pick
        return 422
    return 404


CELLS = [pytest.param(role, action, id=f"{role}-{action}") for role in ROLES for action in ACTIONS]


@pytest.mark.parametrize("role,action", CELLS)
def test_role_may_or_may_not_reach_view_or_action(world, as_user, role, action):
    step = ACTIONS[action]
    client = as_user(actor_of(world, role))
    before = state(world.file_a.id, world.incomplete_a.id, world.file_b.id)

    send = client.post if step.method == "POST" else client.get
    response = send(step.url(world), data=step.data(world))

    outcome = expected(role, action)
    if outcome == "ok":
        step.check(world, role, response)
    elif outcome == "login":
        assert login_redirect(response), (response.status_code, response.headers.get("Location"))
    else:
        assert response.status_code == outcome
    if outcome != "ok" or not step.writes:
        assert state(world.file_a.id, world.incomplete_a.id, world.file_b.id) == before


def test_out_of_scope_batch_action_leads_to_an_empty_selection(world, as_user):
    """A crafted Flask-Admin action with office A's id, by office B: the batch page counts nothing."""
    client = as_user(world.officer_b)
    response = client.post("/admin/tous/action/", data={"action": "batch", "rowid": [str(world.file_a.id)]},
                           follow_redirects=True)

    assert response.status_code == 200
    page = text_of(response).split("Traitement par lot ·")[-1]
    assert re.search(r"\b0 dossiers? cochés?\.", page), page
    assert "Affecter" not in page


def test_out_of_scope_batch_post_names_no_file_of_another_office(world, as_user):
    """The POST of the probe: office B's officer posts office A's id with an officer of his own."""
    client = as_user(world.officer_b)
    colleague = world.officer_b.id
    before = state(world.file_a.id)

    response = client.post("/admin/lot/?queue=tous", data={"action": "assign", "officer_id": str(colleague),
                                                            "ids": str(world.file_a.id)}, follow_redirects=True)

    assert response.status_code == 200
    assert world.file_a.reference not in response.get_data(as_text=True)
    assert state(world.file_a.id) == before


def test_a_batch_job_names_no_file_that_left_the_actors_scope_meanwhile(world):
    """Files selected in scope and reassigned to another office before the job ran: skipped, unnamed."""
    from app.workflow.batch import apply_to_files

    result = apply_to_files(world.officer_b, "assign", [world.file_b.id, world.file_a.id],
                            {"officer_id": world.officer_b.id})

    assert result == {"done": 1, "refused": {}}
    assert fresh(world.file_a.id).assigned_officer_id is None


@pytest.mark.parametrize("queue", ["a_traiter", "incompletes", "tous"])
def test_queue_search_for_a_reference_of_another_office_finds_nothing(world, as_user, queue):
    client = as_user(world.officer_b)
    for target in (world.file_a, world.incomplete_a):
        listed = client.get(f"/admin/{queue}/", query_string={"search": target.reference})
        exported = client.get(f"/admin/{queue}/export/csv/", query_string={"search": target.reference})

        assert listed.status_code == exported.status_code == 200
        assert "/admin/dossier/" not in listed.get_data(as_text=True)  # no row (the term stays in the box)
        assert references_in(exported.get_data(as_text=True)) == set()
    own = client.get("/admin/tous/", query_string={"search": world.file_b.reference})
    assert f'href="/admin/dossier/{world.file_b.id}"' in own.get_data(as_text=True)


def test_queue_filter_on_another_office_does_not_widen_the_scope(world, as_user):
    """officer B asks for office A's files by the 'Service' filter: the filter is not one of his choices."""
    client = as_user(world.officer_b)
    query = {"flt0_service_equals": str(world.office_a.id)}

    listed = client.get("/admin/tous/", query_string=query)
    exported = client.get("/admin/tous/export/csv/", query_string=query)

    assert world.file_a.reference not in listed.get_data(as_text=True)
    assert world.incomplete_a.reference not in exported.get_data(as_text=True)
    assert references_in(exported.get_data(as_text=True)) <= {world.file_b.reference}


def test_crafted_urls_pairing_an_own_file_with_rows_of_another_file_answer_404(world, as_user):
    """officer B opens his own file's URL with office A's document, contact or goods line ids."""
    client = as_user(world.officer_b)
    own = f"/admin/dossier/{world.file_b.id}"
    before = state(world.file_a.id, world.file_b.id)

    responses = [
        client.get(f"{own}/documents/{world.document.id}"),
        client.get(f"{own}/contacts/{world.contact_id}"),
        client.post(f"{own}/contacts/{world.contact_id}",
                    data={**contact_form(world.file_a.id, phone="05 59 99 99 99"),
                          "version": str(fresh(world.file_b.id).version)}),
        client.get(f"{own}/marchandises/{world.line_id}"),
        client.post(f"{own}/marchandises/{world.line_id}",
                    data={**goods_form(world.file_a.id, description="Sacs en cuir de veau"),
                          "version": str(fresh(world.file_b.id).version)}),
    ]

    assert [r.status_code for r in responses] == [404] * 5
    assert PDF not in b"".join(r.data for r in responses)
    assert state(world.file_a.id, world.file_b.id) == before
