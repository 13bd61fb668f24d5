"""Every page that shows a heading or a chapter shows it in the page's language: French, or English on ?lang=en.
The certificate is French whatever the reader's language."""
import io

import pytest
from pypdf import PdfReader

from app.certificates import render_certificate
from app.extensions import db
from app.models import TariffHeading
from app import workflow
from tests.operator.html import parse

GOODS = [{"heading": "4202", "description": "Sacs à main"}, {"heading": "3923", "description": "Bouchons"},
         {"heading": "6400", "description": "Toutes nos chaussures"}]
SHOWN = ("4202", "42", "3923", "39", "64")  # the headings and chapters of GOODS


def _squeezed(text: str) -> str:
    """Without whitespace: a table cell or a PDF line wraps a label anywhere between two words."""
    return "".join(text.split())


def _labels(codes, language):
    column = TariffHeading.description_en if language == "en" else TariffHeading.description_fr
    return {code: db.session.scalar(db.select(column).where(TariffHeading.code == code)) for code in codes}


def _assert_speaks(text: str, language: str, codes=SHOWN):
    other = "fr" if language == "en" else "en"
    squeezed = _squeezed(text)
    for code, label in _labels(codes, language).items():
        assert _squeezed(label) in squeezed, (code, language)
    for code, label in _labels(SHOWN, other).items():
        assert _squeezed(label) not in squeezed, (code, other)


def _page_text(response) -> str:
    assert response.status_code == 200, response.status_code
    return parse(response.get_data(as_text=True)).text()


@pytest.fixture
def operator(factory):
    return factory.operator(factory.company(name="Maroquinerie de Bénéjacq SAS"))


def test_the_form_and_its_summary_show_french_labels(client, factory, login, operator):
    draft = factory.draft(operator, goods=GOODS)
    login(operator)

    form = _page_text(client.get(f"/rex/demandes/{draft.id}/formulaire"))
    _assert_speaks(form, "fr", codes=("42", "39", "64"))  # the form shows the chapter beside each code
    _assert_speaks(_page_text(client.get(f"/rex/demandes/{draft.id}/recapitulatif")), "fr")


def test_the_operator_application_page_speaks_the_page_language(client, factory, login, operator):
    application = factory.submitted(operator, goods=GOODS)
    login(operator)

    _assert_speaks(_page_text(client.get(f"/rex/demandes/{application.id}")), "fr")
    _assert_speaks(_page_text(client.get(f"/rex/demandes/{application.id}?lang=en")), "en")
    _assert_speaks(_page_text(client.get(f"/rex/demandes/{application.id}?lang=fr")), "fr")


def test_the_officer_instruction_page_and_the_goods_grid_show_french_labels(client, factory, login, operator):
    application = factory.submitted(operator, goods=GOODS)
    login(factory.officer())

    _assert_speaks(_page_text(client.get(f"/admin/dossier/{application.id}")), "fr")
    grid = _page_text(client.get("/admin/marchandises/"))
    _assert_speaks(grid, "fr", codes=("42", "39", "64"))  # the "Chapitre" column
    _assert_speaks(_page_text(client.get("/admin/marchandises/?lang=en")), "en", codes=("42", "39", "64"))


def test_the_certificate_pdf_shows_french_labels_even_for_an_english_reader(client, factory, login, operator):
    officer = factory.officer()
    registration = workflow.grant(officer, factory.submitted(operator, goods=GOODS))
    reader = PdfReader(io.BytesIO(render_certificate(registration)))
    text = " ".join(page.extract_text() or "" for page in reader.pages)

    _assert_speaks(text, "fr", codes=("4202", "42", "3923", "39", "64"))

    login(operator)
    client.get("/rex/autorisations?lang=en")
    pdf = client.get(f"/rex/autorisations/{registration.id}/certificat.pdf")
    english_reader_text = " ".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(pdf.data)).pages)
    _assert_speaks(english_reader_text, "fr", codes=("4202", "42"))


def test_the_suggestions_answer_in_the_page_language(client, factory, login, operator):
    login(operator)

    french = client.get("/rex/positions-tarifaires?q=valise").get_json()
    assert french == [{"code": "4202", "label": _labels(["4202"], "fr")["4202"]}]
    chapter = client.get("/rex/positions-tarifaires?q=3900").get_json()
    assert chapter[0] == {"code": "3900", "label": "Matières plastiques et ouvrages en ces matières"}
    assert client.get("/rex/positions-tarifaires?q=39").get_json() == chapter

    client.get("/rex/demandes?lang=en")
    english = client.get("/rex/positions-tarifaires?q=valise").get_json()
    assert english == [{"code": "4202", "label": _labels(["4202"], "en")["4202"]}]
