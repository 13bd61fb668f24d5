"""Supporting documents over HTTP: upload, refusals beside their field, size limit, safe download."""
from io import BytesIO

from sqlalchemy import select

from app.extensions import db
from app.models import Document, HistoryEvent
from tests.operator.helpers import PDF
from tests.operator.html import errors_beside, page_text, parse


def _upload(client, application, content=PDF, filename="kbis.pdf", name="Extrait Kbis"):
    data = {"name": name}
    if content is not None:
        data["file"] = (BytesIO(content), filename)
    return client.post(f"/rex/demandes/{application.id}/documents", data=data, content_type="multipart/form-data")


def _documents(application):
    db.session.expire_all()
    return db.session.scalars(select(Document).where(Document.application_id == application.id)).all()


def _listed(page):
    table = parse(page.data).find("table")
    return table.text()


def test_uploaded_pdf_is_listed_with_its_name(client, factory, login):
    operator = factory.operator()
    application = factory.draft(operator)
    login(operator)

    response = _upload(client, application)

    assert response.status_code == 302
    page = client.get(response.location)
    assert "Le document « Extrait Kbis » a été ajouté à la demande." in page_text(page)
    listed = _listed(page)
    assert "Extrait Kbis" in listed and "kbis.pdf" in listed
    [document] = _documents(application)
    assert (document.content_type, document.size, document.content) == ("application/pdf", len(PDF), PDF)
    assert "(1)" in page_text(client.get(f"/rex/demandes/{application.id}/formulaire"))
    assert db.session.scalar(select(HistoryEvent.comment).where(HistoryEvent.kind == "document_added")) == \
        "Extrait Kbis"


def test_text_file_named_pdf_is_refused_beside_the_file_field(client, factory, login):
    operator = factory.operator()
    application = factory.draft(operator)
    login(operator)

    response = _upload(client, application, content=b"Ceci n'est pas un PDF.\n", filename="x.pdf")

    assert response.status_code == 422
    doc = parse(response.data)
    [message] = errors_beside(doc, "file")
    assert message.startswith("Ce type de fichier n'est pas accepté")
    assert doc.find("input", name="name").attrs["value"] == "Extrait Kbis"  # what was typed stays
    assert _documents(application) == []


def test_missing_document_name_is_refused_beside_the_name_field(client, factory, login):
    operator = factory.operator()
    application = factory.draft(operator)
    login(operator)

    response = _upload(client, application, name="  ")

    assert response.status_code == 422
    doc = parse(response.data)
    assert errors_beside(doc, "name") == ["Nommez le document."]
    assert errors_beside(doc, "file") == []
    assert _documents(application) == []


def test_missing_file_is_refused_beside_the_file_field(client, factory, login):
    operator = factory.operator()
    application = factory.draft(operator)
    login(operator)

    response = _upload(client, application, content=None)

    assert response.status_code == 422
    assert errors_beside(parse(response.data), "file") == ["Choisissez un document."]


def test_oversize_upload_answers_413_with_a_french_page(app, client, factory, login, monkeypatch):
    operator = factory.operator()
    application = factory.draft(operator)
    login(operator)
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1024)  # restored after the test

    response = _upload(client, application, content=PDF + b"%" * 4096)

    assert response.status_code == 413
    assert "text/html" in response.content_type
    text = page_text(response)
    assert "Fichier trop volumineux" in text
    assert "Le fichier dépasse la taille maximale autorisée" in text
    assert _documents(application) == []


def test_download_is_an_attachment_that_browsers_must_not_sniff(client, factory, login, add_pdf):
    operator = factory.operator()
    application = factory.draft(operator)
    document = add_pdf(operator, application, filename="facture.pdf")
    login(operator)

    response = client.get(f"/rex/demandes/{application.id}/documents/{document.id}")

    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert "filename=facture.pdf" in response.headers["Content-Disposition"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.mimetype == "application/pdf"
    assert response.data == PDF


def test_a_path_in_the_uploaded_filename_is_not_kept(client, factory, login):
    operator = factory.operator()
    application = factory.draft(operator)
    login(operator)

    for filename in ("../../etc/facture.pdf", "C:\\Users\\jeanne\\Documents\\facture.pdf"):
        assert _upload(client, application, filename=filename, name=filename).status_code == 302

    documents = _documents(application)
    assert documents[0].filename == "facture.pdf"
    # Werkzeug reads backslashes as escapes, so a Windows path arrives flattened: no separator survives.
    assert documents[1].filename.endswith("facture.pdf")
    for document in documents:
        assert "/" not in document.filename and "\\" not in document.filename and ".." not in document.filename
    for document in documents:
        disposition = client.get(f"/rex/demandes/{application.id}/documents/{document.id}").headers[
            "Content-Disposition"]
        assert "/" not in disposition and "\\" not in disposition and ".." not in disposition


def test_file_extension_follows_the_content_not_the_name(client, factory, login):
    operator = factory.operator()
    application = factory.draft(operator)
    login(operator)
    assert _upload(client, application, filename="scan.exe").status_code == 302
    [document] = _documents(application)
    assert document.filename == "scan.pdf"


def test_document_is_removed_from_a_draft(client, factory, login, add_pdf):
    operator = factory.operator()
    application = factory.draft(operator)
    document = add_pdf(operator, application)
    login(operator)

    response = client.post(f"/rex/demandes/{application.id}/documents/{document.id}/supprimer")

    assert response.status_code == 302
    assert "Le document a été retiré de la demande." in page_text(client.get(response.location))
    assert _documents(application) == []


def test_upload_to_a_file_under_review_is_refused_with_a_message(client, factory, login):
    operator = factory.operator()
    application = factory.submitted(operator)
    login(operator)
    page = client.get(f"/rex/demandes/{application.id}/documents")
    assert page.status_code == 200
    assert parse(page.data).find("input", name="file") is None  # no upload form once submitted

    response = _upload(client, application)

    assert response.status_code == 422
    assert "Cette action n'est pas possible pour une demande au statut « En étude »." in page_text(response)
    assert _documents(application) == []


def test_managing_documents_from_the_form_saves_what_was_typed_first(client, factory, login):
    from tests.operator.helpers import form_data, reload

    company = factory.company()
    operator = factory.operator(company)
    draft = factory.draft(operator, company)
    login(operator)
    page = parse(client.get(f"/rex/demandes/{draft.id}/formulaire").data)
    button = [b for b in page.find_all("button") if b.attrs.get("value") == "documents"]
    assert button and button[0].attrs["form"] == "application-form"

    response = client.post(f"/rex/demandes/{draft.id}/formulaire", data=form_data(
        company, factory.office(), version=str(draft.version), action="documents",
        **{"goods-0-description": "Valises en cuir tapé à la main"}))

    assert response.status_code == 302 and response.location.endswith(f"/rex/demandes/{draft.id}/documents")
    assert [g.description for g in reload(draft.id).goods_lines] == ["Valises en cuir tapé à la main"]
