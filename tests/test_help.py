"""'Aide': the FAQ, a help page per section of the filing forms, the conditions of use, the list of customs
offices, and the assistance contact on every page footer and error page."""
import pytest

from app.help.views import REX_SECTIONS
from app.models import Office, Role
from app.reference.offices import OFFICES
from tests.operator.html import parse

HELP_PAGES = ["/aide/", *(f"/aide/formulaire-rex/{n}" for n in REX_SECTIONS), "/aide/formulaire-eori",
              "/aide/conditions-utilisation", "/aide/bureaux-de-douane"]


def _text(response) -> str:
    assert response.status_code == 200, response.status_code
    return parse(response.data).text()


def _links(response) -> dict[str, str]:
    return {a.attrs.get("href"): a.text() for a in parse(response.data).find_all("a")}


@pytest.mark.parametrize("path", HELP_PAGES)
def test_help_pages_open_without_login_in_french_and_in_english(client, path):
    french = _text(client.get(path))
    assert "Aide" in french and "Help" not in french
    english = _text(client.get(path, query_string={"lang": "en"}))
    assert "Help" in english
    for word in ("Rubrique", "Aide sur", "Foire aux questions", "bureaux de douane", "Conditions d'utilisation"):
        assert word not in english, (path, word)


def test_a_form_section_without_help_is_a_404(client):
    assert client.get("/aide/formulaire-rex/9").status_code == 404
    assert client.get("/aide/formulaire-rex/0").status_code == 404


def test_the_faq_answers_the_guide_questions_in_our_words(client):
    text = _text(client.get("/aide/"))
    for question in ("Comment obtenir un numéro EORI ?", "Je ne retrouve pas une demande que j'ai déposée.",
                     "Ma demande est au statut « Incomplète » : comment ajouter les renseignements et documents "
                     "demandés ?", "Quel est le délai de traitement de ma demande ?",
                     "Comment suis-je informé de la fin du traitement de ma demande ?"):
        assert question in text
    assert "30 jours" in text and "Compléter la demande" in text


def test_each_section_of_the_rex_form_has_a_question_mark_to_its_help_page(factory, login):
    representative = factory.representative()  # a representative's form has section 3 too
    draft = factory.draft(representative, representative.client_companies[0])
    client = login(representative)
    response = client.get(f"/rex/demandes/{draft.id}/formulaire")
    helps = [a for a in parse(response.data).find_all("a", class_="help-link")]
    assert sorted({a.attrs["href"] for a in helps}) == sorted(f"/aide/formulaire-rex/{n}" for n in REX_SECTIONS)
    # A new tab: what was typed on the form stays there.
    assert all(a.text() == "?" and a.attrs["target"] == "_blank" for a in helps)
    documents = client.get(f"/rex/demandes/{draft.id}/documents")
    assert "/aide/formulaire-rex/8" in _links(documents)
    # Section 1 lists the customs offices, as the guide's section 1 promises.
    section_1 = parse(response.data).find("section", id="section-1")
    assert {a.attrs["href"] for a in section_1.find_all("a")} >= {"/aide/bureaux-de-douane"}


def test_each_section_of_the_eori_form_has_a_question_mark_to_its_help(factory, login):
    from app.workflow import eori

    applicant = factory.user(Role.OPERATOR)
    application = eori.create_draft(applicant)
    page = login(applicant).get(f"/rex/eori/{application.id}/formulaire")
    hrefs = [a.attrs["href"] for a in parse(page.data).find_all("a", class_="help-link")]
    assert hrefs == [f"/aide/formulaire-eori#rubrique-{n}" for n in range(1, 9)]
    assert "/aide/bureaux-de-douane" in {a.attrs["href"] for a in parse(page.data).find("section", id="eori-office")
                                         .find_all("a")}
    help_page = parse(login(applicant).get("/aide/formulaire-eori").data)
    assert all(help_page.find("section", id=f"rubrique-{n}") is not None for n in range(1, 9))


def test_help_is_in_the_operator_menu_and_in_the_back_office_menu(factory, login):
    operator = factory.operator()
    client = login(operator)
    sidebar = parse(client.get("/rex/demandes/en-cours").data).find("nav", class_="sidebar")
    assert {a.text(): a.attrs["href"] for a in sidebar.find_all("a")}["Aide"] == "/aide/"
    active = parse(client.get("/aide/").data).find("nav", class_="sidebar").find("a", class_="active")
    assert active.text() == "Aide"

    officer = factory.officer()
    page = login(officer).get("/admin/a_traiter/")
    navbar = parse(page.data).find("nav")
    assert {a.text(): a.attrs.get("href") for a in navbar.find_all("a")}["Aide"] == "/aide/"


def _footer_contact(response):
    footer = parse(response.data).find("footer")
    assert footer is not None, response.request.path
    return {a.attrs["href"]: a.text() for a in footer.find_all("a")}, footer.text()


def test_every_kind_of_page_shows_the_assistance_contact_in_its_footer(app, client, factory, login, monkeypatch):
    monkeypatch.setitem(app.config, "ASSISTANCE_EMAIL", "aide-rex@douane.example")
    monkeypatch.setitem(app.config, "ASSISTANCE_PHONE", "+33 1 99 00 56 78")
    monkeypatch.setitem(app.config, "ASSISTANCE_HOURS", "de 9 h à 17 h")
    pages = [client.get("/connexion"), client.get("/inscription"), client.get("/registre"),
             client.get("/aide/")]
    pages.append(login(factory.operator()).get("/rex/demandes/en-cours"))
    pages.append(login(factory.officer()).get("/admin/a_traiter/"))
    for response in pages:
        assert response.status_code == 200, response.request.path
        links, text = _footer_contact(response)
        assert links["mailto:aide-rex@douane.example"] == "aide-rex@douane.example", response.request.path
        assert links["tel:+33199005678"] == "+33 1 99 00 56 78", response.request.path
        assert "de 9 h à 17 h" in text, response.request.path


def test_the_default_hours_follow_the_language(client):
    assert "du lundi au vendredi" in _footer_contact(client.get("/connexion"))[1]
    assert "Monday to Friday" in _footer_contact(client.get("/connexion?lang=en"))[1]


def test_error_pages_give_a_contact_to_click(client, factory, login):
    not_found = client.get("/rex/nulle-part")
    assert not_found.status_code == 404
    page = parse(not_found.data)
    block = page.find("div", class_="error-assistance")
    assert "contactez l'assistance" in block.text()
    hrefs = [a.attrs["href"] for a in block.find_all("a")]
    assert hrefs == ["mailto:assistance-soprano@douane.example", "tel:0199001234"]

    forbidden = login(factory.operator()).get("/admin/a_traiter/")
    assert forbidden.status_code == 403
    assert "mailto:assistance-soprano@douane.example" in forbidden.get_data(as_text=True)


def test_sign_up_links_to_the_conditions_of_use(client):
    form = parse(client.get("/inscription").data).find("form")
    links = {a.attrs["href"]: a.text() for a in form.find_all("a")}
    assert links["/aide/conditions-utilisation"] == "Consulter les conditions générales d'utilisation"
    text = _text(client.get("/aide/conditions-utilisation"))
    for part in ("Le service", "Protection des données personnelles", "Responsabilités", "CNIL"):
        assert part in text


def test_the_list_of_customs_offices_shows_every_office_with_its_directorate(client):
    from sqlalchemy import select

    from app.extensions import db

    table = parse(client.get("/aide/bureaux-de-douane").data).find("tbody")
    rows = [[td.text() for td in tr.find_all("td")] for tr in table.find_all("tr")]
    offices = db.session.scalars(select(Office)).all()  # the reference, and any office an administrator added
    assert sorted(rows) == sorted([o.code, o.name, o.city, o.directorate.name] for o in offices)
    assert all([code, name, city, directorate] in rows for code, name, city, directorate in OFFICES)
    # Section 1's help page and the FAQ lead there.
    assert "/aide/bureaux-de-douane" in _links(client.get("/aide/formulaire-rex/1"))
    assert "/aide/bureaux-de-douane" in _links(client.get("/aide/"))


def test_the_offices_list_reads_the_office_table(client, factory):
    from app.extensions import db

    office = Office(code="FR00H18A", name="Pau Pyrénées", city="Pau", directorate=factory.office().directorate)
    db.session.add(office)
    db.session.commit()
    try:
        assert "Pau Pyrénées" in _text(client.get("/aide/bureaux-de-douane"))
    finally:
        db.session.delete(office)
        db.session.commit()


def test_favicon_is_served(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response.data[:4] == b"\x00\x00\x01\x00"  # an ICO file
    assert 'rel="icon"' in client.get("/connexion").get_data(as_text=True)
