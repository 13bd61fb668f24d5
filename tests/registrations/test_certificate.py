"""The registration certificate PDF ("Imprimer l'autorisation"): its content, its layout and who may download it."""
import io
import logging
import re
from urllib.parse import urlsplit

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from app import workflow
from app.certificates import render_certificate
from app.extensions import db
from app.models import Registration, RegistrationStatus, RevocationGround, Role, TariffHeading
from tests.hearing_helpers import revoke_after_hearing

OFFICE_A, OFFICE_B = "FR000600", "FR002300"


def _pdf(data: bytes) -> PdfReader:
    assert data.startswith(b"%PDF-")
    return PdfReader(io.BytesIO(data))


def _text(reader: PdfReader) -> str:
    """The text of every page, whitespace collapsed (table cells wrap their lines)."""
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def _fonts(reader: PdfReader) -> set[str]:
    names = set()
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            names.add(str(font.get_object()["/BaseFont"]))
    return names


def _assert_a4(reader: PdfReader) -> None:
    for page in reader.pages:
        assert abs(float(page.mediabox.width) - 595) <= 1 and abs(float(page.mediabox.height) - 842) <= 1


def _grant(factory, officer, operator=None, company=None, **changes) -> Registration:
    operator = operator or factory.operator(company)
    application = factory.submitted(operator, company, officer.office.code, **changes)
    return workflow.grant(officer, application)


@pytest.fixture
def officer(factory):
    return factory.officer(OFFICE_A)


@pytest.fixture
def holder_files(factory, officer):
    """A registration of office A, its holder's operator and the accounts that must not see it."""
    company = factory.company(name="Maroquinerie de Bénéjacq SAS")
    operator = factory.operator(company)
    registration = _grant(factory, officer, operator, company, goods=[
        {"heading": "4202", "description": "Sacs à main en cuir, Prix 10 €"},
        {"heading": "3923", "description": "Bouchons plastique"}])
    return {"registration": registration, "id": registration.id, "number": registration.number,
            "operator": operator, "url": f"/rex/autorisations/{registration.id}/certificat.pdf",
            "admin_url": f"/admin/autorisations/{registration.id}/certificat.pdf"}


# --- what the PDF shows ----------------------------------------------------------------------------

def test_certificate_shows_the_registration_and_every_section(holder_files, caplog):
    registration = holder_files["registration"]
    with caplog.at_level(logging.WARNING):
        reader = _pdf(render_certificate(registration))
    text = _text(reader)

    assert "RÉPUBLIQUE FRANÇAISE" in text
    assert "FORMULAIRE D'ENREGISTREMENT COMME EXPORTATEUR ENREGISTRÉ" in text
    assert registration.number in text
    assert "Maroquinerie de Bénéjacq SAS" in text
    assert f"Date d'enregistrement {registration.registered_on:%d/%m/%Y}" in text
    assert f"Valable à partir du {registration.valid_from:%d/%m/%Y}" in text
    assert "Statut Octroyée" in text
    assert "Version du" not in text  # the first version says nothing of versions
    for title in ("1. Désignation du service compétent pour traiter votre demande",
                  "2. Informations sur l'exportateur", "3. Représentant", "4. Contacts",
                  "5. Marchandises admissibles au bénéfice du régime préférentiel",
                  "6. Relation(s) préférentielle(s)", "7. Mentions et engagements"):
        assert title in text
    assert "Numéro EORI" in text and "Désignation" in text
    assert "Éloïse Darrigrand" in text and "12 rue de l'Église" in text and "Bénéjacq" in text
    assert "Sacs à main en cuir, Prix 10 €" in text and "4202" in text and "3923" in text
    assert "APE UE-Japon" in text and "Accord de commerce et de coopération UE-Royaume-Uni" in text
    assert "Consentement à la publication des données Oui" in text
    assert "Page 1 / 1" in text or "Page 1 / 2" in text
    _assert_a4(reader)
    # DejaVu is embedded: a font the resource policy blocked would fall back to Helvetica without an error.
    assert any("DejaVuSans" in name for name in _fonts(reader)), _fonts(reader)
    assert not [r for r in caplog.records if r.name.startswith("xhtml2pdf")], caplog.text


def test_a_representatives_file_shows_section_3(factory, officer):
    client = factory.company(name="Vins de Graves SARL")
    representative = factory.representative(clients=[client])
    registration = _grant(factory, officer, representative, client)
    text = _text(_pdf(render_certificate(registration)))
    assert "Vins de Graves SARL" in text
    assert "Transit Conseil" in text  # the representative's own company, section 3
    assert "Sans objet" not in text


def test_ninety_nine_goods_lines_lay_out_on_several_pages_with_the_header_repeated(factory, officer):
    headings = db.session.scalars(select(TariffHeading.code).where(
        func.length(TariffHeading.code) == 4, TariffHeading.code.not_like("%00"))
        .order_by(TariffHeading.code).limit(99)).all()
    goods = [{"heading": code, "description": f"Marchandise n°{i} façon œuvre"} for i, code in enumerate(headings, 1)]
    registration = _grant(factory, officer, goods=goods)

    reader = _pdf(render_certificate(registration))
    text = _text(reader)
    pages = len(reader.pages)
    assert pages > 1
    _assert_a4(reader)
    for code, line in zip(headings, goods, strict=True):
        assert code in text
        assert re.search(rf"{re.escape(line['description'])}(?!\d)", text), line["description"]
    # The goods table's header row is repeated on every page it continues on.
    pages_with_goods = [p for p in reader.pages if "façon œuvre" in (p.extract_text() or "")]
    assert len(pages_with_goods) > 1
    assert all("Position tarifaire" in p.extract_text() for p in pages_with_goods)
    assert f"Page {pages} / {pages}" in text


def test_markup_in_the_data_is_printed_as_text(factory, officer):
    company = factory.company(name="<b>x</b> <script>alert(1)</script>")
    registration = _grant(factory, officer, company=company, goods=[
        {"heading": "4202", "description": '<img src="http://10.0.0.1/a.png"> sacs'}])
    text = _text(_pdf(render_certificate(registration)))
    assert "<b>x</b> <script>alert(1)</script>" in text
    assert '<img src="http://10.0.0.1/a.png"> sacs' in text


def test_a_later_revoked_version_says_so(app, holder_files):
    registration = holder_files["registration"]
    registration.version_no = 2
    registration.status = RegistrationStatus.REVOKED
    registration.revoked_on = registration.valid_from
    registration.revocation_ground = RevocationGround.HOLDER_REQUEST
    db.session.commit()
    text = _text(_pdf(render_certificate(registration)))
    assert f"Version du {app.jinja_env.filters['date_fr'](registration.created_at)}" in text  # in Paris time
    assert f"Statut Révoquée le {registration.revoked_on:%d/%m/%Y}" in text
    assert "Motif de la révocation À la demande du titulaire" in text


# --- who may download it ---------------------------------------------------------------------------

def test_the_holder_downloads_it_from_the_registration_page(login, holder_files):
    client = login(holder_files["operator"])
    page = client.get(f"/rex/autorisations/{holder_files['id']}").get_data(as_text=True)
    assert holder_files["url"] in page and "Imprimer l'autorisation" in page

    response = client.get(holder_files["url"])
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Disposition"] == f'inline; filename="{holder_files["number"]}.pdf"'
    assert holder_files["number"] in _text(_pdf(response.data))


def test_the_pdf_is_french_whatever_the_readers_language(login, holder_files):
    client = login(holder_files["operator"])
    client.get("/rex/autorisations?lang=en")
    text = _text(_pdf(client.get(holder_files["url"]).data))
    assert "Statut Octroyée" in text and "Pays France" in text
    assert "Granted" not in text


def test_another_companys_operator_gets_404(factory, login, holder_files):
    client = login(factory.operator())
    assert client.get(holder_files["url"]).status_code == 404
    assert client.get("/rex/autorisations/999999/certificat.pdf").status_code == 404


def test_anonymous_users_are_sent_to_the_login_page(client, holder_files):
    for url in (holder_files["url"], holder_files["admin_url"]):
        response = client.get(url)
        assert response.status_code == 302
        assert urlsplit(response.headers["Location"]).path == "/connexion"


def test_officers_and_supervisors_of_the_office_download_it(factory, login, officer, holder_files):
    for user in (officer, factory.user(Role.SUPERVISOR, supervised=[factory.office(OFFICE_A)])):
        response = login(user).get(holder_files["admin_url"])
        assert response.status_code == 200, user.role
        assert response.mimetype == "application/pdf"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert holder_files["number"] in _text(_pdf(response.data))


def test_staff_outside_the_office_get_404_and_operators_403(factory, login, holder_files):
    for user in (factory.officer(OFFICE_B), factory.user(Role.SUPERVISOR, supervised=[factory.office(OFFICE_B)])):
        assert login(user).get(holder_files["admin_url"]).status_code == 404, user.role
    assert login(factory.officer(OFFICE_A)).get("/admin/autorisations/999999/certificat.pdf").status_code == 404
    assert login(holder_files["operator"]).get(holder_files["admin_url"]).status_code == 403
    # Staff use the back-office URL; the operator route is for operators only.
    assert login(factory.officer(OFFICE_A)).get(holder_files["url"]).status_code == 403


# --- rendered once, served from storage ------------------------------------------------------------

@pytest.fixture
def renders(monkeypatch):
    """Counts the renders (the real renderer still runs)."""
    import app.certificates as certificates

    calls = []
    real = certificates.render_certificate

    def counting(registration):
        calls.append(registration.id)
        return real(registration)

    monkeypatch.setattr(certificates, "render_certificate", counting)
    return calls


def test_the_first_download_renders_and_stores_it_and_the_next_ones_serve_the_stored_pdf(login, holder_files,
                                                                                          renders):
    from app.models import RegistrationCertificate

    client = login(holder_files["operator"])
    first = client.get(holder_files["url"]).data
    second = client.get(holder_files["url"]).data
    assert renders == [holder_files["id"]]
    assert first == second
    assert db.session.get(RegistrationCertificate, holder_files["id"]).pdf == first


def test_a_revocation_makes_the_stored_pdf_stale_and_the_next_download_says_revoked(login, factory, officer,
                                                                                     holder_files, renders):
    client = login(holder_files["operator"])
    client.get(holder_files["url"])
    registration = db.session.get(Registration, holder_files["id"])
    revoke_after_hearing(officer, registration)
    text = _text(_pdf(client.get(holder_files["url"]).data))
    assert "Révoquée le" in text
    assert renders == [holder_files["id"], holder_files["id"]]


def test_the_job_renders_the_missing_certificates_once(holder_files, renders):
    from jobs.certificates import render_certificates

    assert render_certificates() == 1
    assert render_certificates() == 0
    assert renders == [holder_files["id"]]
