"""Every URL of the application against every account kind that must NOT reach it (issue 7, item 5).

The matrix is built from `app.url_map` itself, so a new route is covered (or the test fails until it is
classified). Each rule's arguments are filled with company A's real ids (its file under review at office A,
its document, registration, transmission, company page, certification request, EORI file); each URL is
requested with each of GET and POST that it accepts (POST with a hostile multipart body carrying every form
field name of the app) by each account that must be refused. A refusal is a redirect to /connexion (anonymous), 403, 404 or 405, and no
write: the tables an action could change are compared before and after every POST.

Allowed cells (owner, representative, office A's instructors...) are covered by the narrower matrices of
tests/operator/test_access.py and tests/backoffice/test_access_matrix.py.
"""
from datetime import timedelta
from io import BytesIO
from urllib.parse import urlsplit

import pytest
from flask import url_for
from flask_admin.model import BaseModelView
from sqlalchemy import func, select

from app import workflow
from app.extensions import db
from app.models import (
    Application, Certification, CertificationRequest, Company, Contact, DiscussionMessage, Document, GoodsLine,
    HistoryEvent, OutboxEmail, Registration, Role, User,
)
from app.models import BackgroundTask, SavedView
from app.models._time import utcnow
from app.models.transmissions import RexTransmission
from app.workflow import certifications
from app.workflow.documents import add_document
from tests.backoffice.helpers import OFFICE_A, OFFICE_B, OFFICE_C
from tests.eori_helpers import submitted_eori
from tests.operator.helpers import PDF

ROLES = ("anonymous", "operator_a", "operator_b", "representative", "officer_a", "officer_b", "supervisor_a",
         "supervisor_other", "admin")
OPERATORS = {"operator_a", "operator_b", "representative"}
STAFF = {"officer_a", "officer_b", "supervisor_a", "supervisor_other", "admin"}
ROLE_OF = {"operator_a": Role.OPERATOR, "operator_b": Role.OPERATOR, "representative": Role.REPRESENTATIVE,
           "officer_a": Role.OFFICER, "officer_b": Role.OFFICER, "supervisor_a": Role.SUPERVISOR,
           "supervisor_other": Role.SUPERVISOR, "admin": Role.ADMIN}
OUT_OF_SCOPE_INSTRUCTORS = {"officer_b", "supervisor_other"}  # admitted by the instructors' views, not for A

SKIPPED_ENDPOINTS = {"static", "admin.static"}
OPEN_PREFIXES = ("public.", "auth.", "help.")  # everyone may reach them: classified, never requested (logout!)
OPEN_ENDPOINTS = {"healthz", "favicon"}
OPERATOR_PAGES_OPEN_TO_STAFF = {"operator.headings"}  # tariff headings autocompletion: @login_required only
# Arguments that name one of A's objects (an operator URL with one of them belongs to A's files).
OBJECT_ARGUMENTS = {"application_id", "registration_id", "document_id", "company_id", "request_id",
                    "transmission_id", "contact_id", "line_id", "task_id", "view_id"}
# Rules whose arguments cannot be filled: must stay known (a new one fails the test instead of being skipped).
UNFILLABLE: set[str] = set()
# Flask-Admin's generic model endpoints answer an unknown/out-of-scope/disabled record with a redirect to
# the list, with a flash: that is a refusal too, as long as it does not lead to the record.
MODEL_VIEW_ENDPOINTS = {"details_view", "edit_view", "delete_view", "create_view", "action_view", "ajax_update",
                        "ajax_lookup", "index_view", "export"}


class World:
    pass


@pytest.fixture
def world(factory):
    w = World()
    office_a, office_b, office_c = (factory.office(code) for code in (OFFICE_A, OFFICE_B, OFFICE_C))
    w.office_a_id, w.office_b_id = office_a.id, office_b.id
    company_a = factory.company(name="Maroquinerie A", office_id=office_a.id)
    # One REX file per company: A's registration is held by A's second company (same operator, same office).
    company_a2 = factory.company(name="Maroquinerie A bis", office_id=office_a.id)
    company_b = factory.company(name="Négoce B", office_id=office_b.id)
    w.users = {
        "operator_a": factory.user(Role.OPERATOR, companies=[company_a, company_a2]),
        "operator_b": factory.operator(company_b),
        "representative": factory.representative(clients=[company_a, company_a2]),
        "officer_a": factory.officer(OFFICE_A),
        "officer_b": factory.officer(OFFICE_B),
        "supervisor_a": factory.user(Role.SUPERVISOR, supervised=[office_a]),
        "supervisor_other": factory.user(Role.SUPERVISOR, supervised=[office_b, office_c]),
        "admin": factory.user(Role.ADMIN),
    }
    operator_a, officer_a = w.users["operator_a"], w.users["officer_a"]

    # A's file under review at office A, with a document, a contact and a goods line.
    file_a = factory.draft(operator_a, company_a, office_code=OFFICE_A)
    document = add_document(operator_a, file_a, "Extrait Kbis", "kbis.pdf", PDF)
    workflow.submit(operator_a, file_a)
    # A's granted registration (its grant queues a RexTransmission and emails: the outbox is not empty).
    granted = factory.submitted(operator_a, company_a2, OFFICE_A)
    registration = workflow.grant(officer_a, granted)
    db.session.commit()
    transmission = db.session.scalar(select(RexTransmission).where(
        RexTransmission.registration_id == registration.id))
    # An EORI file of A's operator at office A, and a certification request for company A (decided by office A).
    eori_file = submitted_eori(operator_a, office_a)
    request = certifications.request_certification(factory.user(Role.OPERATOR), company_a.eori)
    # B's equivalent: a file under review at office B (B's operator has objects of its own).
    factory.submitted(w.users["operator_b"], company_b, OFFICE_B)

    # Officer A's background export and an office view of office A (issue 20): the requester's, the office's.
    task = BackgroundTask(user_id=officer_a.id, kind="export", label="Export CSV", state="done", total=1, done=1,
                          expires_at=utcnow() + timedelta(days=7), filename="export.csv", content=b"secret")
    view = SavedView(name="Vue du service A", owner_id=officer_a.id, scope="office", office_id=office_a.id,
                     endpoint="tous", query="")
    db.session.add_all([task, view])
    db.session.commit()

    history = db.session.scalar(select(HistoryEvent.id).where(HistoryEvent.application_id == file_a.id))
    email = db.session.scalar(select(OutboxEmail.id).order_by(OutboxEmail.id))
    assert transmission is not None and email is not None
    w.values = {  # rule argument -> A's id
        "application_id": file_a.id, "registration_id": registration.id, "document_id": document.id,
        "company_id": company_a.id, "request_id": request.id, "transmission_id": transmission.id,
        "contact_id": file_a.contacts[0].id, "line_id": file_a.goods_lines[0].id,
        "task_id": task.id, "view_id": view.id,
        "job_id": "job-intrus", "number": registration.number, "tab": "en-cours", "export_type": "csv",
    }
    w.eori_file_id = eori_file.id
    # The record a generic Flask-Admin model view's ?id= names, per model.
    w.record_ids = {
        Application: file_a.id, Registration: registration.id, Company: company_a.id, Contact: w.values["contact_id"],
        GoodsLine: w.values["line_id"], HistoryEvent: history, OutboxEmail: email, User: operator_a.id,
        Certification: operator_a.certifications[0].id,
    }
    w.version = file_a.version
    db.session.expire_all()
    return w


def _admin_views(app):
    """endpoint -> Flask-Admin view object, for every registered admin."""
    views = {}
    for admin in app.extensions["admin"]:
        for view in admin._views:
            views[view.endpoint] = view
    return views


def _hostile_post_data(w):
    """Every field name the app's forms read (operator and back-office), set to act on A's objects."""
    file_a = str(w.values["application_id"])
    return {
        # operator forms
        "action": "validate", "body": "Message d'un intrus", "comment": "Commentaire d'un intrus",
        "complement": "Complément d'un intrus", "name": "Pièce d'un intrus", "relations": "CA",
        "identifier": "FR73282932000074", "file": (BytesIO(PDF), "intrus.pdf"),
        # back-office forms
        "reason": "Motif d'un intrus", "ground": "other", "message": "Message d'un intrus",
        "office_id": str(w.office_b_id), "officer_id": str(w.users["officer_b"].id), "on": "2026-01-01",
        "version": str(w.version), "ids": file_a, "rowid": [file_a], "id": file_a, "list_form_pk": file_a,
        "queue": "default", "job_id": "job-intrus", "phone": "05 59 99 99 99",
        "description": "Description d'un intrus", "heading": "4202", "status": "granted",
    }


def _classify(rule, views):
    """('skip'|'open'|'operator'|'admin'|'unclassified', view or None)."""
    endpoint = rule.endpoint
    if endpoint in SKIPPED_ENDPOINTS:
        return "skip", None
    if endpoint in OPEN_ENDPOINTS or endpoint.startswith(OPEN_PREFIXES):
        return "open", None
    if endpoint.startswith("operator."):
        return "operator", None
    if rule.rule.startswith("/admin"):
        return "admin", views.get(endpoint.split(".")[0])
    return "unclassified", None


def _url(app, rule, w, view):
    """The URL of `rule` with A's ids, or None when an argument cannot be filled."""
    values = {}
    for argument in rule.arguments:
        if argument not in w.values:
            return None
        values[argument] = w.values[argument]
    if rule.endpoint.startswith("operator.eori_"):
        values["application_id"] = w.eori_file_id
    if (isinstance(view, BaseModelView) and rule.endpoint.split(".")[1] in {"details_view", "edit_view",
                                                                             "delete_view"}):
        record = w.record_ids.get(view.model)
        if record is not None:
            values["id"] = record
    with app.test_request_context():
        return url_for(rule.endpoint, **values)


def _names_object(rule, url):
    return bool(rule.arguments & OBJECT_ARGUMENTS) or "id=" in (urlsplit(url).query or "")


def _must_refuse(role, kind, rule, url, view):
    """The statuses that count as a refusal for this cell, or None when the role may reach it (not checked)."""
    if kind == "operator":
        if role == "anonymous":
            return "login"
        if _names_object(rule, url):
            return {403, 404, 405} if role not in {"operator_a", "representative"} else None
        if role in STAFF and rule.endpoint not in OPERATOR_PAGES_OPEN_TO_STAFF:
            return {403, 405}
        return None
    assert kind == "admin"
    if role == "anonymous":
        return "login"
    allowed = getattr(view, "allowed_roles", None)
    assert allowed is not None, f"admin endpoint {rule.endpoint} has no view with allowed_roles"
    if ROLE_OF[role] not in allowed:
        return {403, 405}
    if role in OUT_OF_SCOPE_INSTRUCTORS and _names_object(rule, url):
        return {403, 404, 405}
    return None


def _refused(expected, response, rule, view):
    if response.status_code == 405:
        return True
    if expected == "login":
        return (response.status_code in (302, 303)
                and urlsplit(response.headers.get("Location", "")).path == "/connexion")
    if response.status_code in expected:
        return True
    if (response.status_code in (302, 303) and isinstance(view, BaseModelView)
            and rule.endpoint.split(".")[1] in MODEL_VIEW_ENDPOINTS):
        # Flask-Admin's "record not found / not allowed": back to the list, never to the record.
        location = urlsplit(response.headers.get("Location", ""))
        return "id=" not in location.query and "/details/" not in location.path and "/edit/" not in location.path
    return False


def _count_by(column):
    model = column.class_
    return tuple(sorted((str(k), n) for k, n in db.session.execute(
        select(column, func.count()).select_from(model).group_by(column)).all()))


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def _snapshot():
    """Everything a POST that got through could have changed."""
    db.session.expire_all()
    return {
        "applications": tuple(db.session.execute(select(
            Application.id, Application.status, Application.version, Application.assigned_officer_id,
            Application.office_id, Application.updated_at).order_by(Application.id)).all()),
        "registrations": tuple(db.session.execute(select(
            Registration.id, Registration.status).order_by(Registration.id)).all()),
        "certification_requests": _count_by(CertificationRequest.status),
        "certifications": _count(Certification), "history": _count(HistoryEvent), "outbox": _count(OutboxEmail),
        "documents": _count(Document), "messages": _count(DiscussionMessage), "users": _count(User),
        "companies": tuple(db.session.execute(select(
            Company.id, Company.eori_invalidated_on).order_by(Company.id)).all()),
        "transmissions": tuple(db.session.execute(select(
            RexTransmission.id, RexTransmission.state, RexTransmission.attempts).order_by(RexTransmission.id)).all()),
        "contacts": tuple(db.session.execute(select(Contact.id, Contact.phone).order_by(Contact.id)).all()),
        "goods": tuple(db.session.execute(select(GoodsLine.id, GoodsLine.description).order_by(GoodsLine.id)).all()),
        "saved_views": _count(SavedView),
        "tasks": tuple(db.session.execute(select(BackgroundTask.id, BackgroundTask.state,
                                                 BackgroundTask.cancel_requested).order_by(BackgroundTask.id)).all()),
    }


def _cells(app, w):
    """[(kind, rule, view, method, url)] for every rule the matrix checks; unfillable rules are listed."""
    views = _admin_views(app)
    cells, unfillable, unclassified = [], set(), []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint)):
        kind, view = _classify(rule, views)
        if kind in ("skip", "open"):
            continue
        if kind == "unclassified":
            unclassified.append(rule.endpoint)
            continue
        url = _url(app, rule, w, view)
        if url is None:
            unfillable.add(rule.endpoint)
            continue
        for method in sorted(rule.methods & {"GET", "POST"}):  # the other one is a bare 405: nothing to check
            cells.append((kind, rule, view, method, url))
    assert unclassified == [], f"routes outside operator/admin/public/auth/help/healthz: {unclassified}"
    assert unfillable == UNFILLABLE, f"rules whose arguments the matrix cannot fill: {sorted(unfillable)}"
    return cells


def test_matrix_covers_every_rule(app, world):
    cells = _cells(app, world)
    endpoints = {rule.endpoint for _, rule, _, _, _ in cells}
    assert {"operator.show", "operator.registration", "operator.eori_edit", "dossier.grant", "autorisation.revoke",
            "autorisation.resend_transmission", "operateur.invalidate", "habilitations_a_traiter.approve",
            "comptes.edit_view", "operations.requeue", "supervision.index"} <= endpoints
    assert len(cells) > 200


@pytest.mark.parametrize("role", ROLES)
def test_account_kind_cannot_reach_what_it_must_not(app, client, login, world, role):
    if role != "anonymous":
        login(world.users[role])
    violations, checked = [], 0
    for kind, rule, view, method, url in _cells(app, world):
        expected = _must_refuse(role, kind, rule, url, view)
        if expected is None:
            continue
        checked += 1
        if method == "GET":
            response = client.get(url)
        else:
            before = _snapshot()
            response = client.post(url, data=_hostile_post_data(world), content_type="multipart/form-data")
            after = _snapshot()
            changed = sorted(key for key in before if before[key] != after[key])
            if changed:
                violations.append(f"{role} {method} {url} -> {response.status_code}: WROTE {changed}")
        if not _refused(expected, response, rule, view):
            violations.append(f"{role} {method} {url} -> {response.status_code} "
                              f"{response.headers.get('Location', '')} (expected {expected})")
        if role != "anonymous" and response.status_code in (302, 303) and \
                urlsplit(response.headers.get("Location", "")).path == "/connexion":
            violations.append(f"{role} {method} {url}: session lost (redirected to /connexion)")
            login(world.users[role])
    print(f"{role}: {checked} cells checked")
    assert checked > 0
    assert violations == [], "\n".join(violations)
