"""Registrations as the public register sees them, built through the workflow; counters reset per test."""
import pytest

from app import workflow
from app.extensions import db, limiter

# Distinctive values: a check that one is absent from a page means something only if it appears nowhere else.
EXPORTER = {"address": "7 impasse Qwertzuiop", "postcode": "64800", "city": "Vlkqrz-sur-Gave", "country": "FR",
            "phone": "+33 5 59 98 76 54", "email": "contact@zyxwv-industries.example", "fax": "+33 5 59 11 22 33"}
NAME = "Zyxwv Industries"
GOODS = {"heading": "6403", "description": "Chaussures Xqjvbk à dessus en cuir"}


@pytest.fixture(autouse=True)
def _fresh_limits(app):
    """Every test starts with a full budget; with Redis, only this run's counters go (TestConfig)."""
    limiter.reset()


@pytest.fixture
def granted(factory):
    """A registration granted through the workflow, with or without consent to publication."""
    def _granted(consent=True, name=NAME):
        officer = factory.officer()
        company = factory.company(name=name)
        # The address is the company record's (only the PAE changes it): the distinctive one is the record's.
        for field in ("address", "postcode", "city", "country"):
            setattr(company, field, EXPORTER[field])
        db.session.commit()
        operator = factory.operator(company)
        application = factory.draft(operator, company)
        content = factory.content(application, officer.office.code, goods=[dict(GOODS)])
        content.company_id = company.id
        content.exporter.update(EXPORTER)
        content.consent["consent"] = consent
        workflow.save_draft(operator, application, content)
        workflow.submit(operator, application)
        return workflow.grant(officer, application)
    return _granted
