"""The rules of the REX form (seed guide, section 5), through rules.completeness_errors and submit."""
import copy

import pytest
from sqlalchemy import select

from app import workflow
from app.extensions import db
from app.models import ApplicationRelation, ApplicationStatus as S, TariffHeading
from app.workflow import Incomplete, WorkflowError, rules
from tests.workflow.helpers import assert_refused, fresh


@pytest.fixture
def valid(draft):
    """A content that passes every rule, and the id of the draft it belongs to."""
    content = workflow.content_of(draft)
    assert rules.completeness_errors(content, draft.id) == {}
    return content, draft.id


def errors_of(valid, **changes):
    content, application_id = valid
    content = copy.deepcopy(content)
    for path, value in changes.items():
        section, _, key = path.partition("__")
        if key:
            target = getattr(content, section)
            if isinstance(target, list):
                index, _, key = key.partition("__")
                target[int(index)][key] = value
            else:
                target[key] = value
        else:
            setattr(content, section, value)
    return {k: str(v) for k, v in rules.completeness_errors(content, application_id).items()}


CONTACT = {"full_name": "Paul Martin", "address": "2 quai de la Fosse", "postcode": "44000", "city": "Nantes",
           "country": "FR", "phone": "02 40 00 00 00", "email": "paul@example.test", "fax": None}


def goods(*headings):
    return [{"heading": h, "description": f"Marchandises {h}"} for h in headings]


# --- required fields ------------------------------------------------------------------------------------

REQUIRED = [
    ("office_id", None, "office_id"),
    ("company_id", None, "company_id"),
    *[(f"exporter__{f}", "  ", f"exporter_{f}")
      for f in ("eori", "name", "address", "postcode", "city", "country", "phone", "email")],
    ("main_activity", None, "main_activity"),
    *[(f"contacts__0__{f}", "", f"contacts-0-{f}")
      for f in ("full_name", "address", "postcode", "city", "country", "phone", "email")],
    ("goods__0__heading", "", "goods-0-heading"),
    ("goods__0__description", " ", "goods-0-description"),
    ("relations", [], "relations"),
    ("undertaking__accepted", False, "undertaking_accepted"),
    *[(f"undertaking__{f}", "", f"undertaking_{f}") for f in ("signatory_name", "signatory_function", "place")],
    ("consent__consent", None, "consent"),
    *[(f"consent__{f}", "", f"consent_{f}") for f in ("signatory_name", "signatory_function", "place")],
]


@pytest.mark.parametrize("path,empty,key", REQUIRED, ids=[r[2] for r in REQUIRED])
def test_every_required_field_is_reported_when_empty(valid, path, empty, key):
    errors = errors_of(valid, **{path: empty})
    assert list(errors) == [key]
    assert errors[key]


def test_fax_numbers_are_optional(valid):
    assert errors_of(valid, exporter__fax=None, contacts__0__fax="") == {}


@pytest.mark.parametrize("activity", ["production", "trade"])
def test_main_activity_is_production_or_trade(valid, activity):
    assert errors_of(valid, main_activity=activity) == {}


def test_main_activity_outside_the_list_is_refused(valid):
    assert list(errors_of(valid, main_activity="services")) == ["main_activity"]


def test_submit_lists_every_missing_field(operator):
    application = workflow.create_draft(operator)

    error = assert_refused(lambda: workflow.submit(operator, application), Incomplete, application.id)
    assert {"office_id", "main_activity", "contacts", "goods", "relations", "undertaking_accepted",
            "consent"} <= set(error.errors)
    assert fresh(application.id).status == S.DRAFT


# --- contacts -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("n", [1, 9])
def test_one_to_nine_contacts_are_accepted(valid, n):
    assert errors_of(valid, contacts=[dict(CONTACT) for _ in range(n)]) == {}


def test_a_form_without_contact_is_refused(valid):
    assert list(errors_of(valid, contacts=[])) == ["contacts"]


def test_ten_contacts_are_refused(valid):
    assert list(errors_of(valid, contacts=[dict(CONTACT) for _ in range(10)])) == ["contacts"]


def test_each_contact_is_checked_on_its_own_line(valid):
    second = dict(CONTACT, email="")
    assert list(errors_of(valid, contacts=[dict(CONTACT), second])) == ["contacts-1-email"]


# --- goods ----------------------------------------------------------------------------------------------

def _headings(n):
    return list(db.session.scalars(select(TariffHeading.code).where(TariffHeading.code.like("____"))
                                   .order_by(TariffHeading.code).limit(n)))


@pytest.mark.parametrize("n", [1, 99])
def test_one_to_ninety_nine_goods_lines_are_accepted(valid, n):
    assert errors_of(valid, goods=goods(*_headings(n))) == {}


def test_a_form_without_goods_is_refused(valid):
    assert list(errors_of(valid, goods=[])) == ["goods"]


def test_a_hundred_goods_lines_are_refused(valid):
    errors = errors_of(valid, goods=goods(*_headings(100)))
    assert list(errors) == ["goods"]


def test_heading_may_be_typed_with_its_label(valid):
    assert errors_of(valid, goods=goods("3923 - Articles de transport ou d'emballage")) == {}


@pytest.mark.parametrize("heading", ["3999", "0100x", "39", "abcd"])
def test_unknown_or_malformed_heading_is_refused(valid, heading):
    assert list(errors_of(valid, goods=goods("4202", heading))) == ["goods-1-heading"]


def test_whole_chapter_cc00_is_accepted(valid):
    assert errors_of(valid, goods=goods("3900", "4202")) == {}


def test_other_heading_of_a_chapter_declared_whole_is_refused_on_its_line(valid):
    errors = errors_of(valid, goods=goods("3900", "4202", "3923"))
    assert list(errors) == ["goods-2-heading"]
    assert "3900" in errors["goods-2-heading"]


def test_heading_listed_before_its_whole_chapter_is_refused_too(valid):
    assert list(errors_of(valid, goods=goods("3923", "3900"))) == ["goods-0-heading"]


@pytest.mark.parametrize("heading", ["7700", "7701"])
def test_chapter_77_is_refused(valid, heading):
    errors = errors_of(valid, goods=goods(heading))
    assert list(errors) == ["goods-0-heading"]


@pytest.mark.parametrize("heading", ["9800", "9900", "0000"])
def test_chapters_outside_the_harmonised_system_are_refused(valid, heading):
    assert list(errors_of(valid, goods=goods(heading))) == ["goods-0-heading"]


@pytest.mark.parametrize("heading", ["4202", "3900"])
def test_duplicate_heading_is_refused_on_the_second_line(valid, heading):
    errors = errors_of(valid, goods=goods(heading, "0101", heading))
    assert list(errors) == ["goods-2-heading"]


def test_goods_line_without_description_is_refused(valid):
    lines = goods("4202", "0101")
    lines[1]["description"] = ""
    assert list(errors_of(valid, goods=lines)) == ["goods-1-description"]


# --- preferential relations --------------------------------------------------------------------------------

@pytest.mark.parametrize("codes", [["JP"], ["GB"], ["MG"], ["jp", "gb", "mg"], ["CA", "VN", "SG", "NZ", "CL"]])
def test_relations_accept_iso_country_codes(valid, codes):
    assert errors_of(valid, relations=codes) == {}


@pytest.mark.parametrize("code", ["SPG", "spg", "PTOM", "Ptom", "AfOA", "AFOA", "afoa"])
def test_relations_accept_group_acronyms_in_any_case(valid, code):
    assert errors_of(valid, relations=[code]) == {}


@pytest.mark.parametrize("code", ["XX", "US", "EU", "ZZZ"])
def test_relations_refuse_unknown_codes_and_name_them(valid, code):
    errors = errors_of(valid, relations=["JP", code])
    assert list(errors) == ["relations"]
    assert code in errors["relations"]


def test_relations_are_stored_under_the_reference_code(operator, draft):
    content = workflow.content_of(draft)
    content.relations = ["jp", "afoa", "Ptom", "NC"]
    workflow.save_draft(operator, draft, content)

    db.session.expire_all()
    rows = db.session.scalars(select(ApplicationRelation).where(ApplicationRelation.application_id == draft.id)
                              .order_by(ApplicationRelation.position)).all()
    assert [(r.code, r.relation_code) for r in rows] == [
        ("JP", "JP"), ("AFOA", "AFOA"), ("PTOM", "PTOM"), ("NC", "PTOM")]


def test_saving_an_unknown_relation_is_refused_rather_than_dropped(operator, draft):
    content = workflow.content_of(draft)
    content.relations = ["JP", "US"]

    error = assert_refused(lambda: workflow.save_draft(operator, draft, content), WorkflowError, draft.id,
                           field="relations")
    assert "US" in str(error)
    assert [r.code for r in fresh(draft.id).relations] == ["JP", "GB"]


# --- undertakings and consent ------------------------------------------------------------------------------

def test_undertakings_need_the_box_ticked_and_a_signatory(valid):
    errors = errors_of(valid, undertaking={"accepted": False})
    assert set(errors) == {"undertaking_accepted", "undertaking_signatory_name", "undertaking_signatory_function",
                           "undertaking_place"}


@pytest.mark.parametrize("answer", [True, False])
def test_publication_consent_may_be_yes_or_no(valid, answer):
    assert errors_of(valid, consent__consent=answer) == {}


def test_refusing_publication_still_needs_a_signatory(valid):
    errors = errors_of(valid, consent={"consent": False})
    assert set(errors) == {"consent_signatory_name", "consent_signatory_function", "consent_place"}


def test_refusing_publication_is_kept_as_no_not_as_unanswered(operator, draft):
    content = workflow.content_of(draft)
    content.consent = dict(content.consent, consent=False)
    workflow.save_draft(operator, draft, content)

    assert fresh(draft.id).publication_consent.consent is False
    assert workflow.validation_errors(fresh(draft.id)) == {}


# --- one registration or pending application per company -----------------------------------------------------

def _second_draft(factory, operator, company):
    application = workflow.create_draft(operator, company)
    content = factory.content(application)
    content.company_id = company.id
    workflow.save_draft(operator, application, content)
    return application


def test_submit_is_refused_when_the_company_already_has_a_pending_application(
        factory, operator, company, under_review):
    second = _second_draft(factory, operator, company)

    error = assert_refused(lambda: workflow.submit(operator, second), Incomplete, second.id)
    assert list(error.errors) == ["company_id"]
    assert under_review.reference in str(error.errors["company_id"])


def test_submit_is_refused_when_the_company_already_holds_a_registration(factory, operator, company, granted):
    second = _second_draft(factory, operator, company)

    error = assert_refused(lambda: workflow.submit(operator, second), Incomplete, second.id)
    assert list(error.errors) == ["company_id"]
    assert f"FRREX{company.eori}" in str(error.errors["company_id"])


def test_a_second_draft_for_the_same_company_may_be_saved_and_is_flagged_at_validation(
        factory, operator, company, incomplete):
    second = _second_draft(factory, operator, company)

    assert fresh(second.id).status == S.DRAFT
    assert list(workflow.validation_errors(fresh(second.id))) == ["company_id"]


@pytest.mark.parametrize("earlier", ["rejected", "abandoned", "draft"])
def test_an_earlier_file_that_is_not_pending_does_not_block_a_new_one(
        request, factory, operator, company, earlier):
    request.getfixturevalue(earlier)
    second = _second_draft(factory, operator, company)

    workflow.submit(operator, second)
    assert fresh(second.id).status == S.UNDER_REVIEW


def test_a_file_does_not_conflict_with_itself_when_completed(operator, incomplete):
    assert workflow.validation_errors(fresh(incomplete.id)) == {}
    workflow.complete(operator, incomplete, "Voici.")
    assert fresh(incomplete.id).status == S.UNDER_REVIEW


def test_representative_files_for_two_different_clients(factory):
    first, second = factory.company(), factory.company()
    representative = factory.representative(clients=[first, second])

    a = factory.submitted(representative, first)
    b = factory.submitted(representative, second)

    assert (fresh(a.id).status, fresh(b.id).status) == (S.UNDER_REVIEW, S.UNDER_REVIEW)
    assert (fresh(a.id).company_id, fresh(b.id).company_id) == (first.id, second.id)


def test_representative_may_not_file_twice_for_the_same_client(factory):
    client = factory.company()
    representative = factory.representative(clients=[client])
    factory.submitted(representative, client)
    second = factory.draft(representative, client)

    error = assert_refused(lambda: workflow.submit(representative, second), Incomplete, second.id)
    assert list(error.errors) == ["company_id"]


def test_representative_details_are_prefilled_from_its_own_firm(factory):
    client = factory.company()
    representative = factory.representative(clients=[client])
    application = factory.draft(representative, client)

    saved = fresh(application.id)
    own = representative.own_company
    assert (saved.representative_eori, saved.representative_name) == (own.eori, own.name)
    assert (saved.exporter_eori, saved.exporter_name) == (client.eori, client.name)
