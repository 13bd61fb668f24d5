"""Four-eyes decisions per office (issue 17, item 1): app/workflow/four_eyes.py."""
import pytest
from sqlalchemy import select

from app import workflow
from app.extensions import db
from app.models import (
    Application, ApplicationStatus as S, DecisionProposal, HistoryEvent, OutboxEmail, Registration, Role,
    RegistrationStatus as R,
)
from app.workflow import four_eyes, kernel, registrations
from tests.hearing_helpers import heard


@pytest.fixture
def four_eyes_on(officer):
    """Turn four eyes on for the officer's office (reference data shared by the tests: turned off after)."""
    def turn_on():
        officer.office.four_eyes = True
        db.session.commit()
        return officer.office
    yield turn_on
    db.session.rollback()
    officer.office.four_eyes = False
    db.session.commit()


@pytest.fixture
def bordeaux(four_eyes_on):
    return four_eyes_on()


@pytest.fixture
def colleague(factory):
    return factory.officer("FR000600")


def _kinds(application_id):
    return list(db.session.scalars(select(HistoryEvent.kind).where(HistoryEvent.application_id == application_id)
                                   .order_by(HistoryEvent.id)))


def test_without_four_eyes_the_officer_decides_alone(officer, under_review):
    assert not kernel.may(officer, under_review, "propose_grant")
    workflow.grant(officer, under_review)
    assert under_review.status == S.GRANTED


def test_a_grant_proposed_takes_effect_when_a_colleague_approves(bordeaux, officer, colleague, under_review):
    with pytest.raises(workflow.WrongStatus) as direct:
        workflow.grant(officer, under_review)
    assert "quatre yeux" in str(direct.value.message)
    four_eyes.propose_grant(officer, under_review)
    db.session.refresh(under_review)
    assert under_review.status == S.UNDER_REVIEW  # nothing changes for the operator
    assert not db.session.scalars(select(OutboxEmail)).all() or all(
        e.template != "granted" for e in db.session.scalars(select(OutboxEmail)))
    with pytest.raises(workflow.WrongStatus) as own:
        four_eyes.approve_decision(officer, under_review)
    assert "votre propre proposition" in str(own.value.message)
    four_eyes.approve_decision(colleague, under_review)
    db.session.refresh(under_review)
    assert under_review.status == S.GRANTED
    assert _kinds(under_review.id)[-3:] == ["decision_proposed", "decision_approved", "granted"]
    granted = db.session.scalars(select(HistoryEvent).where(HistoryEvent.kind == "granted")).one()
    assert granted.actor_id == colleague.id
    assert db.session.scalars(select(OutboxEmail.template)).all().count("granted") == 1


def test_a_supervisor_who_proposes_cannot_approve_either(bordeaux, factory, colleague, under_review):
    supervisor = factory.user(Role.SUPERVISOR, supervised=[bordeaux])
    four_eyes.propose_rejection(supervisor, under_review, "Relation préférentielle inexistante.")
    with pytest.raises(workflow.WrongStatus):
        four_eyes.approve_decision(supervisor, under_review)
    four_eyes.approve_decision(colleague, under_review)
    db.session.refresh(under_review)
    assert under_review.status == S.REJECTED


def test_a_pending_proposal_freezes_the_file_and_a_return_frees_it(bordeaux, officer, colleague, under_review):
    four_eyes.propose_grant(officer, under_review)
    for action in (lambda: workflow.request_information(colleague, under_review, "Précisez."),
                   lambda: four_eyes.propose_rejection(colleague, under_review, "Motif.")):
        with pytest.raises(workflow.WrongStatus):
            action()
    with pytest.raises(workflow.WorkflowError) as empty:
        four_eyes.return_proposal(colleague, under_review, " ")
    assert empty.value.field == "return_comment"
    four_eyes.return_proposal(colleague, under_review, "La ligne 2 n'est pas justifiée.")
    proposal = db.session.scalars(select(DecisionProposal)).one()
    assert proposal.status == "returned" and proposal.comment == "La ligne 2 n'est pas justifiée."
    workflow.request_information(colleague, under_review, "Justifiez la ligne 2.")
    assert under_review.status == S.INCOMPLETE


def test_an_officer_of_another_office_neither_proposes_nor_approves(bordeaux, officer, other_officer, under_review):
    with pytest.raises(workflow.NotAllowed):
        four_eyes.propose_grant(other_officer, under_review)
    four_eyes.propose_grant(officer, under_review)
    with pytest.raises(workflow.NotAllowed):
        four_eyes.approve_decision(other_officer, under_review)


def test_a_revocation_is_proposed_after_the_hearing_and_approved(four_eyes_on, operator, officer, colleague,
                                                                granted):
    four_eyes_on()
    registration = db.session.scalar(select(Registration).where(Registration.application_id == granted.id))
    heard(officer, registration, "conditions_not_met", answer_by=operator)
    with pytest.raises(workflow.WrongStatus):
        registrations.revoke(officer, registration, None, "Contrôle.")
    four_eyes.propose_revocation(officer, registration, "Le montage hors de l'Union fait perdre l'origine.")
    assert registration.status == R.GRANTED
    four_eyes.approve_revocation(colleague, registration)
    db.session.refresh(registration)
    assert registration.status == R.REVOKED
    assert registration.revocation_ground.value == "conditions_not_met"


def test_a_modification_validated_with_four_eyes(four_eyes_on, operator, officer, colleague, granted):
    four_eyes_on()
    registration = db.session.scalar(select(Registration).where(Registration.application_id == granted.id))
    draft = registrations.request_modification(operator, registration)
    workflow.save_draft(operator, draft, workflow.content_of(draft), request_comment="Nouveau courriel.")
    workflow.submit(operator, draft)
    four_eyes.propose_grant(officer, draft)
    four_eyes.approve_decision(colleague, draft)
    assert db.session.get(Application, draft.id).status == S.GRANTED


def test_the_queue_lists_pending_proposals_of_open_files_only(bordeaux, client, login, operator, officer,
                                                              colleague, other_officer, under_review):
    four_eyes.propose_rejection(officer, under_review, "Relation préférentielle inexistante.")
    application_id = under_review.id
    login(colleague)
    page = client.get("/admin/decisions-a-valider/").get_data(as_text=True)
    assert f"Demande #{application_id}" in page and "Relation préférentielle inexistante." in page
    login(other_officer)
    assert f"Demande #{application_id}" not in client.get("/admin/decisions-a-valider/").get_data(as_text=True)
    workflow.abandon(operator, db.session.get(Application, application_id))
    login(colleague)
    assert f"Demande #{application_id}" not in client.get("/admin/decisions-a-valider/").get_data(as_text=True)


def test_a_returned_proposal_is_news_on_mon_travail_for_the_officer_of_the_file(bordeaux, officer, colleague,
                                                                                under_review):
    from app.workflow import instruction, news

    instruction.assign(officer, under_review, officer)
    four_eyes.propose_grant(officer, under_review)
    assert news.my_news(officer) == []  # their own proposal is no news to them

    four_eyes.return_proposal(colleague, under_review, "La ligne 2 n'est pas justifiée.")

    [item] = news.my_news(officer)
    assert item["application"].id == under_review.id
    assert [str(k) for k in item["kinds"]] == ["Proposition renvoyée par le second agent"]
    assert news.my_news(colleague) == []
