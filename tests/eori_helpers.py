"""EORI applications built through the workflow, as an applicant files them (shared by several test packages)."""
from datetime import date

from app import workflow
from app.workflow import eori

SIRET, SIREN, EORI_NUMBER = "73282932000074", "732829320", "FR73282932000074"
NAME = "Conserverie Qwzyx de Ciboure"


def eori_content(**changes) -> dict:
    content = {
        "basis": "siret", "person_type": "legal", "name": NAME, "first_name": None, "legal_form": "5710",
        "created_on": date(2015, 3, 2), "siren": SIREN, "siret": SIRET, "vat_number": "FR44732829320",
        "ape_code": "46.90Z", "address": "4 quai Maurice Ravel", "postcode": "64500", "city": "Ciboure",
        "country": "FR", "phone": "05 59 47 00 00", "email": "contact@ciboure.example.com",
        "contact_name": "Maite Etcheverry", "contact_phone": "06 12 34 56 78", "contact_email": None,
        "publication_consent": True, "no_other_eori": True, "undertaking": True,
    }
    content.update(changes)
    return content


def submitted_eori(applicant, office, **changes):
    """An EORI application under review at `office`."""
    application = eori.create_draft(applicant)
    eori.save_draft(applicant, application, eori_content(**changes), office.id)
    workflow.submit(applicant, application)
    return application
