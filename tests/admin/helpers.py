"""Helpers of the admin-view tests: read list pages and exports, build files with chosen contacts and goods."""
import csv
import io

from openpyxl import load_workbook
from sqlalchemy import func, select

from app.extensions import db
from tests.operator.html import parse

OFFICE_A, OFFICE_B, OFFICE_C = "FR000600", "FR002300", "FR000610"  # Bordeaux Mérignac, Le Havre, Bassens


def contact(full_name, email="contact@example.com", phone="05 59 12 34 56", city="Bénéjacq", country="FR"):
    return {"full_name": full_name, "address": "12 rue de l'Église", "postcode": "64800", "city": city,
            "country": country, "phone": phone, "email": email, "fax": ""}


def goods(*headings):
    return [{"heading": h, "description": f"Marchandise {h}"} for h in headings]


def page(response) -> str:
    assert response.status_code == 200, (response.status_code, response.get_data(as_text=True)[:500])
    return response.get_data(as_text=True)


def cells(response, column: str) -> list[str]:
    """The texts of one column of a Flask-Admin list (td.col-<column>)."""
    doc = parse(page(response))
    return [td.text() for td in doc.find_all("td", class_=f"col-{column}")]


def file_references(response) -> set[str]:
    """The file references a page links to (links to the instruction page of a file)."""
    doc = parse(page(response))
    return {a.text() for a in doc.find_all("a")
            if (a.attrs.get("href") or "").startswith("/admin/dossier/") and a.text().startswith("FR-")}


def hrefs(response) -> list[str]:
    return [a.attrs.get("href") or "" for a in parse(page(response)).find_all("a")]


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def csv_rows(response) -> list[list[str]]:
    """An export as Excel reads it: UTF-8 after its BOM, cells separated by ';'."""
    assert response.status_code == 200, (response.status_code, response.get_data(as_text=True)[:500])
    assert response.content_type == "text/csv; charset=utf-8"
    data = response.get_data()
    assert data.startswith("\ufeff".encode()), data[:20]
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))


def xlsx_rows(response) -> list[list]:
    """The cells of the XLSX export's one sheet (values as openpyxl reads them)."""
    assert response.status_code == 200, (response.status_code, response.get_data(as_text=True)[:500])
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    [sheet] = load_workbook(io.BytesIO(response.get_data())).worksheets
    return [list(row) for row in sheet.iter_rows()]
