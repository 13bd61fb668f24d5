"""What the register publishes about a number: the one place that decides, for the JSON and the page alike.

Without the holder's consent only the number, the status and the dates are public (domain.md 1.9, 2.1, 2.2).
Dates stay `date` objects here: the API writes them in ISO format, the page in French.
"""
from app.models import Application, Company, Registration, RegistrationStatus

VALID, REVOKED, INVALID, UNKNOWN = "valid", "revoked", "invalid", "unknown"


def unknown_entry(number: str) -> dict:
    return {"number": number, "status": UNKNOWN}


def registration_entry(number: str, registration: Registration | None) -> dict:
    if registration is None:
        return unknown_entry(number)
    revoked = registration.status == RegistrationStatus.REVOKED
    entry = {"number": registration.number, "status": REVOKED if revoked else VALID,
             "valid_from": registration.valid_from, "revoked_on": registration.revoked_on if revoked else None}
    application = registration.application
    # A revoked holder is no longer a registered exporter: its consent covered publication while registered.
    if not revoked and _consented(application):
        entry.update({
            "name": application.exporter_name,
            "address": {"street": application.exporter_address, "postcode": application.exporter_postcode,
                        "city": application.exporter_city, "country": application.exporter_country},
            "contact": {"phone": application.exporter_phone, "email": application.exporter_email,
                        "fax": application.exporter_fax},
            "goods": [{"heading": line.heading, "description": line.description}
                      for line in application.goods_lines],
        })
    return entry


def eori_entry(number: str, company: Company | None) -> dict:
    if company is None:
        return unknown_entry(number)
    if company.eori_invalidated_on is not None:
        # As EOS answers for a number no longer valid: its status and date, never the holder's identity.
        return {"number": company.eori, "status": INVALID, "invalidated_on": company.eori_invalidated_on}
    entry = {"number": company.eori, "status": VALID}
    if company.eori_publication_consent:
        entry.update({"name": company.name,
                      "address": {"street": company.address, "postcode": company.postcode,
                                  "city": company.city, "country": company.country}})
    return entry


def _consented(application: Application) -> bool:
    return bool(application.publication_consent and application.publication_consent.consent)


def as_json(entry: dict) -> dict:
    return {key: value.isoformat() if hasattr(value, "isoformat") else value for key, value in entry.items()}
