"""EORI applications (seed 004, domain.md 3) and certification of accounts (guide 3.2.3)."""
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from app import workflow
from app.extensions import db
from app.models import (
    Application, ApplicationKind, ApplicationStatus, Certification, CertificationStatus, Company, HistoryEvent, OutboxEmail, Role,
)
from app.workflow import certifications, eori, eori_rules


def valid_content(**changes) -> dict:
    content = {
        "basis": "siret", "person_type": "legal", "name": "Conserverie de Ciboure", "first_name": None,
        "legal_form": "5710", "created_on": date(2015, 3, 2), "siren": "732829320", "siret": "73282932000074",
        "vat_number": "FR44732829320", "ape_code": "46.90Z", "address": "4 quai Maurice Ravel",
        "postcode": "64500", "city": "Ciboure", "country": "FR", "phone": "05 59 47 00 00",
        "email": "contact@ciboure.example.com", "contact_name": "Maite Etcheverry", "contact_phone": None,
        "contact_email": None, "publication_consent": True, "no_other_eori": True, "undertaking": True,
    }
    content.update(changes)
    return content


@pytest.fixture
def applicant(factory):
    """A signed-up user who acts for no company yet."""
    return factory.user(Role.OPERATOR)


@pytest.fixture
def office(factory):
    return factory.office("FR000600")


def _filed(applicant, office, **changes):
    application = eori.create_draft(applicant)
    eori.save_draft(applicant, application, valid_content(**changes), office.id)
    return application


def _events(application) -> list[str]:
    return list(db.session.scalars(select(HistoryEvent.kind).where(HistoryEvent.application_id == application.id)
                                   .order_by(HistoryEvent.id)))


def _emails(template) -> list[OutboxEmail]:
    return list(db.session.scalars(select(OutboxEmail).where(OutboxEmail.template == template)))


# --- check digits (domain.md 3.3) ------------------------------------------------------------------

@pytest.mark.parametrize("siret, valid", [
    ("73282932000074", True), ("73282932000079", False),
    ("35600000000048", True),  # La Poste head office: Luhn
    ("35600000049837", True),  # a La Poste establishment: digits summing to a multiple of 5
    ("35600000049838", False),
])
def test_siret_check_digits(siret, valid):
    assert (eori_rules.siret_error(siret) is None) is valid


@pytest.mark.parametrize("siren, valid", [
    ("404833048", True), ("404833047", False), ("552008443", True), ("443121975", True)])
def test_siren_check_digits(siren, valid):
    assert (eori_rules.siren_error(siren) is None) is valid


def test_vat_key_must_match_the_siren():
    assert eori_rules.vat_error("FR44732829320", "732829320") is None
    assert eori_rules.vat_error("FR46443121975", "443121975") is None
    assert eori_rules.vat_error("FR46443121975", "732829320") is not None  # valid VAT of another SIREN
    assert eori_rules.vat_error("FR45732829320", "732829320") is not None  # wrong key


def test_a_malformed_identifier_is_refused_at_save_beside_its_field(applicant, office):
    application = eori.create_draft(applicant)
    with pytest.raises(workflow.Incomplete) as refused:
        eori.save_draft(applicant, application, valid_content(siret="73282932000079"), office.id)
    assert list(refused.value.errors) == ["siret"]
    with pytest.raises(workflow.Incomplete) as refused:
        eori.save_draft(applicant, application, valid_content(ape_code="4690Z"), office.id)
    assert list(refused.value.errors) == ["ape_code"]


def test_every_malformed_identifier_is_reported_at_once(applicant, office):
    application = eori.create_draft(applicant)

    with pytest.raises(workflow.Incomplete) as refused:
        eori.save_draft(applicant, application, valid_content(siret="73282932000079", ape_code="4690Z",
                                                              legal_form="57"), office.id)

    assert {"siret", "ape_code", "legal_form"} <= set(refused.value.errors)


def test_identifiers_are_stored_as_typed_without_spaces_or_dots(applicant, office):
    application = _filed(applicant, office, siret="732 829 320 00074", siren="732.829.320", vat_number="fr 44 732829320")
    request = application.eori_request
    assert (request.siret, request.siren, request.vat_number) == ("73282932000074", "732829320", "FR44732829320")


def test_a_siret_must_belong_to_the_siren(applicant, office):
    application = eori.create_draft(applicant)
    with pytest.raises(workflow.Incomplete) as refused:
        eori.save_draft(applicant, application, valid_content(siren="404833048"), office.id)
    assert set(refused.value.errors) & {"siret", "vat_number"}


def test_an_incomplete_form_lists_what_is_missing(applicant, office):
    application = eori.create_draft(applicant)
    eori.save_draft(applicant, application, valid_content(name="", no_other_eori=False, publication_consent=None),
                    None)
    errors = workflow.validation_errors(application)
    assert {"name", "no_other_eori", "publication_consent", "office_id"} <= set(errors)


def test_a_natural_person_gives_a_first_name_not_a_legal_form(applicant, office):
    application = _filed(applicant, office, person_type="natural", legal_form=None, ape_code=None, first_name=None)
    assert set(workflow.validation_errors(application)) == {"first_name"}


# --- one EORI per SIREN, or per SIRET -------------------------------------------------------------

def test_an_eori_already_granted_is_refused(factory, applicant, office):
    factory.company(eori="FR73282932000074")
    application = _filed(applicant, office)
    assert "déjà attribué" in workflow.validation_errors(application)["siret"]


def test_an_eori_siren_is_refused_when_the_siren_has_one(factory, applicant, office):
    factory.company(eori="FR732829320")
    application = _filed(applicant, office, basis="siren")
    assert "siren" in workflow.validation_errors(application)


def test_another_establishment_of_the_same_siren_may_have_its_eori_siret(factory, applicant, office):
    factory.company(eori="FR73282932000074")
    application = _filed(applicant, office, siret="73282932000090")
    assert eori_rules.siret_error("73282932000090") is None
    assert workflow.validation_errors(application) == {}


def test_a_second_pending_request_for_the_same_number_is_refused(factory, applicant, office):
    workflow.submit(applicant, _filed(applicant, office))
    other = factory.user(Role.OPERATOR)
    second = _filed(other, office)
    assert "déjà en cours" in workflow.validation_errors(second)["siret"]


# --- the procedure --------------------------------------------------------------------------------

def test_submission_sends_the_file_to_the_office_with_a_reference_that_is_not_the_eori(applicant, office):
    application = _filed(applicant, office)
    workflow.submit(applicant, application)
    assert application.kind == ApplicationKind.EORI
    assert application.status == ApplicationStatus.UNDER_REVIEW
    assert application.reference.startswith("FR-EORI-")
    assert application.exporter_eori == "FR73282932000074"
    assert _events(application)[-1] == "submitted"
    [email] = _emails("submitted")
    assert email.recipient == "contact@ciboure.example.com"
    assert email.subject.startswith("SOPRANO-EORI ")
    assert "numéro EORI " + application.reference in email.body


def test_grant_creates_the_company_and_certifies_the_applicant(factory, applicant, office):
    officer = factory.officer("FR000600")
    application = _filed(applicant, office)
    workflow.submit(applicant, application)
    company = workflow.grant(officer, application)
    assert company.eori == "FR73282932000074"
    assert (company.siren, company.siret, company.office_id) == ("732829320", "73282932000074", office.id)
    assert company.eori_publication_consent is True
    assert application.status == ApplicationStatus.GRANTED and application.company_id == company.id
    assert db.session.scalar(select(Certification).where(Certification.user_id == applicant.id,
                                                         Certification.company_id == company.id))
    assert _events(application)[-1] == "eori_granted"
    assert len(_emails("eori_granted")) == 1


def test_once_granted_the_applicant_files_a_rex_application_for_the_company(factory, applicant, office):
    officer = factory.officer("FR000600")
    application = _filed(applicant, office)
    workflow.submit(applicant, application)
    company = workflow.grant(officer, application)
    db.session.refresh(applicant)
    draft = workflow.create_draft(applicant)
    assert draft.company_id == company.id and draft.kind == ApplicationKind.REX


def test_eori_request_for_information_then_complement(factory, applicant, office):
    officer = factory.officer("FR000600")
    application = _filed(applicant, office)
    workflow.submit(applicant, application)
    workflow.request_information(officer, application, "Merci de joindre un extrait Kbis.")
    assert application.status == ApplicationStatus.INCOMPLETE
    [email] = _emails("incomplete")
    assert email.subject.startswith("SOPRANO-EORI ")
    eori.save_draft(applicant, application, valid_content(phone="05 59 47 11 11"), office.id)
    assert "content_modified" not in _events(application)  # recorded once the complement is transmitted
    workflow.complete(applicant, application, "Extrait Kbis joint.")
    assert application.status == ApplicationStatus.UNDER_REVIEW
    assert _events(application)[-2:] == ["content_modified", "completed"]


def test_eori_complement_cancelled_puts_the_content_back(factory, applicant, office):
    officer = factory.officer("FR000600")
    application = _filed(applicant, office)
    workflow.submit(applicant, application)
    workflow.request_information(officer, application, "Merci de joindre un extrait Kbis.")
    phone, kinds = application.eori_request.phone, _events(application)
    eori.save_draft(applicant, application, valid_content(phone="05 59 47 11 11"), office.id)
    assert application.eori_request.phone == "05 59 47 11 11"
    workflow.cancel_complement(applicant, application)
    assert application.eori_request.phone == phone and application.office_id == office.id
    assert _events(application) == kinds and application.status == ApplicationStatus.INCOMPLETE


def test_eori_rejection(factory, applicant, office):
    officer = factory.officer("FR000600")
    application = _filed(applicant, office)
    workflow.submit(applicant, application)
    workflow.reject(officer, application, "Établissement fermé au répertoire SIRENE.")
    assert application.status == ApplicationStatus.REJECTED
    assert db.session.scalar(select(Company.id).where(Company.eori == "FR73282932000074")) is None


def test_eori_files_are_never_duplicated_into_rex(factory, applicant, office):
    application = _filed(applicant, office)
    workflow.submit(applicant, application)
    assert not workflow.may_duplicate(applicant, application)


def test_invalidation_at_the_holders_request_records_its_date(factory, applicant, office):
    officer = factory.officer("FR000600")
    application = _filed(applicant, office)
    workflow.submit(applicant, application)
    company = workflow.grant(officer, application)
    eori.invalidate(officer, company, "holder_request", date.today() - timedelta(days=2), "Courrier du 20/11")
    assert company.eori_invalidated_on == date.today() - timedelta(days=2)
    assert eori.retention_end(company) == date(company.eori_invalidated_on.year + 10, 12, 31)
    assert _events(application)[-1] == "eori_invalidated"
    assert len(_emails("eori_invalidated")) == 1
    with pytest.raises(workflow.WrongStatus):
        eori.invalidate(officer, company, "ceased", None, "Encore")


def test_no_rex_application_is_submitted_for_an_invalidated_eori(factory, applicant, office):
    officer = factory.officer("FR000600")
    application = _filed(applicant, office)
    workflow.submit(applicant, application)
    company = workflow.grant(officer, application)
    eori.invalidate(officer, company, "ceased", date(2026, 11, 2), "Liquidation")
    rex = factory.draft(applicant, company)

    with pytest.raises(workflow.Incomplete) as refused:
        workflow.submit(applicant, rex)

    assert refused.value.errors["company_id"] == ("Le numéro EORI de cet opérateur a été invalidé le 02/11/2026 : "
                                                  "aucune demande REX ne peut être déposée pour lui.")
    assert db.session.get(Application, rex.id).status == ApplicationStatus.DRAFT


def test_invalidation_needs_a_reason_and_an_officer_of_the_office(factory, applicant, office):
    officer = factory.officer("FR000600")
    application = _filed(applicant, office)
    workflow.submit(applicant, application)
    company = workflow.grant(officer, application)
    with pytest.raises(workflow.WorkflowError) as refused:
        eori.invalidate(officer, company, "", None, "x")
    assert refused.value.field == "reason"
    with pytest.raises(workflow.NotAllowed):
        eori.invalidate(factory.officer("FR002300"), company, "ceased", None, "Liquidation")
    assert company.eori_invalidated_on is None


# --- certification of accounts ---------------------------------------------------------------------

def test_certification_request_approved_by_the_office_lets_the_user_file(factory, office):
    company = factory.company()
    company.office_id = office.id
    user = factory.user(Role.OPERATOR)
    officer = factory.officer("FR000600")
    with pytest.raises(workflow.NotAllowed):
        workflow.create_draft(user, company)
    request = certifications.request_certification(user, company.eori, comment="Je suis le gérant.")
    assert request.status == CertificationStatus.PENDING
    certifications.approve(officer, request)
    assert request.status == CertificationStatus.APPROVED and request.decided_by_id == officer.id
    db.session.refresh(user)
    assert workflow.create_draft(user, company).company_id == company.id
    kinds = list(db.session.scalars(select(HistoryEvent.kind).where(
        HistoryEvent.certification_request_id == request.id).order_by(HistoryEvent.id)))
    assert kinds == ["certification_requested", "certification_approved"]
    [email] = _emails("certification_approved")
    assert email.recipient == user.email


def test_certification_request_by_siret_and_refusal_with_reason(factory, office):
    company = factory.company(eori="FR73282932000074")
    company.siret = "73282932000074"
    user = factory.user(Role.OPERATOR)
    request = certifications.request_certification(user, "732 829 320 00074", office_id=office.id)
    assert request.company_id == company.id
    officer = factory.officer("FR000600")
    with pytest.raises(workflow.WorkflowError) as refused:
        certifications.refuse(officer, request, "")
    assert refused.value.field == "reason"
    certifications.refuse(officer, request, "Vous n'apparaissez pas sur l'extrait Kbis.")
    assert request.status == CertificationStatus.REFUSED
    assert "extrait Kbis" in _emails("certification_refused")[0].body


def test_certification_request_errors(factory, office):
    user = factory.user(Role.OPERATOR)
    with pytest.raises(workflow.WorkflowError) as unknown:
        certifications.request_certification(user, "FR999999999")
    assert unknown.value.field == "identifier"
    company = factory.company()
    with pytest.raises(workflow.WorkflowError) as no_office:
        certifications.request_certification(user, company.eori)
    assert no_office.value.field == "office_id"
    certifications.request_certification(user, company.eori, office_id=office.id)
    with pytest.raises(workflow.WrongStatus):
        certifications.request_certification(user, company.eori, office_id=office.id)


def test_only_an_officer_of_the_requested_office_decides(factory, office):
    company = factory.company()
    user = factory.user(Role.OPERATOR)
    request = certifications.request_certification(user, company.eori, office_id=office.id)
    with pytest.raises(workflow.NotAllowed):
        certifications.approve(factory.officer("FR002300"), request)
    assert request.status == CertificationStatus.PENDING


def test_a_representatives_request_for_a_client_is_on_behalf(factory, office):
    representative = factory.representative()
    client = factory.company()
    request = certifications.request_certification(representative, client.eori, office_id=office.id)
    assert request.on_behalf is True


def test_approving_a_request_for_an_account_certified_meanwhile_grants_it_without_a_duplicate(factory, office):
    company = factory.company()
    user = factory.user(Role.OPERATOR)
    request = certifications.request_certification(user, company.eori, office_id=office.id)
    db.session.add(Certification(user_id=user.id, company_id=company.id))  # an administrator certified it
    db.session.commit()
    certifications.approve(factory.officer("FR000600"), request)
    assert request.status == CertificationStatus.APPROVED
    assert db.session.scalar(select(func.count()).select_from(Certification).where(
        Certification.user_id == user.id)) == 1
