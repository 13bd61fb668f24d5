"""Retention (issue 17, item 6; docs/decisions.md): personal data are purged 10 calendar years after a
registration's revocation or an EORI number's invalidation, keeping an anonymous trace (number, dates, status) and
a history event "Données purgées"; sent emails are purged after SENT_EMAIL_RETENTION_DAYS.

"10 calendar years after" reads as the eori.retention_end rule already shown to officers: the data are kept until
31 December of the tenth year after the year of the revocation or invalidation, and purged from 1 January after.
History events are append-only and stay as they are (their comments are the administration's record).
"""
from datetime import date, datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select, update

from app import background
from app.extensions import db
from app.models import (
    Application, Company, Contact, DiscussionMessage, Document, HistoryEvent, OutboxEmail, PublicationConsent,
    Registration, RegistrationStatus, Undertaking,
)
from app.models.eori import EoriRequest
from app.models.outbox import OUTBOX_SENT
from app.models._time import utcnow
from app.workflow.kernel import bulk_transition
from app.workflow.subjects import EORI_INVALIDATED, EORI_NUMBER, REGISTRATION

YEARS = 10
EXPORTER = ("exporter_name", "exporter_address", "exporter_postcode", "exporter_city", "exporter_phone",
            "exporter_email", "exporter_fax")
REPRESENTATIVE = ("representative_eori", "representative_name", "representative_address", "representative_postcode",
                  "representative_city", "representative_country", "representative_phone", "representative_email",
                  "representative_fax")
EORI_PERSONAL = ("name", "first_name", "created_on", "address", "postcode", "city", "phone", "email",
                 "contact_name", "contact_phone", "contact_email")


def kept_until_year(today: date) -> int:
    """A revocation or invalidation in this year or later is still kept today."""
    return today.year - YEARS


def _due_registrations(today: date) -> list[Registration]:
    """The revoked periods whose retention ended: their versions, by number and period."""
    revoked = db.session.scalars(select(Registration).where(
        Registration.status == RegistrationStatus.REVOKED, Registration.data_purged_at.is_(None),
        Registration.revoked_on < date(kept_until_year(today), 1, 1))).all()
    return revoked


def _period_versions(registration: Registration) -> list[Registration]:
    return list(db.session.scalars(select(Registration).where(
        Registration.number == registration.number, Registration.period_no == registration.period_no)))


def _purge_applications(ids: list[int]) -> None:
    if not ids:
        return
    db.session.execute(update(Application).where(Application.id.in_(ids))
                       .values({column: None for column in EXPORTER + REPRESENTATIVE} | {"request_comment": None})
                       .execution_options(synchronize_session=False))
    for model in (Contact, Document):
        db.session.execute(delete(model).where(model.application_id.in_(ids)))
    db.session.execute(delete(DiscussionMessage).where(DiscussionMessage.application_id.in_(ids)))
    for model in (Undertaking, PublicationConsent):
        db.session.execute(update(model).where(model.application_id.in_(ids))
                           .values(signatory_name=None, signatory_function=None, place=None)
                           .execution_options(synchronize_session=False))


@bulk_transition(REGISTRATION, "purge_data", source=(RegistrationStatus.REVOKED,), target=None,
                 label=_l("Action automatique : purge des données personnelles après 10 ans"),
                 events=("data_purged",))
def purge_registrations(today: date, now: datetime, dry_run: bool) -> list[str]:
    purged = []
    for registration in _due_registrations(today):
        if registration.data_purged_at is not None:  # a version of a period already handled in this run
            continue
        versions = _period_versions(registration)
        purged.append(registration.number)
        if dry_run:
            continue
        application_ids = {v.application_id for v in versions} | set(db.session.scalars(
            select(Application.id).where(Application.registration_id.in_([v.id for v in versions]))))
        _purge_applications(sorted(application_ids))
        for version in versions:
            version.data_purged_at = now
            version.remedy_note = None
        db.session.add(HistoryEvent(application_id=registration.application_id, registration_id=registration.id,
                                    kind="data_purged", office_id=registration.office_id, at=now,
                                    comment=str(_l("Données personnelles purgées 10 ans après la révocation du "
                                                   "%(date)s.", date=f"{registration.revoked_on:%d/%m/%Y}"))))
        background.commit()
    return purged


@bulk_transition(EORI_NUMBER, "purge_data", source=(EORI_INVALIDATED,), target=None,
                 label=_l("Action automatique : purge des données personnelles après 10 ans"),
                 events=("data_purged",))
def purge_eori_numbers(today: date, now: datetime, dry_run: bool) -> list[str]:
    from app.workflow.eori import granting_application
    companies = db.session.scalars(select(Company).where(
        Company.eori_invalidated_on.is_not(None), Company.data_purged_at.is_(None),
        Company.eori_invalidated_on < date(kept_until_year(today), 1, 1))).all()
    purged = []
    for company in companies:
        purged.append(company.eori)
        if dry_run:
            continue
        company.name = company.address = company.postcode = company.city = ""
        company.phone = company.email = company.fax = None
        company.data_purged_at = now
        application = granting_application(company)
        if application is not None:
            _purge_applications([application.id])
            db.session.execute(update(EoriRequest).where(EoriRequest.application_id == application.id)
                               .values({column: None for column in EORI_PERSONAL})
                               .execution_options(synchronize_session=False))
        db.session.add(HistoryEvent(application_id=application.id if application else None, kind="data_purged",
                                    office_id=company.office_id, at=now,
                                    comment=str(_l("Données personnelles du numéro EORI %(number)s purgées 10 ans "
                                                   "après son invalidation du %(date)s.", number=company.eori,
                                                   date=f"{company.eori_invalidated_on:%d/%m/%Y}"))))
        background.commit()
    return purged


def purge_sent_emails(now: datetime, dry_run: bool) -> int:
    cutoff = now - timedelta(days=current_app.config["SENT_EMAIL_RETENTION_DAYS"])
    where = (OutboxEmail.status == OUTBOX_SENT, OutboxEmail.sent_at < cutoff)
    if dry_run:
        return db.session.scalar(select(db.func.count()).select_from(OutboxEmail).where(*where))
    count = db.session.execute(delete(OutboxEmail).where(*where)).rowcount
    background.commit()
    return count


def purge(now: datetime | None = None, dry_run: bool = False) -> dict:
    """Purge what the retention rules say (or, with dry_run, say what would be purged). Returns the lists."""
    now = now or utcnow()
    today = now.date()
    try:
        result = {"registrations": purge_registrations(today, now, dry_run),
                  "eori_numbers": purge_eori_numbers(today, now, dry_run),
                  "sent_emails": purge_sent_emails(now, dry_run)}
    except Exception:
        db.session.rollback()
        raise
    if dry_run:
        db.session.rollback()
    return result
