"""Shared helpers of the operator tests: a filled REX form as the browser posts it, database snapshots."""
from sqlalchemy import func, select

from app.extensions import db
from app.models import Application, DiscussionMessage, Document, HistoryEvent, OutboxEmail, Registration

# A small but valid PDF (header, one empty page, xref, trailer).
PDF = (b"%PDF-1.4\n"
       b"1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
       b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
       b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>endobj\n"
       b"xref\n0 4\n0000000000 65535 f \n0000000009 00000 n \n0000000052 00000 n \n0000000101 00000 n \n"
       b"trailer<</Size 4/Root 1 0 R>>\nstartxref\n164\n%%EOF\n")


def form_data(company, office, **overrides) -> dict:
    """Every field of the filing form filled in, named as WTForms renders them."""
    data = {
        "office_id": str(office.id),
        "company_id": str(company.id),
        "exporter_address": "12 quai de Southampton",
        "exporter_postcode": "76600",
        "exporter_city": "Le Havre",
        "exporter_country": "FR",
        "exporter_phone": "02 35 11 22 33",
        "exporter_email": "export@societe-export.fr",
        "exporter_fax": "",
        "main_activity": "production",
        "contacts-0-full_name": "Éloïse Darrigrand",
        "contacts-0-address": "12 rue de l'Église",
        "contacts-0-postcode": "64800",
        "contacts-0-city": "Bénéjacq",
        "contacts-0-country": "FR",
        "contacts-0-phone": "05 59 12 34 56",
        "contacts-0-email": "eloise@maroquinerie-bearn.fr",
        "contacts-0-fax": "",
        "goods-0-heading": "4202",
        "goods-0-description": "Sacs à main en cuir",
        "relations": "JP GB",
        "undertaking_accepted": "y",
        "undertaking_signatory_name": "Marc Signataire",
        "undertaking_signatory_function": "Gérant",
        "undertaking_place": "Le Havre",
        "consent": "yes",
        "consent_signatory_name": "Marc Consentant",
        "consent_signatory_function": "Directeur",
        "consent_place": "Rouen",
        "action": "validate",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def contact(i: int) -> dict:
    return {f"contacts-{i}-full_name": f"Contact {i}", f"contacts-{i}-address": f"{i} rue du Port",
            f"contacts-{i}-postcode": "76600", f"contacts-{i}-city": "Le Havre", f"contacts-{i}-country": "FR",
            f"contacts-{i}-phone": f"02 35 00 00 {i:02d}", f"contacts-{i}-email": f"contact{i}@societe-export.fr",
            f"contacts-{i}-fax": ""}


def goods_line(i: int, heading: str, description: str | None = None) -> dict:
    return {f"goods-{i}-heading": heading, f"goods-{i}-description": description or f"Marchandise {i}"}


def reload(application_id: int) -> Application:
    db.session.expire_all()
    return db.session.get(Application, application_id)


def _count(model, **where) -> int:
    query = select(func.count()).select_from(model)
    for name, value in where.items():
        query = query.where(getattr(model, name) == value)
    return db.session.scalar(query)


def snapshot(*application_ids: int) -> dict:
    """What an action could change: each file's status, version, history, messages and documents, and totals."""
    db.session.expire_all()
    state = {"applications": _count(Application), "registrations": _count(Registration),
             "outbox": _count(OutboxEmail)}
    for application_id in application_ids:
        application = db.session.get(Application, application_id)
        state[application_id] = {
            "status": application.status, "version": application.version, "updated_at": application.updated_at,
            "history": _count(HistoryEvent, application_id=application_id),
            "messages": _count(DiscussionMessage, application_id=application_id),
            "documents": _count(Document, application_id=application_id),
            "contacts": len(application.contacts), "goods": len(application.goods_lines),
        }
    return state
