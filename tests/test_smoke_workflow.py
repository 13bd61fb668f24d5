from app import workflow
from app.models import ApplicationStatus, OutboxEmail


def test_operator_files_and_office_grants(factory):
    operator = factory.operator()
    officer = factory.officer()
    application = factory.submitted(operator)
    assert application.status == ApplicationStatus.UNDER_REVIEW
    assert application.reference.startswith("FR-REX-")
    registration = workflow.grant(officer, application)
    assert registration.number == f"FRREX{application.company.eori}"
    assert OutboxEmail.query.count() == 2
