"""The back-office exports as a French office opens them: CSV (UTF-8 with BOM, ';', Paris dates as
JJ/MM/AAAA HH:MM, headers in the page's language, formulas kept as text) and XLSX; never a silent cut."""
import io
import re
import zipfile
from datetime import datetime, timezone

import pytest
from sqlalchemy import update

from app import workflow
from app.admin_views import exports
from app.extensions import db
from app.models import Application
from tests.admin.helpers import OFFICE_A, contact, csv_rows, page, xlsx_rows

FORMULA = '=HYPERLINK("http://x","y")'


@pytest.fixture
def officer(factory):
    return factory.officer(OFFICE_A)


def _column(rows, header) -> list:
    index = rows[0].index(header)
    return [row[index] for row in rows[1:]]


def _xlsx_values(rows) -> list[list]:
    return [[cell.value for cell in row] for row in rows]


def test_a_formula_typed_in_a_message_is_exported_as_text_in_csv_and_xlsx(factory, officer, login):
    operator = factory.operator()
    application = factory.submitted(operator, office_code=OFFICE_A)
    workflow.comment(operator, application, FORMULA)
    client = login(officer)

    in_csv = csv_rows(client.get("/admin/historique/export/csv/"))
    assert _column(in_csv, "Commentaire")[0] == "'" + FORMULA  # OWASP: a leading quote, Excel shows text

    response = client.get("/admin/historique/export/xlsx/")
    in_xlsx = xlsx_rows(response)
    [cell] = [row[5] for row in in_xlsx[1:] if row[1].value == "Message ajouté au fil de discussion"]
    assert (cell.value, cell.data_type, cell.quotePrefix) == (FORMULA, "s", True)
    with zipfile.ZipFile(io.BytesIO(response.get_data())) as book:
        sheet = book.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet and "HYPERLINK" in sheet  # a text cell, no formula anywhere


@pytest.mark.parametrize("typed, exported", [
    ("=1+1", "'=1+1"), ("+33 5 59 12 34 56", "'+33 5 59 12 34 56"), ("-2+3", "'-2+3"), ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
    ("Darrigrand = gérante", "Darrigrand = gérante"),
])
def test_every_formula_trigger_is_neutralised_and_other_text_is_kept(factory, officer, login, typed, exported):
    factory.submitted(factory.operator(), office_code=OFFICE_A, contacts=[contact("Éloïse Darrigrand", phone=typed)])
    client = login(officer)

    assert _column(csv_rows(client.get("/admin/contacts/export/csv/")), "Téléphone") == [exported]
    xlsx = _xlsx_values(xlsx_rows(client.get("/admin/contacts/export/xlsx/")))
    assert _column(xlsx, "Téléphone") == [typed]  # a text cell holds the text as typed


def test_a_leading_tab_or_carriage_return_is_neutralised_too():
    """The forms strip them, so no grid row starts with one; a value that did would still be text."""
    assert [exports.neutralised(v) for v in ("\t=1+1", "\r=1+1", "x\t=1")] == ["'\t=1+1", "'\r=1+1", "x\t=1"]


def test_dates_are_exported_in_paris_time(factory, officer, login):
    """23:30 UTC on 15 January is 00:30 on the 16th in Paris (winter); 10:15 UTC on 14 July is 12:15 (summer)."""
    winter = factory.submitted(factory.operator(), office_code=OFFICE_A)
    summer = factory.submitted(factory.operator(), office_code=OFFICE_A)
    for application, at in ((winter, datetime(2026, 1, 15, 23, 30, tzinfo=timezone.utc)),
                            (summer, datetime(2026, 7, 14, 10, 15, tzinfo=timezone.utc))):
        db.session.execute(update(Application).where(Application.id == application.id)
                           .values(submitted_at=at, updated_at=at))
    db.session.commit()
    client = login(officer)

    rows = csv_rows(client.get("/admin/a_traiter/export/csv/"))
    exported = dict(zip(_column(rows, "N° demande"), _column(rows, "Déposée le")))
    assert exported == {winter.reference: "16/01/2026 00:30", summer.reference: "14/07/2026 12:15"}

    xlsx = xlsx_rows(client.get("/admin/a_traiter/export/xlsx/"))
    header = [cell.value for cell in xlsx[0]]
    cells = {row[header.index("N° demande")].value: row[header.index("Déposée le")] for row in xlsx[1:]}
    assert cells[winter.reference].value == datetime(2026, 1, 16, 0, 30)
    assert cells[summer.reference].value == datetime(2026, 7, 14, 12, 15)
    assert cells[winter.reference].number_format == "DD/MM/YYYY HH:MM"


def test_the_deadline_of_an_incomplete_file_is_exported_as_a_date(factory, officer, login):
    incomplete = factory.incomplete(factory.operator(), officer)
    deadline = datetime(2026, 3, 29, 22, 0, tzinfo=timezone.utc)  # the night DST starts: 00:00 on the 30th
    db.session.execute(update(Application).where(Application.id == incomplete.id).values(answer_deadline=deadline))
    db.session.commit()

    rows = csv_rows(login(officer).get("/admin/incompletes/export/csv/"))
    assert rows[0][-1] == "Échéance" and _column(rows, "Échéance") == ["30/03/2026 00:00"]


def test_headers_and_labels_follow_the_language_of_the_page(factory, officer, login):
    factory.submitted(factory.operator(), office_code=OFFICE_A)
    client = login(officer)
    client.get("/admin/a_traiter/?lang=en")

    rows = csv_rows(client.get("/admin/a_traiter/export/csv/"))
    assert rows[0][:2] == ["Application No.", "Operator"]
    assert _column(rows, "Status") == ["Under review"]
    assert [cell.value for cell in xlsx_rows(client.get("/admin/a_traiter/export/xlsx/"))[0]][:2] == [
        "Application No.", "Operator"]

    client.get("/admin/a_traiter/?lang=fr")
    response = client.get("/admin/a_traiter/export/csv/")
    assert csv_rows(response)[0][:2] == ["N° demande", "Opérateur"]
    assert re.fullmatch(r"attachment; filename=A_traiter_\d{4}-\d\d-\d\d_\d\d-\d\d\.csv",
                        response.headers["Content-Disposition"])


def test_registrations_export_their_status_label_and_dates(factory, officer, login):
    granted = factory.granted(factory.operator(), officer)
    rows = csv_rows(login(officer).get("/admin/autorisations_service/export/csv/"))
    assert _column(rows, "Statut") == ["Octroyée"]
    [number] = _column(rows, "N° autorisation")
    assert number == "FRREX" + granted.exporter_eori
    [day] = _column(rows, "Octroyée le")
    assert datetime.strptime(day, "%d/%m/%Y")


def test_over_the_limit_an_officer_export_is_offered_in_the_background_with_the_list_arguments(
        factory, officer, login, monkeypatch):
    """Over EXPORT_MAX_ROWS nothing is sent in the request: the officer is offered the same export as a
    background task (issue 20, tests/backoffice/test_officer_work.py runs it)."""
    monkeypatch.setattr(exports, "EXPORT_MAX_ROWS", 2)
    for _ in range(3):
        factory.submitted(factory.operator(), office_code=OFFICE_A)
    client = login(officer)

    for export_type in ("csv", "xlsx"):
        response = client.get(f"/admin/tous/export/{export_type}/", query_string={"sort": "1"})
        assert response.status_code == 302
        assert response.headers["Location"] == (f"/admin/mes-traitements/export?queue=tous&export_type={export_type}"
                                                "&query=sort%3D1")  # the same list, filters and sort kept
        text = page(client.get(response.headers["Location"]))
        assert "Cet export dépasse 2 lignes : il sera préparé en arrière-plan." in text


def test_at_the_limit_every_row_is_exported(factory, officer, login, monkeypatch):
    monkeypatch.setattr(exports, "EXPORT_MAX_ROWS", 2)
    files = [factory.submitted(factory.operator(), office_code=OFFICE_A) for _ in range(2)]
    rows = csv_rows(login(officer).get("/admin/tous/export/csv/"))
    assert sorted(_column(rows, "N° demande")) == sorted(f.reference for f in files)


def test_an_export_type_that_is_not_offered_is_not_found(officer, login):
    assert login(officer).get("/admin/tous/export/json/").status_code == 404


def test_the_limit_message_is_in_the_language_of_the_page(factory, officer, login, monkeypatch):
    monkeypatch.setattr(exports, "EXPORT_MAX_ROWS", 1)
    for _ in range(2):
        factory.submitted(factory.operator(), office_code=OFFICE_A)
    client = login(officer)
    client.get("/admin/tous/?lang=en")
    text = page(client.get("/admin/tous/export/xlsx/", follow_redirects=True))
    assert "This export holds more than 1 rows: it will be prepared in the background." in text
