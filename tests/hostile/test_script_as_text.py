"""Script typed by an operator (a discussion message, a company name) is shown as text everywhere: escaped on
the operator's application page, the officer's instruction page and grids (queue, goods, history), as literal
text in the registration certificate, and as typed in plain-text emails with one-line subjects."""
import io
import re
from email import message_from_string

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from app import workflow
from app.extensions import db
from app.models import OutboxEmail
from jobs.outbox import build_message
from tests.hostile.strategies import SCRIPT
from tests.operator.html import parse

TAGS = (b"<script>alert(1)", b"<img src=x", b"<IMG", b"onerror=alert(1)>")


def _assert_escaped(response, what):
    assert response.status_code == 200, (what, response.status_code)
    html = response.data
    for tag in TAGS:
        assert tag not in html, (what, tag)
    # the text is there, as text
    assert SCRIPT in " ".join(parse(html).text().split()) or SCRIPT in parse(html).text(), what
    for node in parse(html).iter():
        assert node.tag != "script" or "alert(1)" not in node.text(), what
        assert not (node.tag == "img" and "onerror" in node.attrs), what


@pytest.fixture
def hostile_file(factory, login):
    officer = factory.officer("FR000600")
    company = factory.company(name=SCRIPT)
    operator = factory.operator(company)
    application = factory.submitted(operator, company, "FR000600")
    client = login(operator)
    posted = client.post(f"/rex/demandes/{application.id}/message", data={"body": SCRIPT})
    assert posted.status_code == 302
    return {"client": client, "officer": officer, "operator": operator, "company": company,
            "application": application, "login": login}


def test_script_in_a_message_and_a_company_name_is_text_on_the_operator_application_page(hostile_file):
    response = hostile_file["client"].get(f"/rex/demandes/{hostile_file['application'].id}")
    _assert_escaped(response, "operator page")
    assert response.data.count(b"&lt;script&gt;alert(1)&lt;/script&gt;") >= 2  # the name and the message


def test_script_is_text_on_the_instruction_page_and_the_queue_grid(hostile_file):
    client = hostile_file["login"](hostile_file["officer"])
    _assert_escaped(client.get(f"/admin/dossier/{hostile_file['application'].id}"), "instruction page")
    _assert_escaped(client.get("/admin/a_traiter/"), "queue grid")
    _assert_escaped(client.get("/admin/marchandises/"), "goods grid (the exporter's name)")


def test_script_in_an_officer_message_is_in_the_history_grid_as_text(hostile_file):
    client = hostile_file["login"](hostile_file["officer"])
    application = hostile_file["application"]
    posted = client.post(f"/admin/dossier/{application.id}/message", data={"body": SCRIPT})
    assert posted.status_code == 302
    _assert_escaped(client.get("/admin/historique/"), "history grid")


def test_script_in_the_company_name_is_literal_text_in_the_certificate(hostile_file):
    registration = workflow.grant(hostile_file["officer"], hostile_file["application"])
    response = hostile_file["client"].get(f"/rex/autorisations/{registration.id}/certificat.pdf")
    assert response.status_code == 200
    text = "".join(" ".join((p.extract_text() or "").split()) for p in PdfReader(io.BytesIO(response.data)).pages)
    squeezed = re.sub(r"\s+", "", text)
    assert re.sub(r"\s+", "", SCRIPT) in squeezed  # shown as typed: neither dropped nor double-escaped
    assert "&lt;" not in text and "&amp;" not in text


def test_emails_about_the_hostile_file_have_one_line_subjects(hostile_file):
    workflow.grant(hostile_file["officer"], hostile_file["application"])
    db.session.expire_all()
    emails = db.session.scalars(select(OutboxEmail)).all()
    assert emails
    for email in emails:
        assert "\r" not in email.subject and "\n" not in email.subject, email.subject
        assert "&lt;" not in email.body, email.body  # text emails: no HTML escaping in plain text


def test_script_in_an_officer_message_reaches_the_email_as_plain_text(hostile_file):
    officer, application = hostile_file["officer"], hostile_file["application"]
    workflow.comment(officer, application, SCRIPT)
    db.session.expire_all()
    email = db.session.scalars(select(OutboxEmail).where(OutboxEmail.recipient == application.exporter_email,
                                                         OutboxEmail.subject.contains("Nouveau message"))).one()
    assert SCRIPT in email.body  # as typed, neither escaped nor stripped

    message = message_from_string(build_message(email).as_string())
    assert message.get_content_type() == "text/plain"  # no HTML part that a mail client would render
    assert not any(part.get_content_type() == "text/html" for part in message.walk())
