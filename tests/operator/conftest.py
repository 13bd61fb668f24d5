import pytest

from app import workflow
from tests.operator.helpers import PDF


@pytest.fixture
def add_pdf():
    """Attach a PDF to a file through the workflow, as an upload would."""
    from app.workflow.documents import add_document

    def _add(user, application, name="Extrait Kbis", filename="kbis.pdf"):
        return add_document(user, application, name, filename, PDF)
    return _add


@pytest.fixture
def operator_files(factory, add_pdf):
    """Operator A's files in every status that has its own screens, with documents and a registration."""
    officer = factory.officer()
    company, other_company, third_company = factory.company(), factory.company(), factory.company()
    operator = factory.user(companies=[company, other_company, third_company])
    granted = factory.submitted(operator, company, officer.office.code)
    registration = workflow.grant(officer, granted)
    draft = factory.draft(operator, company)
    document = add_pdf(operator, draft)
    incomplete = factory.incomplete(operator, officer, other_company)
    incomplete_document = add_pdf(operator, incomplete, name="Facture")
    rejected = factory.rejected(operator, officer, third_company)
    return {
        "operator": operator, "officer": officer, "company": company,
        "applications": [draft, incomplete, granted, rejected],
        "documents": {draft.id: document.id, incomplete.id: incomplete_document.id},
        "registration": registration.id,
    }
