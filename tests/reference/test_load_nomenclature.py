"""flask load-nomenclature: the EU Combined Nomenclature XML export or a code;libellé CSV replaces the labels."""
from datetime import date, timedelta

import pytest
from sqlalchemy import delete, func, select

from app.extensions import db
from app.models import TariffHeading
from app.queries.reference import search_headings
from app.reference.loader import load_tariff_headings

TODAY = date.today()
YESTERDAY, TOMORROW = TODAY - timedelta(days=1), TODAY + timedelta(days=1)

OFFICIAL_4202_FR = ("Malles, valises et mallettes, y compris les mallettes de toilette et les mallettes "
                    "porte-documents, serviettes, cartables, étuis à lunettes")
OFFICIAL_4202_EN = "Trunks, suitcases, vanity cases, executive-cases, briefcases, school satchels, spectacle cases"


def _cn_code(code, level, fr, en, start="2025-01-01", end="", parent=""):
    return (f"<CN_CODE><CODE>{code}</CODE><PARENT_CODE>{parent}</PARENT_CODE><LEVEL>{level}</LEVEL>"
            f"<DESCRIPTION_FR>{fr}</DESCRIPTION_FR><DESCRIPTION_EN>{en}</DESCRIPTION_EN>"
            f"<SUPPLEMENTARY_UNIT/><START_USE>{start}</START_USE><END_USE>{end}</END_USE></CN_CODE>")


def _cn_export(*entries) -> str:
    return '<?xml version="1.0" encoding="UTF-8"?>\n<EXPORT>' + "".join(entries) + "</EXPORT>"


@pytest.fixture(autouse=True)
def _restore_the_nomenclature():
    """The tariff headings are reference data the other tests share: put the shipped ones back."""
    yield
    db.session.rollback()
    db.session.execute(delete(TariffHeading))
    load_tariff_headings()
    db.session.commit()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def _count():
    return db.session.scalar(select(func.count()).select_from(TariffHeading))


def _heading(code):
    db.session.expire_all()
    return db.session.get(TariffHeading, code)


def test_the_cn_xml_export_relabels_adds_and_ends_but_keeps_what_files_use(runner, factory, tmp_path):
    factory.submitted(factory.operator(), goods=[{"heading": "3923", "description": "Bouchons"}])
    export = tmp_path / "cn.xml"
    export.write_text(_cn_export(
        '<CN_CODE><CODE>XII</CODE><LEVEL>1</LEVEL><DESCRIPTION_FR>SECTION XII</DESCRIPTION_FR>'
        '<DESCRIPTION_EN>SECTION XII</DESCRIPTION_EN><START_USE>2025-01-01</START_USE></CN_CODE>',
        _cn_code("42", 2, "CHAPITRE 42 - OUVRAGES EN CUIR; ARTICLES DE BOURRELLERIE OU DE SELLERIE",
                 "CHAPTER 42 - ARTICLES OF LEATHER; SADDLERY AND HARNESS"),
        _cn_code("4202", 4, OFFICIAL_4202_FR, OFFICIAL_4202_EN, parent="42"),
        _cn_code("4202 11", 6, "- - à surface extérieure en cuir naturel", "- - With outer surface of leather",
                 parent="4202"),
        _cn_code("4203", 4, "Vêtements et accessoires du vêtement, en cuir", "Articles of apparel, of leather",
                 start="20200101", end=YESTERDAY.strftime("%Y%m%d"), parent="42"),
        _cn_code("4205", 4, "Autres ouvrages en cuir (version future)", "Other articles of leather (future)",
                 start=TOMORROW.isoformat(), parent="42"),
        _cn_code("4207", 4, "Ouvrages en cuir d'un numéro nouveau", "Leather articles of a new heading",
                 start="2025-01-01", end=TOMORROW.isoformat(), parent="42"),
        _cn_code("4206000000", 4, "Ouvrages en boyaux, en baudruches, en vessies ou en tendons",
                 "Articles of gut, of goldbeater's skin, of bladders or of tendons", parent="42"),
    ), encoding="utf-8")

    result = runner.invoke(args=["load-nomenclature", str(export)])

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "added: 1 (4207)" in lines
    assert "relabelled: 3 (42, 4202, 4206)" in lines
    assert "unchanged: 0" in lines
    assert "ended but kept, files use them: 2 (39: 1 file(s), 3923: 1 file(s))" in lines
    assert _count() == 6  # 42, 4202, 4206, 4207 from the file; 39 and 3923 kept for the file that declares them

    chapter, heading = _heading("42"), _heading("4202")
    assert chapter.description_fr == "Ouvrages en cuir; articles de bourrellerie ou de sellerie"
    assert chapter.description_en == "Articles of leather; saddlery and harness"
    assert (heading.description_fr, heading.description_en) == (OFFICIAL_4202_FR, OFFICIAL_4202_EN)
    assert _heading("4207").chapter == "42"
    assert _heading("4206").description_fr == "Ouvrages en boyaux, en baudruches, en vessies ou en tendons"
    assert _heading("4203") is None and _heading("4205") is None and _heading("0101") is None
    assert _heading("3923").description_fr.startswith("Articles de transport ou d'emballage")
    assert [h.code for h in search_headings("cartables")] == ["4202"]
    assert [h.code for h in search_headings("executive")] == ["4202"]


def test_a_partial_csv_relabels_only_what_it_lists(runner, tmp_path):
    before = _count()
    english_4202 = _heading("4202").description_en
    labels = tmp_path / "libelles.csv"
    labels.write_text("code;libellé\n"
                      "4202;Malles, valises et mallettes (texte officiel)\n"
                      "3900;Matières plastiques et ouvrages en ces matières (texte officiel)\n"
                      "abc;une ligne sans code\n"
                      "6403;\n"
                      "²³;des chiffres qui n'en sont pas\n", encoding="utf-8")

    result = runner.invoke(args=["load-nomenclature", "--partial", str(labels)])

    assert result.exit_code == 0, result.output
    assert "relabelled: 2 (39, 4202)" in result.output.splitlines()
    assert "ended and removed: 0" in result.output.splitlines()
    assert "lines skipped (no code or no label): 4, 5, 6" in result.output.splitlines()
    assert _count() == before
    assert _heading("4202").description_fr == "Malles, valises et mallettes (texte officiel)"
    assert _heading("4202").description_en == english_4202
    assert _heading("39").description_fr == "Matières plastiques et ouvrages en ces matières (texte officiel)"
    assert [h.code for h in search_headings("officiel")] == ["39", "4202"]


def test_reloading_the_shipped_file_changes_nothing(runner):
    from app.reference.nomenclature import DATA_FILE

    result = runner.invoke(args=["load-nomenclature", str(DATA_FILE)])

    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[:4] == ["added: 0", "relabelled: 0", "unchanged: 1324", "ended and removed: 0"]


def test_a_dry_run_reports_and_changes_nothing(runner, tmp_path):
    before = _count()
    labels = tmp_path / "libelles.csv"
    labels.write_text("4202;Malles (essai)\n", encoding="utf-8")

    result = runner.invoke(args=["load-nomenclature", "--dry-run", str(labels)])

    assert result.exit_code == 0, result.output
    assert "ended and removed: 1323" in result.output and "dry run: nothing changed" in result.output
    assert _count() == before
    assert _heading("4202").description_fr.startswith("Malles, valises et mallettes, y compris")


@pytest.mark.parametrize("content, message", [
    (b"<EXPORT><CN_CODE><CODE>4202</CODE>", "not a readable XML file"),
    (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><EXPORT>&b;</EXPORT>',
     "not a readable XML file"),
    (_cn_export(_cn_code("4202", 4, "Malles", "Trunks", start="2025-13-45")).encode(), "unreadable date"),
    (_cn_export(_cn_code("4202", 4, "", "Trunks")).encode(), "code 4202 has no DESCRIPTION_FR"),
    ("4202;Malles éàü\n".encode("latin-1"), "the CSV file is not UTF-8"),
    (b"code;libell\xc3\xa9\nabc;rien\n", "no chapter or heading in force found in the file"),
])
def test_an_unreadable_file_is_refused_with_a_message_and_nothing_changes(runner, tmp_path, content, message):
    before = _count()
    path = tmp_path / "nomenclature"
    path.write_bytes(content)

    result = runner.invoke(args=["load-nomenclature", str(path)])

    assert result.exit_code == 1
    assert message in result.output
    assert _count() == before
