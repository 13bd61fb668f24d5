"""Retention (issue 17, item 6): personal data purged 10 calendar years after a revocation or an invalidation, an
anonymous trace kept; old sent emails purged; --dry-run says what would go."""
from datetime import date, datetime, timedelta, timezone

from flask_babel import force_locale
from sqlalchemy import select, update

from app import workflow
from app.extensions import db
from app.models import (
    Application, Company, Contact, DiscussionMessage, HistoryEvent, OutboxEmail, Registration, RegistrationStatus,
)
from app.models.outbox import OUTBOX_SENT
from app.workflow import eori
from jobs.retention import purge_retention
from tests.hearing_helpers import revoke_after_hearing


def _revoked_in(factory, year):
    operator = factory.operator(factory.company())
    officer = factory.officer("FR000600")
    with force_locale("fr"):
        registration = workflow.grant(officer, factory.submitted(operator))
        revoke_after_hearing(officer, registration, "no_longer_exports", "Plus d'exportations.")
    db.session.execute(update(Registration).where(Registration.id == registration.id)
                       .values(revoked_on=date(year, 6, 1)))
    db.session.commit()
    return registration


def test_a_registration_revoked_more_than_ten_calendar_years_ago_is_purged_keeping_a_trace(app, factory):
    old = _revoked_in(factory, 2015)
    recent = _revoked_in(factory, 2016)
    now = datetime(2026, 12, 5, tzinfo=timezone.utc)  # 2016 is kept until 31/12/2026

    dry = purge_retention(now, dry_run=True)
    assert dry["registrations"] == [old.number]
    assert db.session.get(Application, old.application_id).exporter_name is not None

    result = purge_retention(now)
    assert result["registrations"] == [old.number]
    db.session.expire_all()
    application = db.session.get(Application, old.application_id)
    assert application.exporter_name is None and application.exporter_email is None
    assert application.exporter_eori is not None
    assert not db.session.scalars(select(Contact).where(Contact.application_id == application.id)).all()
    assert not db.session.scalars(select(DiscussionMessage)
                                  .where(DiscussionMessage.application_id == application.id)).all()
    trace = db.session.get(Registration, old.id)
    assert (trace.number, trace.status, trace.revoked_on) == (old.number, RegistrationStatus.REVOKED,
                                                              date(2015, 6, 1))
    assert trace.data_purged_at is not None
    assert db.session.scalar(select(HistoryEvent.kind).where(HistoryEvent.registration_id == old.id)
                             .order_by(HistoryEvent.id.desc()).limit(1)) == "data_purged"
    assert db.session.get(Application, recent.application_id).exporter_name is not None
    assert purge_retention(now)["registrations"] == []  # once


def test_an_eori_invalidated_more_than_ten_years_ago_is_purged(app, factory):
    company = factory.company()
    officer = factory.officer("FR000600")
    company.office_id = officer.office_id
    db.session.commit()
    with force_locale("fr"):
        eori.invalidate(officer, company, "holder_request", date(2014, 3, 1), "Courrier.")
    result = purge_retention(datetime(2026, 1, 2, tzinfo=timezone.utc))
    assert result["eori_numbers"] == [company.eori]
    db.session.expire_all()
    company = db.session.get(Company, company.id)
    assert company.name == "" and company.email is None and company.eori_invalidated_on == date(2014, 3, 1)


def test_sent_emails_older_than_the_setting_are_purged(app):
    now = datetime(2026, 12, 5, tzinfo=timezone.utc)
    for days, status in ((400, OUTBOX_SENT), (10, OUTBOX_SENT), (400, "failed")):
        db.session.add(OutboxEmail(template="granted", recipient="a@example.test", subject="s", body="b",
                                   message_id=f"<{days}{status}@x>", status=status,
                                   sent_at=now - timedelta(days=days)))
    db.session.commit()
    assert purge_retention(now, dry_run=True)["sent_emails"] == 1
    assert db.session.scalar(select(db.func.count()).select_from(OutboxEmail)) == 3
    assert purge_retention(now)["sent_emails"] == 1
    assert db.session.scalar(select(db.func.count()).select_from(OutboxEmail)) == 2


def test_the_command_says_what_it_would_purge(app, factory):
    old = _revoked_in(factory, 2010)
    result = app.test_cli_runner().invoke(args=["purge-retention", "--dry-run"])
    assert f"would purge: 1 registration period(s) {old.number}" in result.output
    db.session.expire_all()
    assert db.session.get(Registration, old.id).data_purged_at is None
