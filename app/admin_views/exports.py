"""The exports of the back-office grids, as a French office opens them: CSV and XLSX.

- CSV: UTF-8 with a BOM (Excel then reads the accents), `;` between cells, dates in Europe/Paris as
  JJ/MM/AAAA HH:MM, headers in the language of the page.
- XLSX (openpyxl, write-only): the same rows, dates as dates of Excel in Europe/Paris, text as text.
- A value a spreadsheet would take for a formula (it starts with = + - @, a tab or a carriage return, OWASP's
  "CSV injection") is only text: in CSV it gets a leading single quote, in XLSX it is a text cell that Excel
  keeps as text even when edited (quotePrefix).
- Nothing is ever cut: over EXPORT_MAX_ROWS matching rows the list page says how many rows match and asks to
  narrow the filters.
"""
import csv
import io
from datetime import date, datetime, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

from flask import Response, current_app, flash, redirect, request, stream_with_context, url_for
from flask_admin import expose
from flask_babel import format_number, gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from werkzeug.exceptions import NotFound
from werkzeug.utils import secure_filename

EXPORT_MAX_ROWS = 10_000
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
CSV_DATETIME = "%d/%m/%Y %H:%M"
CSV_DATE = "%d/%m/%Y"
XLSX_DATETIME = "DD/MM/YYYY HH:MM"
XLSX_DATE = "DD/MM/YYYY"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def is_formula_like(text: str) -> bool:
    return text.startswith(FORMULA_TRIGGERS)


def neutralised(text: str) -> str:
    """OWASP: a cell that would start a formula starts with a single quote instead."""
    return "'" + text if is_formula_like(text) else text


def plain(value):
    """A cell's value: a number, a datetime in Europe/Paris (naive, as spreadsheets hold them), a date, or text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("Oui") if value else _("Non")
    if isinstance(value, (int, float, Decimal)):
        return value
    if isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=timezone.utc)  # stored in UTC
        return aware.astimezone(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])).replace(tzinfo=None)
    if isinstance(value, date):
        return value
    return str(value)


def csv_cell(value) -> str | int | float | Decimal:
    value = plain(value)
    if isinstance(value, datetime):
        return value.strftime(CSV_DATETIME)
    if isinstance(value, date):
        return value.strftime(CSV_DATE)
    return neutralised(value) if isinstance(value, str) else value


def xlsx_cell(sheet, value) -> WriteOnlyCell:
    value = plain(value)
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, datetime):
        cell.number_format = XLSX_DATETIME
    elif isinstance(value, date):
        cell.number_format = XLSX_DATE
    elif isinstance(value, str):
        cell.data_type = "s"  # openpyxl would make a formula of "=..."
        cell.quotePrefix = is_formula_like(value)
    return cell


class _Echo:
    """csv.writer writes into it; each row comes back as the text to send."""

    def write(self, text):
        return text


class SpreadsheetExportMixin:
    """Flask-Admin's export (same URL, same rows: the view's scope, filters, search and sort), as CSV or XLSX."""

    can_export = True
    export_types = ["csv", "xlsx"]

    @expose("/export/<export_type>/")
    def export(self, export_type):
        if export_type not in self.export_types:
            raise NotFound()
        query = self._export_query()
        # Counted first (one COUNT, no row loaded): the refusal must say how many rows match.
        count = query.order_by(None).count()
        if count > EXPORT_MAX_ROWS and self._exports_in_background():
            # Over the limit, an officer's export is prepared in the background ("Mes traitements").
            from urllib.parse import urlencode

            args = self.list_arguments() if hasattr(self, "list_arguments") else dict(request.args)
            return redirect(url_for("traitements.new_export", queue=self.endpoint, export_type=export_type,
                                    query=urlencode(args)))
        if count > EXPORT_MAX_ROWS:
            flash(_("L'export porterait sur %(count)s lignes, au-delà de la limite de %(limit)s : rien n'a été "
                    "exporté. Affinez les filtres ou la recherche pour exporter au plus %(limit)s lignes.",
                    count=format_number(count), limit=format_number(EXPORT_MAX_ROWS)), "error")
            return redirect(self.get_url(".index_view", **request.args))
        rows = query.all()
        columns = [(name, str(label)) for name, label in self._export_columns]
        if export_type == "csv":
            return self._csv(columns, rows)
        return self._xlsx(columns, rows)

    def _exports_in_background(self) -> bool:
        from flask_login import current_user

        return (current_user.is_authenticated and current_user.role.value in ("officer", "supervisor")
                and "traitements.new_export" in current_app.view_functions)

    def _export_query(self):
        """The list page's query (scope, search, filters, sort), unpaginated."""
        args = self._get_list_extra_args()
        sort = self._get_column_by_idx(args.sort)
        _, query = self.get_list(0, sort[0] if sort else None, args.sort_desc, args.search, args.filters,
                                 execute=False, page_size=False)
        return query

    def _filename(self, export_type: str) -> str:
        """The page's name and the time of the export in Paris: Tous_les_dossiers_du_service_2026-12-04_16-27.csv"""
        now = datetime.now(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"]))
        return secure_filename(f"{self.name}_{now:%Y-%m-%d_%H-%M}.{export_type}")

    def _csv(self, columns, rows) -> Response:
        writer = csv.writer(_Echo(), delimiter=";", lineterminator="\r\n")

        def lines():
            yield "\ufeff" + writer.writerow([neutralised(label) for name, label in columns])
            for row in rows:
                yield writer.writerow([csv_cell(self.get_export_value(row, name)) for name, label in columns])

        return Response(stream_with_context(lines()), content_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f"attachment; filename={self._filename('csv')}"})

    def _xlsx(self, columns, rows) -> Response:
        book = Workbook(write_only=True)
        sheet = book.create_sheet(title=secure_filename(str(self.name))[:31] or "export")
        sheet.append([xlsx_cell(sheet, label) for name, label in columns])
        for row in rows:
            sheet.append([xlsx_cell(sheet, self.get_export_value(row, name)) for name, label in columns])
        body = io.BytesIO()
        book.save(body)
        return Response(body.getvalue(), mimetype=XLSX_MIMETYPE,
                        headers={"Content-Disposition": f"attachment; filename={self._filename('xlsx')}"})
