"""Shared helpers of the EORI screen tests: the form as the browser posts it, and files built by the workflow."""
from datetime import date

from app import workflow
from app.workflow import eori

SIRET = "73282932000074"
EORI_SIRET = f"FR{SIRET}"
EMAIL = "contact@conserverie-ciboure.fr"


def eori_form_data(office, **overrides) -> dict:
    """A complete EORI-SIRET form of a legal person, named as WTForms renders it; None leaves a field out."""
    data = {
        "office_id": str(office.id), "basis": "siret", "person_type": "legal",
        "name": "Conserverie de Ciboure", "first_name": "", "legal_form": "5710", "created_on": "2015-03-02",
        "siren": "732829320", "siret": SIRET, "vat_number": "FR44732829320", "ape_code": "46.90Z",
        "address": "4 quai Maurice Ravel", "postcode": "64500", "city": "Ciboure", "country": "FR",
        "phone": "05 59 47 00 00", "email": EMAIL,
        "contact_name": "Maite Etcheverry", "contact_phone": "06 12 34 56 78",
        "contact_email": "maite@conserverie-ciboure.fr",
        "publication_consent": "yes", "no_other_eori": "y", "undertaking": "y",
        "action": "validate",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def eori_content(**changes) -> dict:
    content = {
        "basis": "siret", "person_type": "legal", "name": "Conserverie de Ciboure", "first_name": None,
        "legal_form": "5710", "created_on": date(2015, 3, 2), "siren": "732829320", "siret": SIRET,
        "vat_number": "FR44732829320", "ape_code": "46.90Z", "address": "4 quai Maurice Ravel",
        "postcode": "64500", "city": "Ciboure", "country": "FR", "phone": "05 59 47 00 00", "email": EMAIL,
        "contact_name": "Maite Etcheverry", "contact_phone": None, "contact_email": None,
        "publication_consent": True, "no_other_eori": True, "undertaking": True,
    }
    content.update(changes)
    return content


def eori_submitted(applicant, office, **changes):
    application = eori.create_draft(applicant)
    eori.save_draft(applicant, application, eori_content(**changes), office.id)
    workflow.submit(applicant, application)
    return application
