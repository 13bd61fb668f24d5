"""What is sent to the Commission's central REX, written with the decision that causes it.

The payload is a snapshot taken at the decision: a later correction does not change what was sent.
Contact details (Annex 22-06 box 2, section 4's contact persons) are sent only when the holder
consented to publication (IA Art. 82(7)); identity, validity and goods always are.
"""
from app import background
from app.extensions import db
from app.models import Application, Registration, RexTransmission
from app.models._time import utcnow
from app.models.transmissions import REX_OPERATIONS, REX_TO_SEND


def _date(value):
    return value.isoformat() if value else None


def rex_payload(registration: Registration, application: Application, operation: str) -> dict:
    consent = bool(application.publication_consent and application.publication_consent.consent)
    payload = {
        "operation": operation,
        "number": registration.number,
        "status": registration.status.value,
        "eori": application.exporter_eori,
        "name": application.exporter_name,
        "address": {"street": application.exporter_address, "postcode": application.exporter_postcode,
                    "city": application.exporter_city},
        "country": application.exporter_country,
        "valid_from": _date(registration.valid_from),
        "registered_on": _date(registration.registered_on),
        "revoked_on": _date(registration.revoked_on),
        "main_activity": application.main_activity,
        "goods": [{"heading": g.heading, "description": g.description} for g in application.goods_lines],
        "relations": [r.relation_code for r in application.relations],
        "publication_consent": consent,
    }
    if consent:
        payload["contact"] = {"phone": application.exporter_phone, "email": application.exporter_email,
                              "fax": application.exporter_fax}
        payload["contacts"] = [{"full_name": c.full_name, "address": c.address, "postcode": c.postcode,
                                "city": c.city, "country": c.country, "phone": c.phone, "email": c.email,
                                "fax": c.fax} for c in application.contacts]
    return payload


def queue_transmission(registration: Registration, application: Application, operation: str) -> RexTransmission:
    """Add the row in the caller's transaction; its delivery is due once committed (app/background.py)."""
    assert operation in REX_OPERATIONS, operation
    transmission = RexTransmission(registration_id=registration.id, operation=operation,
                                   payload=rex_payload(registration, application, operation),
                                   state=REX_TO_SEND, attempts=0, next_attempt_at=utcnow())
    db.session.add(transmission)
    background.mark_due(background.REX_TRANSMISSIONS)
    return transmission
