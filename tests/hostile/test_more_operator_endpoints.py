"""Property-based tests, with hostile input, of the operator and auth endpoints the other files of tests/hostile
leave out: 'Déposer une demande' (REX and EORI), the modification request and its form, the registration's thread
and deregistration request, the submissions, abandon / duplicate / complete, the lists' query strings, and the
password-reset and activation links. Never a 5xx; a refusal is the 400 page of the NUL guard (only when a NUL was
sent) or the page again with each error beside a field; a refusal writes nothing; a status only moves along the
workflow."""
from urllib.parse import quote, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select
from stdnum import luhn

from app import workflow
from app.auth.passwords import check_password
from app.auth.tokens import activation_token, password_reset_token
from app.extensions import db
from app.models import (
    Application, ApplicationKind, ApplicationStatus, Certification, DiscussionMessage, EoriBasis, EoriRequest,
    HistoryEvent, OutboxEmail, Registration, RegistrationStatus, User,
)
from app.workflow import eori
from tests.hostile.strategies import (
    FEW, SETTINGS, assert_errors_beside_fields, assert_kept, hostile, mutated, page,
)
from tests.operator.eori_helpers import eori_content
from tests.operator.helpers import contact, reload, snapshot
from tests.operator.html import page_text, value_of
from tests.operator.registration_helpers import (  # noqa: F401  (holder is a fixture)
    COMMENT, holder, modification_form, request_modification, with_new_goods,
)

S = ApplicationStatus
R = RegistrationStatus
NUL = "\x00"


def _count(model, **where) -> int:
    db.session.expire_all()
    query = select(func.count()).select_from(model)
    for name, value in where.items():
        query = query.where(getattr(model, name) == value)
    return db.session.scalar(query)


def _sent(data) -> list[str]:
    """Every text posted or put in the URL: the values of a form (repeated ones included), or a list of texts."""
    values = data.values() if isinstance(data, dict) else data
    return [v for value in values for v in (value if isinstance(value, list) else [value])]


def _first(value):
    return value[0] if isinstance(value, list) else value


def _send(client, method: str, url: str, **kwargs):
    """The request under test. TESTING lets the app's exception through where production answers 500: roll the
    transaction back before it goes on, so that the next example starts clean (on PostgreSQL a failed statement
    would otherwise abort every later one) and the failure shown is the app's own."""
    try:
        return getattr(client, method)(url, **kwargs)
    except Exception:
        db.session.rollback()
        raise


def _body(response) -> str:
    return response.get_data(as_text=True)[:2000]


def _assert_refused(response, sent, codes=(422,)):
    """The refusal of a form: the 400 page of the NUL guard, which only a NUL may cause, or the page again (422 or
    as listed) with every error beside a field. Returns the page when it is the form again, None for the 400."""
    if response.status_code == 400:
        assert any(NUL in value for value in _sent(sent)), _body(response)
        assert "Requête invalide" in page_text(response), _body(response)
        return None
    assert response.status_code in codes, _body(response)
    doc = page(response)
    assert_errors_beside_fields(doc)
    return doc



def _certified_company(factory, operator_id: int):
    """One more company the operator acts for: one file per company, since a company files one REX request."""
    company = factory.company()
    db.session.get(User, operator_id).certifications.append(Certification(company=company))
    db.session.commit()
    return company


# --- 'Déposer une demande': REX and EORI -----------------------------------------------------------------

@pytest.fixture
def filer(factory, login):
    company = factory.company()
    operator = factory.operator(company)
    return {"client": login(operator), "operator": operator.id, "company": company.id,
            "other": factory.company().id, "office": factory.office().id}


@SETTINGS
@given(data=st.data())
def test_new_application_with_hostile_choices_never_fails_and_a_refusal_creates_no_draft(filer, data):
    base = {"company_id": str(filer["company"]), "office_id": str(filer["office"]), "kind": "rex"}
    typed, _ = data.draw(mutated(base, protected=()))
    if data.draw(st.booleans()):  # a company the account is not certified for
        typed["company_id"] = str(filer["other"])
    before = _count(Application)

    response = _send(filer["client"], "post", "/rex/deposer", data=typed)

    assert response.status_code < 500, _body(response)
    if response.status_code >= 400:
        _assert_refused(response, typed)
        assert _count(Application) == before
        return
    assert response.status_code == 302, _body(response)
    assert _count(Application) == before + 1
    draft = db.session.scalar(select(Application).order_by(Application.id.desc()).limit(1))
    assert urlsplit(response.location).path == f"/rex/demandes/{draft.id}/formulaire"
    # The posted choices pick nothing: a REX draft of the one company the operator acts for.
    assert (draft.kind, draft.status, draft.company_id, draft.created_by_id) == (
        ApplicationKind.REX, S.DRAFT, filer["company"], filer["operator"])
    assert filer["client"].get(response.location).status_code == 200


@SETTINGS
@given(data=st.data())
def test_new_eori_with_hostile_fields_never_fails_and_a_refusal_creates_no_request(filer, data):
    base = {"country": "FR", "basis": "siren", "person_type": "natural", "office_id": str(filer["office"]),
            "kind": "rex", "siret": "73282932000074"}
    typed, _ = data.draw(mutated(base, protected=()))
    applications, requests = _count(Application), _count(EoriRequest)

    response = _send(filer["client"], "post", "/rex/eori/deposer", data=typed)

    assert response.status_code < 500, _body(response)
    if response.status_code >= 400:
        _assert_refused(response, typed)
        assert (_count(Application), _count(EoriRequest)) == (applications, requests)
        return
    assert response.status_code == 302, _body(response)
    assert (_count(Application), _count(EoriRequest)) == (applications + 1, requests + 1)
    draft = db.session.scalar(select(Application).order_by(Application.id.desc()).limit(1))
    assert urlsplit(response.location).path == f"/rex/eori/{draft.id}/formulaire"
    # An EORI draft with the defaults of the workflow, whatever was posted.
    request = draft.eori_request
    assert (draft.kind, draft.status, draft.office_id) == (ApplicationKind.EORI, S.DRAFT, None)
    assert (request.country, request.basis, request.person_type, request.siret) == ("FR", EoriBasis.SIRET, None, None)
    assert filer["client"].get(response.location).status_code == 200


# --- the modification request and its form --------------------------------------------------------------

FREE_TEXT_MODIFICATION = {"exporter_email", "relations", "request_comment",
                          *(f"contacts-{i}-{name}" for i in (0, 1)
                            for name in ("full_name", "address", "postcode", "city", "phone", "email", "fax")),
                          *(f"goods-{i}-{name}" for i in (0, 1) for name in ("heading", "description"))}


@pytest.fixture
def modification(client, login, holder):
    login(holder.operator)
    draft = request_modification(client, holder)
    base = modification_form(draft, goods=with_new_goods(draft), action="save")
    base.update(contact(1))
    del base["version"]  # the draft's version at each example
    return {"client": client, "holder": holder, "draft": draft.id, "registration": holder.registration.id,
            "registered": holder.registration.application_id, "base": base,
            "url": f"/rex/demandes/{draft.id}/formulaire"}


def _modification_state(m) -> tuple:
    """What the form may change (the draft, its comment and content) and what it never may (the registration)."""
    db.session.expire_all()
    draft = db.session.get(Application, m["draft"])
    registration = db.session.get(Registration, m["registration"])
    content = workflow.content_of(draft)
    return (snapshot(m["draft"], m["registered"]), draft.request_comment,
            repr({k: v for k, v in vars(content).items() if not k.startswith("_")}),
            registration.status, registration.updated_at)


def _assert_a_draft_of_a_granted_registration(m):
    db.session.expire_all()
    registration = db.session.get(Registration, m["registration"])
    assert registration.status == R.GRANTED
    assert reload(m["draft"]).status == S.DRAFT


def _post_modification_form(m, typed: dict):
    """POST `typed` to the draft's form at its current version; the response (never a 500) and the state before."""
    typed["version"] = str(reload(m["draft"]).version)
    before = _modification_state(m)
    response = _send(m["client"], "post", m["url"], data=typed)
    assert response.status_code < 500, _body(response)
    return response, before


@FEW
@given(data=st.data())
def test_modification_request_with_hostile_fields_resumes_the_one_draft(modification, data):
    typed, _ = data.draw(mutated({"version": "1", "comment": COMMENT, "action": "modify"}, protected=()))
    before = _count(Application)
    url = f"/rex/autorisations/{modification['registration']}/modification"

    response = _send(modification["client"], "post", url, data=typed)

    assert response.status_code < 500, _body(response)
    if response.status_code >= 400:
        _assert_refused(response, typed)
    else:
        assert response.status_code == 302, _body(response)
        assert urlsplit(response.location).path == modification["url"]
    assert _count(Application) == before
    _assert_a_draft_of_a_granted_registration(modification)


@SETTINGS
@given(data=st.data())
def test_modification_form_saved_with_hostile_fields_never_fails_and_a_refusal_writes_nothing(modification, data):
    typed, touched = data.draw(mutated(modification["base"]))

    response, before = _post_modification_form(modification, typed)

    if response.status_code >= 400:
        doc = _assert_refused(response, typed, codes=(409, 422))
        if doc is not None:
            assert_kept(doc, typed, touched, FREE_TEXT_MODIFICATION)
        assert _modification_state(modification) == before
    else:
        assert response.status_code == 302, _body(response)
        comment = _first(typed.get("request_comment"))
        assert reload(modification["draft"]).request_comment == ((comment or "").strip() or None)
        assert modification["client"].get(modification["url"]).status_code == 200
    assert snapshot(modification["registered"])[modification["registered"]] == \
        before[0][modification["registered"]]  # the registered file is never the one edited
    _assert_a_draft_of_a_granted_registration(modification)


@FEW
@given(data=st.data())
def test_modification_form_validated_with_hostile_fields_shows_errors_beside_fields_and_submits_nothing(
        modification, data):
    typed, touched = data.draw(mutated({**modification["base"], "action": "validate"}))

    response, before = _post_modification_form(modification, typed)

    if response.status_code >= 400:
        doc = _assert_refused(response, typed, codes=(409, 422))
        if doc is not None:
            assert_kept(doc, typed, touched, FREE_TEXT_MODIFICATION)
        if response.status_code == 409 or doc is None or "ne peut pas être validée" not in page_text(response):
            assert _modification_state(modification) == before  # refused before the save
    else:
        assert response.status_code == 302, _body(response)
        assert urlsplit(response.location).path == f"/rex/demandes/{modification['draft']}/recapitulatif"
    _assert_a_draft_of_a_granted_registration(modification)  # validating is not submitting


@FEW
@given(action=st.one_of(hostile, hostile.map(lambda h: f"remove-{h}"), hostile.map(lambda h: f"remove-goods-{h}"),
                        st.sampled_from(["remove-contacts-0", "remove-goods-1", "remove-goods-99", "add-goods",
                                         "add-contacts", "remove-", "remove-x-0", "remove-goods", "remove-goods-²"])))
def test_modification_form_with_a_hostile_action_never_fails(modification, action):
    typed = {**modification["base"], "action": action}

    response, before = _post_modification_form(modification, typed)

    if response.status_code >= 400:
        _assert_refused(response, typed, codes=(409, 422))
        assert _modification_state(modification) == before
    else:
        assert response.status_code == 302, _body(response)
    _assert_a_draft_of_a_granted_registration(modification)


# --- the registration page: thread and deregistration --------------------------------------------------

def _registration_state(registration_id: int) -> dict:
    db.session.expire_all()
    registration = db.session.get(Registration, registration_id)
    return {"status": registration.status, "deregistration": registration.deregistration_requested_at,
            "updated_at": registration.updated_at,
            "messages": _count(DiscussionMessage, registration_id=registration_id),
            "history": _count(HistoryEvent, registration_id=registration_id), "outbox": _count(OutboxEmail)}


@pytest.fixture
def registered(client, login, holder):
    login(holder.operator)
    return {"client": client, "registration": holder.registration.id, "url": holder.url}


@SETTINGS
@given(body=hostile, twice=st.booleans())
def test_registration_message_with_hostile_text_is_posted_or_refused_beside_the_box(registered, body, twice):
    sent = {"body": [body, body] if twice else body}
    before = _registration_state(registered["registration"])

    response = _send(registered["client"], "post", f"{registered['url']}/message", data=sent)

    assert response.status_code < 500, _body(response)
    after = _registration_state(registered["registration"])
    if response.status_code >= 400:
        doc = _assert_refused(response, sent)
        if doc is not None and body.strip():
            assert value_of(doc, "body") == " ".join(body.split())  # typed text kept in the box
        assert after == before
    else:
        assert response.status_code == 302, _body(response)
        assert urlsplit(response.location).path == registered["url"]
        assert after["messages"] == before["messages"] + 1
        assert (after["status"], after["deregistration"]) == (before["status"], before["deregistration"])
        assert registered["client"].get(registered["url"]).status_code == 200


@SETTINGS
@given(reason=hostile, twice=st.booleans())
def test_deregistration_request_with_hostile_reason_is_sent_or_refused_beside_the_box(registered, reason, twice):
    registration = db.session.get(Registration, registered["registration"])
    registration.deregistration_requested_at = None  # each example asks afresh
    db.session.commit()
    sent = {"reason": [reason, reason] if twice else reason}
    before = _registration_state(registered["registration"])

    response = _send(registered["client"], "post", f"{registered['url']}/radiation", data=sent)

    assert response.status_code < 500, _body(response)
    after = _registration_state(registered["registration"])
    if response.status_code >= 400:
        _assert_refused(response, sent)
        assert after == before
    else:
        assert response.status_code == 302, _body(response)
        assert after["deregistration"] is not None
        assert after["messages"] == before["messages"] + 1
        assert after["status"] == before["status"] == R.GRANTED  # an officer confirms; the number is still live
        assert registered["client"].get(registered["url"]).status_code == 200


# --- submission, abandon, duplicate, complete ------------------------------------------------------------

@pytest.fixture
def files(factory, login):
    officer = factory.officer()
    operator = factory.operator()
    return {"client": login(operator), "factory": factory, "operator": operator.id, "officer": officer,
            "office": factory.office(), "seq": iter(range(1000))}


def _siret(n: int) -> str:
    """A SIRET of the SIREN of eori_content, with an establishment number no factory company uses."""
    digits = f"7328293209{n:03d}"
    return digits + luhn.calc_check_digit(digits)


def _new_file(files, kind: str, status: ApplicationStatus) -> Application:
    operator = db.session.get(User, files["operator"])
    factory, officer = files["factory"], files["officer"]
    if kind == "eori":
        application = eori.create_draft(operator)
        eori.save_draft(operator, application, eori_content(siret=_siret(next(files["seq"]))), files["office"].id)
        if status != S.DRAFT:
            workflow.submit(operator, application)
            workflow.request_information(officer, application, "Merci de joindre votre Kbis.")
        return application
    company = _certified_company(factory, files["operator"])
    return {S.DRAFT: lambda: factory.draft(operator, company),
            S.UNDER_REVIEW: lambda: factory.submitted(operator, company),
            S.INCOMPLETE: lambda: factory.incomplete(operator, officer, company),
            S.REJECTED: lambda: factory.rejected(operator, officer, company)}[status]()


SUBMITTED = {S.DRAFT: {S.UNDER_REVIEW}, S.INCOMPLETE: {S.UNDER_REVIEW}}  # submit, complete


@SETTINGS
@given(kind=st.sampled_from(["rex", "eori"]), status=st.sampled_from([S.DRAFT, S.INCOMPLETE]), data=st.data())
def test_submission_with_hostile_extra_fields_changes_the_status_only_through_the_workflow(files, kind, status, data):
    application = _new_file(files, kind, status)
    app_id, version = application.id, application.version
    base = {"version": str(version), "complement": "Voici notre extrait Kbis.", "status": "granted",
            "kind": "rex_modification", "registration_id": "1", "company_id": "1", "action": "validate"}
    if kind == "eori":
        base["siret"] = "73282932000074"
    typed, _ = data.draw(mutated(base, protected=(), max_fields=5))
    siret = application.eori_request.siret if kind == "eori" else None
    before = snapshot(app_id)
    url = f"/rex/{'eori' if kind == 'eori' else 'demandes'}/{app_id}/recapitulatif"

    response = _send(files["client"], "post", url, data=typed)

    assert response.status_code < 500, _body(response)
    after = snapshot(app_id)
    moved = reload(app_id)
    assert moved.status in {status} | SUBMITTED[status], moved.status
    assert moved.kind == (ApplicationKind.EORI if kind == "eori" else ApplicationKind.REX)
    if kind == "eori":
        assert moved.eori_request.siret == siret
    if response.status_code >= 400:
        _assert_refused(response, typed)
    if moved.status == status:
        assert after == before  # refused: nothing written
    else:
        assert response.status_code == 302, _body(response)
        assert after[app_id]["history"] > before[app_id]["history"]
        assert files["client"].get(f"/rex/demandes/{app_id}").status_code == 200


LEGAL = {  # what each button may do to a file, by its status (the others leave it as it is)
    "abandonner": {S.UNDER_REVIEW: {S.ABANDONED}, S.INCOMPLETE: {S.ABANDONED}},
    "dupliquer": {},
    "completer": {},
}


@SETTINGS
@given(action=st.sampled_from(sorted(LEGAL)), status=st.sampled_from([S.DRAFT, S.UNDER_REVIEW, S.INCOMPLETE,
                                                                      S.REJECTED]), data=st.data())
def test_abandon_duplicate_and_complete_with_hostile_fields_change_the_status_only_through_the_workflow(
        files, action, status, data):
    application = _new_file(files, "rex", status)
    app_id = application.id
    base = {"comment": "Nous renonçons à cette demande.", "version": str(application.version),
            "status": "draft", "kind": "eori", "complement": "x"}
    typed, _ = data.draw(mutated(base, protected=(), max_fields=4))
    before = snapshot(app_id)

    response = _send(files["client"], "post", f"/rex/demandes/{app_id}/{action}", data=typed)

    assert response.status_code < 500, _body(response)
    after = snapshot(app_id)
    moved = reload(app_id)
    assert moved.status in {status} | LEGAL[action].get(status, set()), moved.status
    assert moved.kind == ApplicationKind.REX
    if response.status_code >= 400:
        _assert_refused(response, typed)
        assert after == before
    elif action == "dupliquer" and status == S.REJECTED:  # an operator duplicates a rejected request
        assert response.status_code == 302, _body(response)
        assert after[app_id] == before[app_id]
        assert after["applications"] == before["applications"] + 1
        copy = db.session.scalar(select(Application).order_by(Application.id.desc()).limit(1))
        assert (copy.status, copy.duplicated_from_id, copy.kind) == (S.DRAFT, app_id, ApplicationKind.REX)
    elif moved.status == status:
        assert response.status_code == 302, _body(response)
        assert after == before
    else:
        assert response.status_code == 302, _body(response)
        assert after[app_id]["history"] == before[app_id]["history"] + 1
        assert files["client"].get(f"/rex/demandes/{app_id}").status_code == 200


# --- the lists and look-ups with hostile query strings --------------------------------------------------

@pytest.fixture
def lists(client, login, factory, holder):
    """An account with a registration (and its version list), a draft and a company to filter on."""
    login(holder.operator)
    factory.draft(holder.operator, _certified_company(factory, holder.operator.id))
    return client


# Numbers too, as a crafted link would carry them: negative, at and beyond 32 and 64 bits.
numbers = st.one_of(st.integers(-2**70, 2**70),
                    st.sampled_from([2**31 - 1, 2**31, 2**63 - 1, 2**63, -2**63 - 1, 10**20])).map(str)
query_value = st.one_of(hostile, numbers, st.lists(st.one_of(hostile, numbers), min_size=2, max_size=2))


def _assert_answered(response, params):
    """200, or the 400 page of the NUL guard when (and only when) a NUL was sent."""
    assert response.status_code < 500, _body(response)
    if response.status_code == 400:
        assert any(NUL in value for value in _sent(params)), _body(response)
        return False
    assert response.status_code == 200, _body(response)
    return True


@SETTINGS
@given(tab=st.sampled_from(["en-cours", "brouillons", "rejetees"]),
       params=st.fixed_dictionaries({}, optional={"statut": query_value, "q": query_value, "page": query_value}))
def test_application_lists_answer_any_query_string_and_show_the_search_back(lists, tab, params):
    response = _send(lists, "get", f"/rex/demandes/{tab}", query_string=params)

    if _assert_answered(response, params):
        # the list's own search box (the header's search box comes first in the page)
        assert value_of(page(response).find("main"), "q") == (_first(params.get("q")) or "")


@SETTINGS
@given(params=st.fixed_dictionaries({}, optional={"titulaire": st.one_of(numbers, query_value),
                                                  "statut": query_value, "q": query_value}))
def test_registrations_list_answers_any_filter_without_failing(lists, params):
    response = _send(lists, "get", "/rex/autorisations", query_string=params)

    _assert_answered(response, params)


@SETTINGS
@given(params=st.fixed_dictionaries({}, optional={"q": st.one_of(numbers, query_value), "limit": numbers}))
def test_tariff_heading_search_answers_any_text_with_a_json_list(lists, params):
    response = _send(lists, "get", "/rex/positions-tarifaires", query_string=params)

    if _assert_answered(response, params):
        rows = response.get_json()
        assert isinstance(rows, list) and len(rows) <= 20
        assert all(set(row) == {"code", "label"} for row in rows)
        if len((_first(params.get("q")) or "").strip()) < 2:
            assert rows == []


@FEW
@given(params=st.dictionaries(st.one_of(st.sampled_from(["q", "identifier", "office_id", "statut"]), hostile),
                              query_value, max_size=3))
def test_certifications_page_answers_any_query_string(lists, params):
    response = _send(lists, "get", "/rex/habilitations", query_string=params)

    if _assert_answered(response, [*params, *_sent(params)]):
        assert page(response).find("form") is not None


# --- the password-reset and activation links -------------------------------------------------------------

@pytest.fixture
def account(factory):
    user = factory.operator()
    return {"id": user.id, "email": user.email}


def _password_hash(user_id: int) -> str:
    db.session.expire_all()
    return db.session.get(User, user_id).password_hash


def _tokens(valid: str):
    """Any text, or a genuine token with hostile text put before it or inside its signed part."""
    return st.one_of(hostile, hostile.filter(bool).map(lambda h: h + valid),
                     st.tuples(hostile.filter(bool), st.integers(1, len(valid.rsplit(".", 1)[0]) - 1))
                     .map(lambda t: valid[:t[1]] + t[0] + valid[t[1]:]))


def _unroutable(token: str) -> bool:
    """A token the URL cannot carry in one path segment: the route, not the view, answers."""
    return token == "" or "/" in token


UNROUTED = (404, 308)  # no route, or Werkzeug's redirect that merges '//' into '/'

NEW_PASSWORD = "Nouveau-2026?"


@SETTINGS
@given(data=st.data(), post=st.booleans())
def test_reset_link_with_a_hostile_token_is_the_400_page_and_changes_no_password(client, account, data, post):
    before = _password_hash(account["id"])
    token = data.draw(_tokens(password_reset_token(account["id"], before)))
    path = f"/mot-de-passe/{quote(token, safe='')}"

    response = _send(client, "post", path, data={"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD}) \
        if post else _send(client, "get", path)

    assert response.status_code < 500, _body(response)
    if _unroutable(token):
        assert response.status_code in UNROUTED, _body(response)
    else:
        assert response.status_code == 400, _body(response)
        title = "Requête invalide" if NUL in token else "Lien de réinitialisation invalide"
        assert title in page_text(response), _body(response)
    assert _password_hash(account["id"]) == before


@SETTINGS
@given(data=st.data())
def test_new_password_with_hostile_fields_is_set_or_refused_beside_the_fields(client, account, data):
    if data.draw(st.booleans()):
        typed, _ = data.draw(mutated({"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD}, protected=()))
    else:  # the same text twice: the rules alone decide
        password = data.draw(hostile)
        typed = {"password": password, "password_confirm": password}
    before = _password_hash(account["id"])
    path = f"/mot-de-passe/{password_reset_token(account['id'], before)}"

    response = _send(client, "post", path, data=typed)

    assert response.status_code < 500, _body(response)
    if response.status_code >= 400:
        _assert_refused(response, typed)
        assert _password_hash(account["id"]) == before
        assert client.get(path).status_code == 200  # the link still works
    else:
        assert response.status_code == 302, _body(response)
        assert urlsplit(response.location).path == "/connexion"
        after = _password_hash(account["id"])
        assert after != before
        assert check_password(after, _first(typed["password"]))
        assert client.get(path).status_code == 400  # a used link is dead


@SETTINGS
@given(data=st.data())
def test_activation_link_with_a_hostile_token_never_fails_and_activates_no_one(client, factory, data):
    user = factory.operator()
    user.activated_at = None
    db.session.commit()
    with client.application.test_request_context():
        valid = activation_token(user.id)
    token = data.draw(_tokens(valid))

    response = _send(client, "get", f"/activer/{quote(token, safe='')}")

    assert response.status_code < 500, _body(response)
    if _unroutable(token):
        assert response.status_code in UNROUTED, _body(response)
    elif NUL in token:
        assert response.status_code == 400, _body(response)
    else:
        assert response.status_code == 302, _body(response)
        assert urlsplit(response.location).path == "/connexion"
        assert "Ce lien d'activation n'est pas valide ou a expiré." in page_text(client.get("/connexion"))
    db.session.expire_all()
    assert db.session.get(User, user.id).activated_at is None
