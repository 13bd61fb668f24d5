"""Shared helpers of the holder's registration tests (guide 7.1-7.3): a granted registration, a modification
request as the browser posts it, a validated new version."""
from dataclasses import dataclass

import pytest

from app import workflow
from app.extensions import db
from app.models import Application, Company, Registration, User
from app.workflow import registrations
from app.workflow.content import CONTACT_FIELDS, content_of

NEW_GOODS = {"heading": "3923", "description": "Bouchon plastique"}
COMMENT = "Ajout d'une marchandise"


@dataclass
class Holder:
    operator: User
    officer: User
    company: Company
    registration: Registration

    @property
    def url(self) -> str:
        return f"/rex/autorisations/{self.registration.id}"


@pytest.fixture
def holder(factory) -> Holder:
    """An operator whose company holds a granted registration, and an officer of the granting office."""
    officer = factory.officer()
    company = factory.company(name="Maroquinerie de Bénéjacq SAS")
    operator = factory.operator(company)
    registration = workflow.grant(officer, factory.submitted(operator, company, officer.office.code))
    return Holder(operator, officer, company, registration)


def modification_form(draft: Application, comment: str | None = COMMENT, goods: list[dict] | None = None,
                      **overrides) -> dict:
    """The modification form as the browser posts it: only its modifiable fields (guide 7.2)."""
    content = content_of(draft)
    data = {"version": str(draft.version), "exporter_email": content.exporter["email"],
            "relations": " ".join(content.relations), "request_comment": comment or "", "action": "validate"}
    for i, contact in enumerate(content.contacts):
        data.update({f"contacts-{i}-{name}": contact[name] or "" for name in CONTACT_FIELDS})
    for i, line in enumerate(goods if goods is not None else content.goods):
        data.update({f"goods-{i}-heading": line["heading"], f"goods-{i}-description": line["description"]})
    data.update(overrides)
    return data


def with_new_goods(draft: Application) -> list[dict]:
    return [*content_of(draft).goods, NEW_GOODS]


def request_modification(client, holder: Holder) -> Application:
    """'Demander des modifications de cet enregistrement' on the registration page."""
    response = client.post(f"{holder.url}/modification")
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    draft = registrations.pending_modification(holder.registration)
    assert response.location.endswith(f"/rex/demandes/{draft.id}/formulaire")
    return draft


def submitted_modification(holder: Holder) -> Application:
    """A modification request adding a goods line, submitted through the workflow."""
    draft = registrations.request_modification(holder.operator, holder.registration)
    content = content_of(draft)
    content.goods = with_new_goods(draft)
    workflow.save_draft(holder.operator, draft, content, request_comment=COMMENT)
    return workflow.submit(holder.operator, draft)


def new_version(holder: Holder) -> Registration:
    """The officer validates a modification request: the holder's registration gets a second version."""
    return workflow.grant(holder.officer, submitted_modification(holder))


def reload(model, id_: int):
    db.session.expire_all()
    return db.session.get(model, id_)
