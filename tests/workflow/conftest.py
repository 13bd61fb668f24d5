"""Actors and files shared by the workflow tests."""
import pytest
from flask_babel import force_locale

from app import workflow
from app.models import Role
from tests.workflow.helpers import with_section2_email


@pytest.fixture(autouse=True)
def _french(app):
    """Workflow messages are lazy French strings. Outside a request (a job, the CLI, these tests) the
    app's locale selector reads `request` and fails, so the locale is fixed here as a job would."""
    with force_locale("fr"):
        yield


@pytest.fixture
def company(factory):
    return factory.company()


@pytest.fixture
def operator(factory, company):
    return factory.operator(company)


@pytest.fixture
def officer(factory):
    return factory.officer("FR000600")


@pytest.fixture
def other_officer(factory):
    """An officer of another office (Le Havre)."""
    return factory.officer("FR002300")


@pytest.fixture
def other_operator(factory):
    """An operator certified for another company only."""
    return factory.operator()


@pytest.fixture
def admin(factory):
    return factory.user(Role.ADMIN)


@pytest.fixture
def draft(factory, operator):
    """A complete draft of `operator`'s company whose section 2 email is SECTION2_EMAIL."""
    application = workflow.create_draft(operator)
    workflow.save_draft(operator, application, with_section2_email(factory, application))
    return application


@pytest.fixture
def under_review(operator, draft):
    workflow.submit(operator, draft)
    return draft


@pytest.fixture
def incomplete(officer, under_review):
    workflow.request_information(officer, under_review, "Merci de confirmer vos positions tarifaires.")
    return under_review


@pytest.fixture
def granted(officer, under_review):
    workflow.grant(officer, under_review)
    return under_review


@pytest.fixture
def rejected(officer, under_review):
    workflow.reject(officer, under_review, "Relation préférentielle inexistante.")
    return under_review


@pytest.fixture
def abandoned(operator, under_review):
    workflow.abandon(operator, under_review)
    return under_review


@pytest.fixture
def file_in(request):
    """file_in("incomplete") -> the file of that status, built by the fixtures above."""
    def _file_in(status: str):
        return request.getfixturevalue(status)
    return _file_in
