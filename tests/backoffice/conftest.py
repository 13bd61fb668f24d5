"""The officers' back-office: two offices (A and B), every kind of account, and files of both offices.

Requests of the test client run in the test's app context, so they share its db.session: helpers
here re-read the database (expire_all) before looking at what an action did.
"""
import pytest

from app.extensions import db
from app.models import Role
from app.workflow import submit
from app.workflow.documents import add_document
from tests.backoffice.helpers import OFFICE_A, OFFICE_B, OFFICE_C
from tests.operator.helpers import PDF


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "concurrency: races between two sessions; runs on SQLite and PostgreSQL, meaningful on PostgreSQL")


class World:
    """Everything a back-office test needs, as plain attributes (ids are read before any request)."""


@pytest.fixture
def world(factory):
    w = World()
    w.office_a, w.office_b, w.office_c = (factory.office(c) for c in (OFFICE_A, OFFICE_B, OFFICE_C))
    w.operator = factory.operator()
    w.representative = factory.representative()
    w.officer_a = factory.officer(OFFICE_A)
    w.colleague_a = factory.officer(OFFICE_A)
    w.officer_b = factory.officer(OFFICE_B)
    w.supervisor_a = factory.user(Role.SUPERVISOR, supervised=[w.office_a])
    w.supervisor_other = factory.user(Role.SUPERVISOR, supervised=[w.office_b, w.office_c])
    w.admin = factory.user(Role.ADMIN)

    # The file every action of the matrix targets: office A, under review, one document.
    w.file_a = factory.draft(w.operator, office_code=OFFICE_A)
    w.document = add_document(w.operator, w.file_a, "Extrait Kbis", "kbis.pdf", PDF)
    submit(w.operator, w.file_a)
    w.incomplete_a = factory.incomplete(factory.operator(), w.officer_a)
    w.file_b = factory.submitted(factory.operator(), office_code=OFFICE_B)
    # A company whose EORI number office A granted: its page and the paper form are office A's only.
    w.company_a = factory.company(name="Jouets Qwzyx du service A", office_id=w.office_a.id)
    w.contact_id = w.file_a.contacts[0].id
    w.line_id = w.file_a.goods_lines[0].id
    w.contact_name = w.file_a.contacts[0].full_name
    w.line_description = w.file_a.goods_lines[0].description
    db.session.expire_all()
    return w


@pytest.fixture
def as_user(client, login):
    """as_user(user) -> a test client logged in as `user` (None: anonymous)."""
    def _as(user):
        if user is None:
            client.post("/deconnexion")
            return client
        return login(user)
    return _as
