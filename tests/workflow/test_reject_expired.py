"""'Action automatique': an incomplete file left unanswered 30 days is rejected, by the sweep the scheduler runs
(jobs/schedule.py -> jobs.deadlines.sweep_deadlines -> app.workflow.deadlines.reject_expired)."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import update

from app import workflow
from app.extensions import db
from app.models import Application, ApplicationStatus as S
from app.models._time import utcnow
from jobs.deadlines import sweep_deadlines
from tests.workflow.helpers import SECTION2_EMAIL, aware, fresh, last_event, outbox, snapshot


def test_automatic_rejection_is_refused_before_the_deadline(incomplete):
    before = snapshot(incomplete.id)
    assert sweep_deadlines()["rejected"] == 0
    assert fresh(incomplete.id).status == S.INCOMPLETE
    assert snapshot(incomplete.id) == before


def test_automatic_rejection_is_refused_the_day_before_the_deadline(incomplete):
    deadline = aware(fresh(incomplete.id).answer_deadline)
    assert sweep_deadlines(now=deadline - timedelta(days=1)) == {"due": 0, "rejected": 0, "skipped": 0}
    assert fresh(incomplete.id).status == S.INCOMPLETE


def test_file_is_rejected_automatically_once_the_deadline_has_passed(incomplete):
    deadline = aware(fresh(incomplete.id).answer_deadline)
    sweep_deadlines(now=deadline + timedelta(seconds=1))

    saved = fresh(incomplete.id)
    assert saved.status == S.REJECTED
    assert saved.answer_deadline is None
    assert aware(saved.decided_at) == deadline + timedelta(seconds=1)


def test_automatic_rejection_is_recorded_without_an_actor(officer, incomplete):
    db.session.execute(update(Application).where(Application.id == incomplete.id)
                       .values(answer_deadline=utcnow() - timedelta(minutes=1)))
    db.session.commit()
    sweep_deadlines()

    event = last_event(incomplete.id)
    assert (event.kind, event.actor_id, event.office_id) == ("rejected_automatically", None, officer.office_id)


def test_automatic_rejection_is_emailed_to_the_section_2_email(incomplete):
    deadline = aware(fresh(incomplete.id).answer_deadline)
    sweep_deadlines(now=deadline + timedelta(days=1))

    email = outbox()[-1]
    assert (email.template, email.recipient) == ("rejected_automatically", SECTION2_EMAIL)
    assert incomplete.reference in email.subject
    assert incomplete.reference in email.body


def test_the_email_written_by_the_sweep_is_the_one_rendered_for_the_file(app, incomplete):
    """The sweep renders the template once per batch and fills each file in SQL: same subject and body
    as rendering it for that file, and a message id of the usual shape."""
    from app.notifications import email_context, render_email

    deadline = aware(fresh(incomplete.id).answer_deadline)
    sweep_deadlines(now=deadline + timedelta(days=1))

    email = outbox()[-1]
    subject, body = render_email("rejected_automatically", **email_context(fresh(incomplete.id)))
    assert (email.subject, email.body) == (subject, body)
    assert email.created_at is not None  # (already delivered: the in-process jobs ran after the commit)
    assert re.fullmatch(r"<[0-9a-f]{32}@[^>]+>", email.message_id)


@pytest.mark.parametrize("status", ["under_review", "rejected", "granted"])
def test_automatic_rejection_only_applies_to_incomplete_files(file_in, status):
    application = file_in(status)
    before = snapshot(application.id)
    assert sweep_deadlines(now=utcnow() + timedelta(days=400))["rejected"] == 0
    assert snapshot(application.id) == before


def test_a_complement_in_time_stops_the_automatic_rejection(operator, incomplete):
    workflow.complete(operator, incomplete, "Voici les précisions.")

    assert sweep_deadlines(now=utcnow() + timedelta(days=31))["rejected"] == 0
    assert fresh(incomplete.id).status == S.UNDER_REVIEW
