"""The application page: the discussion thread, duplicate, abandon, and answering a request for information."""
from sqlalchemy import func, select

from app.extensions import db
from app.models import Application, ApplicationStatus, Document, HistoryEvent
from tests.operator.helpers import form_data, reload
from tests.operator.html import errors_beside, page_text, parse, value_of

S = ApplicationStatus


def _section(response, element_id):
    node = parse(response.data).find(id=element_id)
    assert node is not None, element_id
    return node.text()


def _history_kinds(application_id):
    return list(db.session.scalars(select(HistoryEvent.kind).where(HistoryEvent.application_id == application_id)
                                   .order_by(HistoryEvent.id)))


def _buttons(response):
    return [b.text() for b in parse(response.data).find_all("button")]


def test_comment_appears_in_the_thread_and_in_the_history(client, factory, login):
    operator = factory.operator()
    application = factory.submitted(operator)
    login(operator)

    response = client.post(f"/rex/demandes/{application.id}/message",
                           data={"body": "Nos factures sont jointes au dossier."})

    assert response.status_code == 302
    assert response.location.endswith(f"/rex/demandes/{application.id}#fil")
    page = client.get(f"/rex/demandes/{application.id}")
    assert "Nos factures sont jointes au dossier." in _section(page, "fil")
    history = _section(page, "historique")
    assert "Message ajouté au fil de discussion" in history
    assert "Nos factures sont jointes au dossier." in history
    assert _history_kinds(application.id)[-1] == "comment"


def test_empty_comment_is_refused_beside_the_message_field(client, factory, login):
    operator = factory.operator()
    application = factory.submitted(operator)
    login(operator)
    history_before = _history_kinds(application.id)

    response = client.post(f"/rex/demandes/{application.id}/message", data={"body": "   "})

    assert response.status_code == 422
    assert errors_beside(parse(response.data), "body") == ["Votre message est vide."]
    assert _history_kinds(application.id) == history_before


def test_the_thread_of_a_draft_is_closed(client, factory, login):
    operator = factory.operator()
    application = factory.draft(operator)
    login(operator)
    page = client.get(f"/rex/demandes/{application.id}")
    assert not [n for n in parse(page.data).find_all("textarea") if n.attrs.get("name") == "body"]

    response = client.post(f"/rex/demandes/{application.id}/message", data={"body": "Bonjour"})
    assert response.status_code == 422
    assert "Cette action n'est pas possible pour une demande au statut « Brouillon »." in page_text(response)
    assert "comment" not in _history_kinds(application.id)


def test_operator_duplicates_a_rejected_application(client, factory, login):
    operator = factory.operator()
    rejected = factory.rejected(operator, factory.officer())
    login(operator)
    assert "Dupliquer" in _buttons(client.get(f"/rex/demandes/{rejected.id}"))

    response = client.post(f"/rex/demandes/{rejected.id}/dupliquer")

    assert response.status_code == 302
    copy = db.session.scalar(select(Application).where(Application.duplicated_from_id == rejected.id))
    assert copy.status == S.DRAFT and copy.reference != rejected.reference
    assert response.location.endswith(f"/rex/demandes/{copy.id}/formulaire")
    form = client.get(response.location)
    assert (f"La demande {copy.reference} a été créée à partir d'un duplicata de la demande {rejected.reference}."
            in page_text(form))
    doc = parse(form.data)
    assert value_of(doc, "goods-0-heading") == "4202"
    assert value_of(doc, "contacts-0-full_name") == "Éloïse Darrigrand"
    assert reload(rejected.id).status == S.REJECTED


def test_duplicate_is_hidden_and_refused_unless_the_file_was_rejected(client, factory, login):
    officer = factory.officer()
    operator = factory.user(companies=[factory.company(), factory.company(), factory.company()])
    companies = operator.certified_companies
    files = [factory.submitted(operator, companies[0], officer.office.code),
             factory.incomplete(operator, officer, companies[1]),
             factory.granted(operator, officer, companies[2]),
             factory.draft(operator, companies[0])]
    login(operator)
    count = db.session.scalar(select(func.count()).select_from(Application))

    for application in files:
        assert "Dupliquer" not in _buttons(client.get(f"/rex/demandes/{application.id}")), application.status
        response = client.post(f"/rex/demandes/{application.id}/dupliquer")
        assert response.status_code == 302
        assert response.location.endswith(f"/rex/demandes/{application.id}")
        assert "Vous ne pouvez dupliquer qu'une demande rejetée" in page_text(client.get(response.location))

    assert db.session.scalar(select(func.count()).select_from(Application)) == count


def test_abandon_with_comment_deletes_the_content_keeps_the_history_and_shows_the_tombstone(
        client, factory, login, add_pdf):
    operator = factory.operator()
    officer = factory.officer()
    application = factory.incomplete(operator, officer)
    add_pdf(operator, application)
    login(operator)
    history_before = _history_kinds(application.id)

    response = client.post(f"/rex/demandes/{application.id}/abandonner",
                           data={"comment": "Nous n'exportons plus vers le Japon."})

    assert response.status_code == 302
    abandoned = reload(application.id)
    assert abandoned.status == S.ABANDONED
    assert abandoned.contacts == [] and abandoned.goods_lines == [] and abandoned.relations == []
    assert abandoned.undertaking is None and abandoned.publication_consent is None
    assert abandoned.exporter_email is None and abandoned.exporter_phone is None
    assert db.session.scalar(select(func.count()).select_from(Document)
                             .where(Document.application_id == application.id)) == 0
    assert _history_kinds(application.id) == history_before + ["abandoned"]

    page = client.get(response.location)
    text = page_text(page)
    assert f"Votre demande {application.reference} a été abandonnée." in text
    assert "Cette demande a été abandonnée : les données renseignées ont été supprimées, son historique est conservé." \
        in text
    history = _section(page, "historique")
    assert "Demande abandonnée par le demandeur" in history
    assert "Nous n'exportons plus vers le Japon." in history
    assert "Informations complémentaires sollicitées au demandeur" in history
    assert "Sacs à main en cuir" not in text
    assert "Abandonner la demande" not in text


def test_abandon_of_a_decided_file_is_refused(client, factory, login):
    operator = factory.operator()
    application = factory.rejected(operator, factory.officer())
    login(operator)
    response = client.post(f"/rex/demandes/{application.id}/abandonner", data={"comment": "Tant pis"})
    assert response.status_code == 422
    assert "Cette action n'est pas possible pour une demande au statut « Rejetée »." in page_text(response)
    assert reload(application.id).status == S.REJECTED


def _answer_request_up_to_the_summary(client, factory, login):
    """The officer asks for information; the operator opens 'Compléter', edits the form and validates."""
    from app import workflow

    company = factory.company()
    operator = factory.operator(company)
    officer = factory.officer()
    application = factory.submitted(operator, company, officer.office.code)
    workflow.request_information(officer, application, "Précisez la nature exacte des sacs.")
    login(operator)

    page = client.get(f"/rex/demandes/{application.id}")
    assert "Précisez la nature exacte des sacs." in _section(page, "fil")
    assert "Compléter la demande" in page_text(page)
    confirm = client.get(f"/rex/demandes/{application.id}/completer")
    assert confirm.status_code == 200
    assert f"Compléter la demande {application.reference}" in page_text(confirm)
    response = client.post(f"/rex/demandes/{application.id}/completer")
    assert response.status_code == 302
    assert response.location.endswith(f"/rex/demandes/{application.id}/formulaire")
    assert client.get(response.location).status_code == 200

    response = client.post(response.location, data=form_data(
        company, officer.office, **{"goods-0-description": "Sacs à main en cuir de veau pleine fleur"}))
    assert response.status_code == 302
    assert response.location.endswith(f"/rex/demandes/{application.id}/recapitulatif")
    summary = client.get(response.location)
    assert "Compléments apportés à la demande" in page_text(summary)
    assert reload(application.id).status == S.INCOMPLETE
    # The edits are kept aside until the complement is transmitted: no history event yet.
    assert "content_modified" not in _history_kinds(application.id)
    return application, value_of(parse(summary.data), "version")


def test_complement_left_empty_is_refused_beside_its_field_and_the_file_stays_incomplete(client, factory, login):
    application, version = _answer_request_up_to_the_summary(client, factory, login)

    response = client.post(f"/rex/demandes/{application.id}/recapitulatif",
                           data={"version": version, "complement": "  "})

    assert response.status_code == 422
    assert errors_beside(parse(response.data), "complement") == [
        "Le champ « Compléments apportés à la demande » est obligatoire."]
    assert reload(application.id).status == S.INCOMPLETE


def test_complement_filled_sends_the_file_back_under_review(client, factory, login):
    application, version = _answer_request_up_to_the_summary(client, factory, login)

    response = client.post(f"/rex/demandes/{application.id}/recapitulatif",
                           data={"version": version, "complement": "Il s'agit de sacs en cuir de veau."})

    assert response.status_code == 302
    assert response.location.endswith(f"/rex/demandes/{application.id}")
    completed = reload(application.id)
    assert completed.status == S.UNDER_REVIEW
    assert completed.answer_deadline is None
    assert [g.description for g in completed.goods_lines] == ["Sacs à main en cuir de veau pleine fleur"]
    page = client.get(response.location)
    assert "Les informations complémentaires saisies ont été transmises au service." in page_text(page)
    assert "Il s'agit de sacs en cuir de veau." in _section(page, "fil")
    assert "Complément apporté à la demande" in _section(page, "historique")
    assert "Compléter la demande" not in [a.text() for a in parse(page.data).find_all("a")]
    assert _history_kinds(application.id)[-2:] == ["content_modified", "completed"]


def test_cancelling_the_complement_discards_the_edits_and_records_nothing(client, factory, login):
    application, version = _answer_request_up_to_the_summary(client, factory, login)
    kinds = _history_kinds(application.id)

    response = client.post(f"/rex/demandes/{application.id}/annuler-complement",
                           data={"version": version, "complement": ""})

    assert response.status_code == 302 and response.location.endswith(f"/rex/demandes/{application.id}")
    cancelled = reload(application.id)
    assert cancelled.status == S.INCOMPLETE and cancelled.complement_baseline is None
    assert [g.description for g in cancelled.goods_lines] == ["Sacs à main en cuir"]
    assert _history_kinds(application.id) == kinds
    page = client.get(response.location)
    assert "Sacs à main en cuir de veau pleine fleur" not in page_text(page)
    assert "La saisie du complément est annulée" in page_text(page)


def test_complete_page_of_a_file_that_is_not_incomplete_sends_back_to_the_file(client, factory, login):
    operator = factory.operator()
    application = factory.submitted(operator)
    login(operator)
    response = client.get(f"/rex/demandes/{application.id}/completer")
    assert response.status_code == 302
    assert "Cette demande n'est pas au statut « Incomplète »." in page_text(client.get(response.location))
