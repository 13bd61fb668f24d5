"""The modification emails quote the request submitted or decided, not the file that created the version."""
from sqlalchemy import select

from app import workflow
from app.extensions import db
from app.models import OutboxEmail
from app.workflow import registrations
from app.workflow.content import content_of
from tests.operator.registration_helpers import holder, new_version, submitted_modification  # noqa: F401


def _emails(subject_part):
    return [e for e in db.session.scalars(select(OutboxEmail).order_by(OutboxEmail.id)) if subject_part in e.subject]


def test_requested_validated_and_refused_emails_cite_the_request(holder):  # noqa: F811
    first = submitted_modification(holder)
    [requested] = _emails("Modification demandée")
    assert first.reference in requested.body and holder.registration.application.reference not in requested.body
    version = workflow.grant(holder.officer, first)
    [validated] = _emails("Modification validée")
    assert first.reference in validated.body

    holder.registration = version
    second = registrations.request_modification(holder.operator, version)
    content = content_of(second)
    content.goods = [*content.goods, {"heading": "4203", "description": "Ceintures en cuir"}]
    workflow.save_draft(holder.operator, second, content, request_comment="Ceintures")
    workflow.submit(holder.operator, second)
    workflow.reject(holder.officer, second, "Position tarifaire non justifiée.")
    [refused] = _emails("Modification refusée")
    # The version was created by the first request; the email cites the second, the one refused.
    assert second.reference in refused.body and first.reference not in refused.body
