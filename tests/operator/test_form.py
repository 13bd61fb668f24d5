"""The filing form over HTTP: required fields, the rules of the guide, drafts, submission, the heading look-up."""
import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Application, ApplicationStatus, HistoryEvent, TariffHeading
from tests.operator.helpers import contact, form_data, goods_line, reload
from tests.operator.html import all_errors, container_of, controls, errors_beside, page_text, parse, value_of

REQUIRED = "Ce champ est obligatoire."
S = ApplicationStatus

# Every field marked with a red star, and the message it shows when left empty.
STARRED = {
    "office_id": REQUIRED, "company_id": REQUIRED,
    "exporter_address": REQUIRED, "exporter_postcode": REQUIRED, "exporter_city": REQUIRED,
    "exporter_country": REQUIRED, "exporter_phone": REQUIRED, "exporter_email": REQUIRED,
    "main_activity": REQUIRED,
    "contacts-0-full_name": REQUIRED, "contacts-0-address": REQUIRED, "contacts-0-postcode": REQUIRED,
    "contacts-0-city": REQUIRED, "contacts-0-country": REQUIRED, "contacts-0-phone": REQUIRED,
    "contacts-0-email": REQUIRED,
    "goods-0-heading": REQUIRED, "goods-0-description": REQUIRED,
    "relations": REQUIRED,
    "undertaking_accepted": "Vous devez cocher « Je m'engage à souscrire ».",
    "undertaking_signatory_name": REQUIRED, "undertaking_signatory_function": REQUIRED,
    "undertaking_place": REQUIRED,
    "consent": "Indiquez si vous consentez à la publication des données.",
    "consent_signatory_name": REQUIRED, "consent_signatory_function": REQUIRED, "consent_place": REQUIRED,
}
UNCHECKED = ("main_activity", "undertaking_accepted", "consent")  # radios and boxes send nothing when empty


@pytest.fixture
def filing(factory, login):
    """An operator of one company, logged in, with a fresh draft."""
    company = factory.company()
    operator = factory.operator(company)
    application = factory.draft(operator)
    client = login(operator)
    return {"client": client, "operator": operator, "company": company, "office": factory.office(),
            "application": application, "url": f"/rex/demandes/{application.id}/formulaire"}


def _post(filing, **overrides):
    return filing["client"].post(filing["url"], data=form_data(filing["company"], filing["office"], **overrides))


def _starred_fields(doc) -> set[str]:
    """The controls the page marks as required: starred labels, legends and table columns."""
    names = set()
    for label in doc.find_all("label", class_="required"):
        names.add(label.attrs["for"])
    for legend in doc.find_all("legend", class_="required"):
        names.update(n.attrs["name"] for n in legend.parent.find_all("input"))
    for table in doc.find_all("table", class_="form-grid"):
        headers = list(table.find("thead").find_all("th"))
        first_row = table.find("tbody").find("tr")
        cells = [c for c in first_row.children if getattr(c, "tag", None) == "td"]
        for header, cell in zip(headers, cells):
            if "required" in header.classes:
                names.update(n.attrs["name"] for n in cell.iter() if n.tag in ("input", "select", "textarea"))
    return names


def test_the_required_field_list_matches_the_starred_fields_of_the_page(filing):
    doc = parse(filing["client"].get(filing["url"]).data)
    # Section 6 is one requirement: relations ticked in the list (relation_codes) or typed (relations).
    assert _starred_fields(doc) == set(STARRED) | {"relation_codes"}


# The company's address is the company record's (read-only, test_the_exporter_address_is_the_company_s_and_read_only):
# it cannot be missing while the company has one; an empty record asks for it (test_an_address_the_company_lacks...).
HELD = ("exporter_address", "exporter_postcode", "exporter_city", "exporter_country")


@pytest.mark.parametrize("missing", [name for name in STARRED if name not in HELD])
def test_every_starred_field_missing_shows_its_error_beside_it_and_keeps_what_was_typed(filing, missing):
    typed = form_data(filing["company"], filing["office"], **{missing: None if missing in UNCHECKED else ""})

    response = filing["client"].post(filing["url"], data=typed)

    assert response.status_code == 422
    doc = parse(response.data)
    assert errors_beside(doc, missing) == [STARRED[missing]]
    assert "has-error" in container_of(doc, missing).classes
    for name, value in typed.items():
        if name not in ("action", missing):
            assert value_of(doc, name) == value, name
    assert reload(filing["application"].id).status == S.DRAFT


def test_an_empty_form_shows_every_required_error_beside_its_field_and_never_fails(filing):
    response = filing["client"].post(filing["url"], data={"action": "validate", "company_id": "",
                                                           "exporter_address": "", "exporter_postcode": ""})
    assert response.status_code == 422
    doc = parse(response.data)
    for name, message in STARRED.items():
        if name.startswith(("contacts-", "goods-")):
            assert errors_beside(doc, name) == [], name  # an empty row is no row: the section says so
        else:
            assert errors_beside(doc, name) == [message], name
    errors = all_errors(doc)
    assert "Veuillez ajouter au moins un contact." in errors
    assert "Veuillez ajouter au moins une position tarifaire." in errors
    assert "Votre demande ne peut pas être validée" in page_text(response)


def test_unexpected_values_are_refused_beside_their_fields_in_french_never_with_a_500(filing):
    response = _post(filing, office_id="abc", company_id="999999", main_activity="autre", consent="peut-être",
                     exporter_email="pas-un-courriel", **{"contacts-0-country": "ZZ",
                                                          "contacts-0-email": "x@"})
    assert response.status_code == 422
    doc = parse(response.data)
    for name in ("office_id", "company_id", "main_activity", "consent", "exporter_email", "contacts-0-country",
                 "contacts-0-email"):
        messages = errors_beside(doc, name)
        assert messages, name
        assert not any(m.startswith(("Not ", "Invalid")) for m in messages), (name, messages)
    assert value_of(doc, "exporter_email") == "pas-un-courriel"


def test_a_field_longer_than_allowed_is_refused_beside_it(filing):
    response = _post(filing, exporter_city="V" * 101)
    assert response.status_code == 422
    assert errors_beside(parse(response.data), "exporter_city") == ["100 caractères au maximum."]


def test_whole_chapter_3900_with_heading_3923_shows_the_chapter_error_beside_the_3923_line(filing):
    response = _post(filing, **goods_line(0, "3900", "Matières plastiques"), **goods_line(1, "3923", "Bouchons"))

    assert response.status_code == 422
    doc = parse(response.data)
    assert errors_beside(doc, "goods-0-heading") == []
    assert errors_beside(doc, "goods-1-heading") == [
        "Le chapitre 39 est déjà déclaré en entier (3900) : vous ne pouvez pas indiquer d'autre position de "
        "ce chapitre."]
    assert value_of(doc, "goods-1-heading") == "3923"
    assert reload(filing["application"].id).status == S.DRAFT


def test_unknown_heading_is_refused_beside_its_line(filing):
    response = _post(filing, **goods_line(0, "9876"))
    assert response.status_code == 422
    assert errors_beside(parse(response.data), "goods-0-heading") == ["La position tarifaire 9876 n'existe pas."]


@pytest.mark.parametrize("relations", ["XX", "JP XX"])
def test_unknown_relation_code_shows_its_message_beside_the_relations_field(filing, relations):
    response = _post(filing, relations=relations)

    assert response.status_code == 422
    doc = parse(response.data)
    [message] = errors_beside(doc, "relations")
    assert message.startswith("Code(s) inconnu(s) : XX.")
    assert value_of(doc, "relations") == relations
    assert reload(filing["application"].id).status == S.DRAFT


def test_relation_given_by_country_of_a_group_is_accepted(filing):
    response = _post(filing, relations="MG, CA")
    assert response.status_code == 302
    assert response.location.endswith(f"/rex/demandes/{filing['application'].id}/recapitulatif")
    assert [r.code for r in reload(filing["application"].id).relations] == ["MG", "CA"]


def test_more_than_9_contacts_are_refused(filing):
    rows = {}
    for i in range(1, 10):
        rows.update(contact(i))
    response = _post(filing, **rows)  # contacts 0 to 9: ten rows

    assert response.status_code == 422
    doc = parse(response.data)
    assert "Vous pouvez ajouter jusqu'à 9 contacts." in all_errors(doc)
    assert value_of(doc, "contacts-9-full_name") == "Contact 9"  # nothing typed is lost
    assert len(reload(filing["application"].id).contacts) <= 1  # and nothing is cut silently


def test_no_tenth_contact_row_can_be_added(filing):
    rows = {}
    for i in range(1, 9):
        rows.update(contact(i))
    response = _post(filing, action="add-contacts", **rows)  # nine rows
    assert response.status_code == 302
    page = filing["client"].get(response.location)
    doc = parse(page.data)
    assert value_of(doc, "contacts-8-full_name") == "Contact 8"
    assert not [n for n in doc.find_all("input") if n.attrs.get("name") == "contacts-9-full_name"]
    assert not doc.find("button", value="add-contacts")


def test_more_than_99_goods_lines_are_refused(filing):
    headings = [h for h in _known_headings() if not h.endswith("00")][:100]
    rows = {}
    for i, heading in enumerate(headings):
        rows.update(goods_line(i, heading))
    response = _post(filing, **rows)

    assert response.status_code == 422
    doc = parse(response.data)
    assert "Vous pouvez ajouter jusqu'à 99 positions tarifaires." in all_errors(doc)
    assert value_of(doc, "goods-99-heading") == headings[99]
    assert len(reload(filing["application"].id).goods_lines) <= 1


def _known_headings():
    return list(db.session.scalars(select(TariffHeading.code).where(TariffHeading.code.like("____"))
                                   .order_by(TariffHeading.code).limit(150)))


def test_adding_and_removing_rows_keeps_the_other_rows(filing):
    response = _post(filing, action="add-goods")
    assert response.status_code == 302
    doc = parse(filing["client"].get(response.location).data)
    assert value_of(doc, "goods-0-heading") == "4202"
    assert value_of(doc, "goods-1-heading") == ""

    response = _post(filing, action="remove-contacts-0", **contact(1))
    assert response.status_code == 302
    assert [c.full_name for c in reload(filing["application"].id).contacts] == ["Contact 1"]


@pytest.mark.parametrize("action", ["remove-", "remove--", "remove-x-0", "remove-contacts-0-1", "remove-goods-99",
                                    "remove-contacts-²"])
def test_a_malformed_remove_action_removes_no_row_and_saves_the_rest(filing, action):
    response = _post(filing, action=action, **contact(1))
    assert response.status_code == 302
    assert [c.full_name for c in reload(filing["application"].id).contacts] == ["Éloïse Darrigrand", "Contact 1"]


@pytest.mark.parametrize("name", ["goods-²-heading", "contacts-٣x-full_name", "goods--heading"])
def test_a_row_name_whose_index_is_not_a_number_is_no_row(filing, name):
    response = _post(filing, **{name: "Sacs"})

    assert response.status_code == 302
    assert [g.heading for g in reload(filing["application"].id).goods_lines] == ["4202"]


def test_company_with_a_rex_registration_cannot_validate_a_new_application(factory, filing):
    officer = factory.officer()
    other_operator = factory.operator(filing["company"])
    factory.granted(other_operator, officer, filing["company"])

    response = _post(filing)

    assert response.status_code == 422
    [message] = errors_beside(parse(response.data), "company_id")
    assert message.startswith("Cet opérateur détient déjà le numéro REX FRREX")
    assert reload(filing["application"].id).status == S.DRAFT


def test_company_with_a_pending_application_cannot_validate_another(factory, filing):
    pending = factory.submitted(factory.operator(filing["company"]), filing["company"])

    response = _post(filing)

    assert response.status_code == 422
    assert errors_beside(parse(response.data), "company_id") == [
        f"Une demande a déjà été déposée pour cet opérateur ({pending.reference}) : "
        "une nouvelle demande n'est pas acceptée."]
    assert filing["client"].post(f"/rex/demandes/{filing['application'].id}/recapitulatif").status_code == 302
    assert reload(filing["application"].id).status == S.DRAFT


def test_save_for_later_keeps_a_partial_draft_listed_in_mes_brouillons(filing):
    response = filing["client"].post(filing["url"], data={
        "action": "save", "company_id": str(filing["company"].id), "exporter_phone": "06 12 34 56 78",
        "goods-0-heading": "3923", "relations": "CA"})

    assert response.status_code == 302
    assert response.location.endswith("/rex/demandes/brouillons")
    listing = page_text(filing["client"].get(response.location))
    reference = filing["application"].reference
    assert reference in listing
    assert f"Votre demande est enregistrée à l'état de brouillon sous la référence {reference}" in listing
    doc = parse(filing["client"].get(filing["url"]).data)
    assert value_of(doc, "exporter_phone") == "06 12 34 56 78"
    assert value_of(doc, "goods-0-heading") == "3923"
    # CA is a relation of the list: it comes back ticked there, the text field holds the other codes
    assert [n.attrs["value"] for n in doc.find_all("input") if n.attrs.get("name") == "relation_codes"
            and "checked" in n.attrs] == ["CA"]
    assert value_of(doc, "relations") == ""
    assert reload(filing["application"].id).status == S.DRAFT


def test_save_for_later_with_an_unknown_relation_code_says_so_and_keeps_the_text(filing):
    response = filing["client"].post(filing["url"], data={
        "action": "save", "company_id": str(filing["company"].id), "relations": "CA QQ"})
    assert response.status_code == 422
    doc = parse(response.data)
    assert errors_beside(doc, "relations")[0].startswith("Code(s) inconnu(s) : QQ.")
    assert value_of(doc, "relations") == "CA QQ"


def test_validate_then_submit_from_the_summary_shows_the_confirmation_with_the_reference(filing):
    reference = filing["application"].reference

    response = _post(filing)
    assert response.status_code == 302
    summary_url = f"/rex/demandes/{filing['application'].id}/recapitulatif"
    assert response.location.endswith(summary_url)
    summary = filing["client"].get(summary_url)
    assert summary.status_code == 200
    text = page_text(summary)
    assert "Soumettre ma demande" in text and "Sacs à main en cuir" in text

    response = filing["client"].post(summary_url, data={"version": value_of(parse(summary.data), "version")})
    assert response.status_code == 302
    assert response.location.endswith(f"/rex/demandes/{filing['application'].id}/confirmation")
    confirmation = page_text(filing["client"].get(response.location))
    assert f"Votre demande a été transmise à l'administration, sous la référence {reference}" in confirmation
    application = reload(filing["application"].id)
    assert application.status == S.UNDER_REVIEW
    assert application.exporter_email == "export@societe-export.fr"
    assert reference in filing["client"].get("/rex/demandes/en-cours").get_data(as_text=True)
    kinds = db.session.scalars(select(HistoryEvent.kind).where(HistoryEvent.application_id == application.id))
    assert "submitted" in list(kinds)


def test_summary_with_a_stale_version_is_refused(filing):
    _post(filing)
    summary_url = f"/rex/demandes/{filing['application'].id}/recapitulatif"
    response = filing["client"].post(summary_url, data={"version": "0"})
    assert response.status_code == 422
    assert "Ce dossier a changé depuis que vous l'avez ouvert" in page_text(response)
    assert reload(filing["application"].id).status == S.DRAFT


def test_abandon_from_the_form_deletes_the_draft_content(filing):
    response = _post(filing, action="abandon")
    assert response.status_code == 302
    application = reload(filing["application"].id)
    assert application.status == S.ABANDONED
    assert application.contacts == [] and application.goods_lines == []
    listing = parse(filing["client"].get("/rex/demandes/brouillons").data)
    assert filing["application"].reference not in listing.find("table").text()


def test_new_application_button_creates_a_draft_and_opens_the_form(client, factory, login):
    operator = factory.operator()
    login(operator)
    response = client.post("/rex/deposer")
    assert response.status_code == 302
    application = db.session.scalar(select(Application).where(Application.created_by_id == operator.id))
    assert response.location.endswith(f"/rex/demandes/{application.id}/formulaire")
    assert application.status == S.DRAFT and application.reference.startswith("FR-REX-")


def test_heading_autocomplete_answers_json_from_two_characters_by_code_or_description(client, factory, login):
    login(factory.operator())

    assert client.get("/rex/positions-tarifaires?q=3").get_json() == []
    assert client.get("/rex/positions-tarifaires?q=").get_json() == []
    by_code = client.get("/rex/positions-tarifaires?q=39")
    assert by_code.status_code == 200 and by_code.mimetype == "application/json"
    codes = [row["code"] for row in by_code.get_json()]
    assert codes and all(code.startswith("39") for code in codes)
    assert "3900" in codes  # the chapter, offered as its whole-chapter code
    assert "3923" in [row["code"] for row in client.get("/rex/positions-tarifaires?q=392").get_json()]
    by_label = client.get("/rex/positions-tarifaires?q=plasti").get_json()
    assert by_label and all("plasti" in row["label"].lower() for row in by_label)


def test_heading_autocomplete_requires_login(client):
    response = client.get("/rex/positions-tarifaires?q=39")
    assert response.status_code == 302
    assert response.location.startswith("/connexion")


def test_enter_in_a_field_validates_the_form_rather_than_deleting_a_row(filing):
    """Browsers submit with the form's first submit button when Enter is pressed in a text field."""
    doc = parse(filing["client"].get(filing["url"]).data)
    inside = {id(b) for b in doc.find("form", id="application-form").iter()}
    # The form's buttons in tree order: those inside it and those outside naming it (form="application-form").
    first = next(b for b in doc.iter() if b.tag == "button" and b.attrs.get("type", "submit") == "submit"
                 and (b.attrs.get("form") == "application-form" or (id(b) in inside and "form" not in b.attrs)))
    assert (first.attrs["name"], first.attrs["value"]) == ("action", "validate")


@pytest.mark.parametrize("typed", ["n.a", "N.A", "n/a"])
def test_a_contact_email_not_available_is_accepted_as_section_4_says(filing, typed):
    response = filing["client"].post(filing["url"], data=form_data(
        filing["company"], filing["office"], **{"contacts-0-email": typed}))
    assert response.status_code == 302, errors_beside(parse(response.data), "contacts-0-email")
    assert reload(filing["application"].id).contacts[0].email == typed


def test_a_contact_email_that_is_neither_an_address_nor_na_is_refused(filing):
    response = filing["client"].post(filing["url"], data=form_data(
        filing["company"], filing["office"], **{"contacts-0-email": "pas une adresse"}))
    assert response.status_code == 422
    assert errors_beside(parse(response.data), "contacts-0-email") == ["Adresse électronique invalide."]


def test_relations_are_offered_as_a_list_and_uk_reads_as_gb(filing):
    doc = parse(filing["client"].get(filing["url"]).data)
    offered = [n.attrs["value"] for n in doc.find_all("input") if n.attrs.get("name") == "relation_codes"]
    assert {"CA", "JP", "GB", "SPG", "PTOM", "AFOA"} <= set(offered)
    response = filing["client"].post(filing["url"], data=form_data(
        filing["company"], filing["office"], relations="UK", relation_codes=["CA", "JP"]))
    assert response.status_code == 302
    assert [r.code for r in reload(filing["application"].id).relations] == ["CA", "JP", "GB"]


def test_the_exporter_address_is_the_company_s_and_read_only(factory, login):
    company = factory.company()
    operator = factory.operator(company)
    application = factory.draft(operator)
    client = login(operator)
    url = f"/rex/demandes/{application.id}/formulaire"
    doc = parse(client.get(url).data)
    for name in ("exporter_address", "exporter_postcode", "exporter_city"):
        [control] = controls(doc, name)
        assert "readonly" in control.attrs, name
    assert "disabled" not in controls(doc, "exporter_phone")[0].attrs
    response = client.post(url, data=form_data(company, factory.office(), exporter_address="99 rue Inventée",
                                                exporter_city="Ailleurs", exporter_phone="06 00 00 00 01"))
    assert response.status_code == 302
    saved = reload(application.id)
    assert (saved.exporter_address, saved.exporter_city, saved.exporter_phone) == (
        company.address, company.city, "06 00 00 00 01")


@pytest.mark.parametrize("missing", HELD)
def test_an_address_the_company_lacks_is_typed_and_required(factory, login, missing):
    company = factory.company()
    company.address = company.postcode = company.city = company.country = ""
    db.session.commit()
    operator = factory.operator(company)
    application = factory.draft(operator)
    client = login(operator)
    url = f"/rex/demandes/{application.id}/formulaire"
    assert "readonly" not in controls(parse(client.get(url).data), "exporter_address")[0].attrs
    response = client.post(url, data=form_data(company, factory.office(), **{missing: ""}))
    assert response.status_code == 422
    assert errors_beside(parse(response.data), missing) == [STARRED[missing]]


def test_a_representative_gets_the_client_s_data_with_the_button_without_javascript(factory, login):
    first, second = factory.company(), factory.company()
    second.phone, second.email = "05 59 00 00 02", "client2@example.com"
    db.session.commit()
    representative = factory.representative(clients=[first, second])
    application = factory.draft(representative, first)
    client = login(representative)
    url = f"/rex/demandes/{application.id}/formulaire"
    doc = parse(client.get(url).data)
    select = controls(doc, "company_id")[0]
    assert str(second.id) in select.attrs["data-clients"]  # what client-prefill.js copies when it is picked

    response = client.post(url, data=form_data(first, factory.office(), company_id=str(second.id),
                                                action="prefill", exporter_phone="01 00 00 00 00",
                                                exporter_email="ancien@example.com"))
    assert response.status_code == 302 and response.location.endswith(f"{url}#section-2")
    saved = reload(application.id)
    assert (saved.company_id, saved.exporter_phone, saved.exporter_email, saved.exporter_address) == (
        second.id, "05 59 00 00 02", "client2@example.com", second.address)
