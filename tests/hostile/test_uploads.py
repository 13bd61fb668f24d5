"""Uploads with hostile bytes, names and filenames (the fixed cases are in tests/operator/test_documents.py):
content that is not an allowed type is refused beside the file field with no row; any filename is stored
without a path and downloads as an attachment whose header carries no path and no line break."""
from io import BytesIO

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from sqlalchemy import func, select

from app.extensions import db
from app.models import Document
from tests.hostile.strategies import FEW, SETTINGS, assert_errors_beside_fields, hostile, page
from tests.operator.helpers import PDF, snapshot
from tests.operator.html import errors_beside

NOT_A_DOCUMENT = st.one_of(
    st.binary(max_size=2000).filter(lambda b: not b.startswith((b"%PDF", b"\x89PNG", b"\xff\xd8"))),
    st.sampled_from([b"<html><script>alert(1)</script></html>", b"MZ\x90\x00\x03" + b"\x00" * 100,
                     b"PK\x03\x04" + b"\x00" * 100, b"GIF89a" + b"\x00" * 20, b"#!/bin/sh\nrm -rf /\n",
                     b" %PDF-1.4\n", b"\x00%PDF-1.4"]))
CLAIMED = st.sampled_from(["facture.pdf", "photo.jpg", "photo.jpeg", "scan.png", "kbis.PDF", "x.pdf.pdf"])


@pytest.fixture
def draft(factory, login):
    operator = factory.operator()
    application = factory.draft(operator)
    return {"client": login(operator), "application": application,
            "url": f"/rex/demandes/{application.id}/documents"}


def _upload(draft, content, filename, name="Extrait Kbis"):
    return draft["client"].post(draft["url"], data={"name": name, "file": (BytesIO(content), filename)},
                                content_type="multipart/form-data")


@SETTINGS
@given(content=NOT_A_DOCUMENT, filename=CLAIMED)
def test_bytes_that_are_not_their_claimed_type_are_refused_beside_the_file_field(draft, content, filename):
    app_id = draft["application"].id
    before = snapshot(app_id)

    response = _upload(draft, content, filename)

    assert response.status_code == 422, response.status_code
    doc = page(response)
    assert errors_beside(doc, "file")
    assert_errors_beside_fields(doc)
    assert snapshot(app_id) == before


PATHS = st.one_of(
    st.sampled_from(["../../etc/passwd.pdf", "C:\\x\\y.pdf", "/etc/shadow.pdf", "..\\..\\boot.pdf",
                     "a/../../b.pdf", "\x00.pdf", "\r\nX-Injected: 1\r\n.pdf", "\"; filename=evil.exe; x=\".pdf",
                     "\u202egnp.pdf", ".pdf", "....//....//x.pdf", "%2e%2e%2fx.pdf", "😀.pdf"]),
    st.builds(lambda parts, name: "/".join(parts + [name]),
              st.lists(st.sampled_from(["..", ".", "etc", "C:", "~", "%2e%2e"]), min_size=1, max_size=4),
              st.text(st.characters(exclude_categories=("Cs",)), max_size=30).map(lambda s: s + ".pdf")))


@SETTINGS
@given(filename=PATHS)
def test_any_uploaded_filename_is_stored_without_a_path_and_downloads_as_a_safe_attachment(draft, filename):
    app_id = draft["application"].id

    response = _upload(draft, PDF, filename)

    assert response.status_code < 500
    if response.status_code != 302:
        return  # refused (e.g. an empty name after cleaning): the refusal properties are tested above
    db.session.expire_all()
    document = db.session.scalars(select(Document).where(Document.application_id == app_id)
                                  .order_by(Document.id.desc())).first()
    # No separator, so no path; "0..pdf" is a name like any other, "." and ".." are not names.
    for bad in ("/", "\\", "\x00", "\r", "\n"):
        assert bad not in document.filename, (filename, document.filename)
    assert document.filename not in (".", ".."), filename
    download = draft["client"].get(f"{draft['url']}/{document.id}")
    assert download.status_code == 200
    disposition = download.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    for bad in ("/", "\\", "\r", "\n"):
        assert bad not in disposition, disposition
    assert download.data == PDF


@FEW
@given(name=hostile)
def test_a_hostile_document_name_is_stored_or_refused_beside_the_name_field(draft, name):
    app_id = draft["application"].id
    before = snapshot(app_id)

    response = _upload(draft, PDF, "kbis.pdf", name=name)

    assert response.status_code < 500, response.get_data(as_text=True)[:2000]
    if response.status_code >= 400:
        assert response.status_code == 422
        assert_errors_beside_fields(page(response))
        assert snapshot(app_id) == before
    else:
        listing = draft["client"].get(draft["url"])
        assert listing.status_code == 200
        assert b"<script>alert(1)" not in listing.data
