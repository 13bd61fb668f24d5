"""One pending EORI application per number (FR + SIRET, or FR + SIREN), held by the database as for REX files:
two submissions that both passed the rules cannot both reach 'En étude' (issue 16, item 7)."""
import threading

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from app import workflow
from app.extensions import db
from app.models import Application, ApplicationKind, ApplicationStatus as S, Role
from app.workflow import Incomplete, eori, eori_rules
from tests.eori_helpers import EORI_NUMBER, SIREN, eori_content, submitted_eori
from tests.jobs.test_deadlines import in_thread, join


@pytest.fixture
def office(factory):
    return factory.office("FR000600")


def _draft(factory, office, **changes):
    applicant = factory.user(Role.OPERATOR)
    application = eori.create_draft(applicant)
    eori.save_draft(applicant, application, eori_content(**changes), office.id)
    return applicant, application


def _statuses(number) -> list[S]:
    db.session.expire_all()
    return sorted(db.session.scalars(select(Application.status).where(
        Application.kind == ApplicationKind.EORI, Application.exporter_eori == number)), key=lambda s: s.value)


def _rules_passed_by_both(monkeypatch):
    """As if the second submission had checked the rules before the first one committed."""
    monkeypatch.setattr(eori_rules, "taken_error", lambda request: None)


@pytest.mark.parametrize("basis,number", [("siret", EORI_NUMBER), ("siren", f"FR{SIREN}")])
def test_a_second_submission_for_a_pending_number_is_refused_by_the_database(factory, office, monkeypatch, basis,
                                                                            number):
    first = submitted_eori(factory.user(Role.OPERATOR), office, basis=basis)
    applicant, second = _draft(factory, office, basis=basis)
    _rules_passed_by_both(monkeypatch)

    with pytest.raises(Incomplete) as refused:
        workflow.submit(applicant, second)

    assert {k: str(v) for k, v in refused.value.errors.items()} == {
        basis: "Une demande de numéro EORI est déjà en cours pour ce numéro."}
    assert _statuses(number) == [S.DRAFT, S.UNDER_REVIEW]
    assert db.session.get(Application, first.id).status == S.UNDER_REVIEW


def test_an_eori_siren_and_an_eori_siret_of_the_same_company_may_both_be_pending(factory, office):
    submitted_eori(factory.user(Role.OPERATOR), office, basis="siren")
    submitted_eori(factory.user(Role.OPERATOR), office, basis="siret")

    assert _statuses(f"FR{SIREN}") == [S.UNDER_REVIEW] and _statuses(EORI_NUMBER) == [S.UNDER_REVIEW]


def test_the_index_holds_whatever_writes_the_status(factory, office):
    """Below the workflow too: a second pending row for one number is refused by the database itself."""
    submitted_eori(factory.user(Role.OPERATOR), office)
    _, second = _draft(factory, office)

    with pytest.raises(IntegrityError):
        db.session.execute(update(Application).where(Application.id == second.id).values(status=S.INCOMPLETE))
        db.session.flush()
    db.session.rollback()


def test_a_new_application_is_accepted_once_the_pending_one_is_rejected(factory, office):
    first = submitted_eori(factory.user(Role.OPERATOR), office)
    workflow.reject(factory.officer("FR000600"), first, "Pièces manquantes.")
    applicant, second = _draft(factory, office)

    workflow.submit(applicant, second)

    assert _statuses(EORI_NUMBER) == [S.REJECTED, S.UNDER_REVIEW]


def test_an_incomplete_file_edited_to_a_number_pending_elsewhere_is_refused_beside_the_field(factory, office):
    officer = factory.officer("FR000600")
    applicant = factory.user(Role.OPERATOR)
    mine = submitted_eori(applicant, office, siret="73282932000017")
    workflow.request_information(officer, mine, "Précisez l'établissement.")
    submitted_eori(factory.user(Role.OPERATOR), office)  # asks for FR73282932000074

    with pytest.raises(Incomplete) as refused:
        eori.save_draft(applicant, mine, eori_content(), office.id)

    assert {k: str(v) for k, v in refused.value.errors.items()} == {
        "siret": "Une demande de numéro EORI est déjà en cours pour ce numéro."}
    db.session.expire_all()
    assert db.session.get(Application, mine.id).exporter_eori == "FR73282932000017"


@pytest.mark.postgresql_only
def test_two_submissions_for_one_siret_at_the_same_instant_leave_one_pending(app, factory, office, monkeypatch):
    """Both check the rules, wait for each other, then write: the unique index lets one through."""
    drafts = [_draft(factory, office) for _ in range(2)]
    ids = [(applicant.id, application.id) for applicant, application in drafts]
    db.session.remove()
    both_checked = threading.Barrier(2)
    original = eori_rules.taken_error

    def checked_then_wait(request):
        result = original(request)
        both_checked.wait(10)
        return result

    monkeypatch.setattr(eori_rules, "taken_error", checked_then_wait)

    def submit(applicant_id, application_id):
        from app.models import User

        try:
            workflow.submit(db.session.get(User, applicant_id), db.session.get(Application, application_id))
        except Incomplete as refused:
            return {field: str(message) for field, message in refused.errors.items()}
        return "submitted"

    runs = [in_thread(app, submit, *pair) for pair in ids]
    results = [join(*run) for run in runs]

    assert sorted(results, key=str) == [
        "submitted", {"siret": "Une demande de numéro EORI est déjà en cours pour ce numéro."}], results
    assert _statuses(EORI_NUMBER) == [S.DRAFT, S.UNDER_REVIEW]
    assert db.session.scalar(select(func.count()).select_from(Application)
                             .where(Application.status == S.UNDER_REVIEW)) == 1
