"""The answer period's clock extended and suspended (issue 17, item 2): app/workflow/clock.py, with the sweep and
the reminders of app/workflow/deadlines.py following the new date."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from app import workflow
from app.extensions import db
from app.models import Application, ApplicationStatus as S, HistoryEvent, Office, OutboxEmail
from app.models._time import utcnow
from app.workflow import clock, deadlines


def _aware(moment):
    return moment if moment.tzinfo else moment.replace(tzinfo=utcnow().tzinfo)


def _fresh(application_id):
    db.session.expire_all()
    return db.session.get(Application, application_id)


def _emails(template):
    return list(db.session.scalars(select(OutboxEmail).where(OutboxEmail.template == template)))


def test_an_extension_moves_the_deadline_the_sweep_and_the_reminders(officer, incomplete):
    before = _aware(incomplete.answer_deadline)
    deadlines.send_reminders(before - timedelta(days=6))
    assert len(_emails("deadline_reminder")) == 1
    clock.extend_deadline(officer, incomplete, 10, "Le fournisseur répond sous quinze jours.", True)
    saved = _fresh(incomplete.id)
    assert _aware(saved.answer_deadline) == before + timedelta(days=10)
    assert saved.deadline_extension_days == 10
    assert deadlines.reject_expired(before + timedelta(minutes=1))["rejected"] == 0
    assert _fresh(incomplete.id).status == S.INCOMPLETE
    deadlines.send_reminders(before + timedelta(days=4))  # 7-day reminder again, for the new date
    assert len(_emails("deadline_reminder")) == 2
    assert deadlines.reject_expired(before + timedelta(days=10, minutes=1))["rejected"] == 1
    (email,) = _emails("deadline_extended")
    assert "prolongé de 10 jours" in email.body and "Le fournisseur" in email.body
    event = db.session.scalars(select(HistoryEvent).where(HistoryEvent.kind == "deadline_extended")).one()
    assert "à la demande de l'opérateur" in event.comment


def test_extensions_stop_at_the_offices_maximum(officer, incomplete):
    clock.extend_deadline(officer, incomplete, 20, "Première prolongation.")
    with pytest.raises(workflow.WorkflowError) as too_many:
        clock.extend_deadline(officer, incomplete, 11, "Deuxième prolongation.")
    assert too_many.value.field == "extension_days"
    clock.extend_deadline(officer, incomplete, 10, "Deuxième prolongation.")
    with pytest.raises(workflow.WrongStatus):
        clock.extend_deadline(officer, incomplete, 1, "Troisième.")
    office_id = incomplete.office_id
    incomplete.office.max_extension_days = 45  # reference data shared by the tests: set back below
    db.session.commit()
    try:
        clock.extend_deadline(officer, incomplete, 15, "Le service autorise 45 jours.")
        assert _fresh(incomplete.id).deadline_extension_days == 45
    finally:
        db.session.rollback()
        db.session.get(Office, office_id).max_extension_days = 30
        db.session.commit()


def test_bad_numbers_of_days_are_refused_beside_the_field(officer, incomplete):
    for typed in ("", "abc", "0", "-3"):
        with pytest.raises(workflow.WorkflowError) as refused:
            clock.extend_deadline(officer, incomplete, typed, "Motif.")
        assert refused.value.field == "extension_days"
    with pytest.raises(workflow.WorkflowError) as no_reason:
        clock.extend_deadline(officer, incomplete, 5, " ")
    assert no_reason.value.field == "extension_reason"


def test_a_suspended_clock_is_neither_swept_nor_reminded_and_resumes_with_what_was_left(officer, incomplete):
    deadline = _aware(incomplete.answer_deadline)
    clock.suspend_clock(officer, incomplete, "Vérification demandée à la DGCCRF.")
    saved = _fresh(incomplete.id)
    assert saved.answer_deadline is None and saved.clock_remaining_seconds > 29 * 86400
    assert deadlines.reject_expired(deadline + timedelta(days=60))["due"] == 0
    assert deadlines.send_reminders(deadline)["reminder_7"] == 0
    with pytest.raises(workflow.WrongStatus):
        clock.extend_deadline(officer, saved, 5, "Pendant la suspension.")
    with pytest.raises(workflow.WrongStatus):
        clock.suspend_clock(officer, saved, "Encore.")
    saved.clock_suspended_at = _aware(saved.clock_suspended_at) - timedelta(days=3)  # suspended three days ago
    db.session.commit()
    clock.resume_clock(officer, saved, "Réponse de la DGCCRF reçue.")
    saved = _fresh(incomplete.id)
    assert saved.clock_suspended_at is None
    assert clock.suspended_days(saved) == 3
    # What was left at the suspension, from the resumption on (no real time passed here: the first deadline).
    assert abs((_aware(saved.answer_deadline) - deadline).total_seconds()) < 120
    assert [len(_emails(t)) for t in ("clock_suspended", "clock_resumed")] == [1, 1]


def test_a_file_under_review_can_wait_for_an_outside_answer(officer, under_review):
    clock.suspend_clock(officer, under_review, "Vérification de l'origine demandée.")
    assert _fresh(under_review.id).clock_suspended_at is not None
    clock.resume_clock(officer, under_review)
    saved = _fresh(under_review.id)
    assert saved.clock_suspended_at is None and saved.answer_deadline is None


def test_the_holders_complement_ends_the_suspension(operator, officer, incomplete):
    clock.suspend_clock(officer, incomplete, "Vérification.")
    workflow.complete(operator, incomplete, "Voici le complément.")
    saved = _fresh(incomplete.id)
    assert saved.status == S.UNDER_REVIEW and saved.clock_suspended_at is None


def test_only_the_office_manages_the_clock(operator, other_officer, incomplete):
    for actor in (operator, other_officer):
        with pytest.raises(workflow.NotAllowed):
            clock.suspend_clock(actor, incomplete, "Non.")
        with pytest.raises(workflow.NotAllowed):
            clock.extend_deadline(actor, incomplete, 5, "Non.")


def test_the_page_refuses_a_bad_number_of_days_beside_the_field_keeping_the_reason(client, login, officer,
                                                                                   incomplete):
    application_id, version = incomplete.id, incomplete.version
    login(officer)
    response = client.post(f"/admin/dossier/{application_id}/prolonger-delai",
                           data={"version": version, "extension_days": "quinze", "extension_reason": "Attente."})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Indiquez un nombre de jours." in page and "Attente." in page
    assert _fresh(application_id).deadline_extension_days == 0
