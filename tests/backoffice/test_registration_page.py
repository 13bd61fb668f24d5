"""The officer's registration page and the modification request's instruction page (guide 7.2, 7.3)."""
import pytest
from sqlalchemy import select

from app import workflow
from app.extensions import db
from app.models import Registration, RegistrationStatus as R
from app.workflow import registrations
from app.workflow.content import content_of
from tests.backoffice.helpers import emails, error_beside, text_of
from tests.hearing_helpers import heard


@pytest.fixture
def registration(world):
    workflow.grant(world.officer_a, world.file_a)
    return db.session.scalar(select(Registration).where(Registration.application_id == world.file_a.id))


def _fresh(registration_id: int) -> Registration:
    db.session.expire_all()
    return db.session.get(Registration, registration_id)


def _modification(world, registration):
    draft = registrations.request_modification(world.operator, registration)
    content = content_of(draft)
    content.goods = [*content.goods, {"heading": "3923", "description": "Bouchon plastique"}]
    workflow.save_draft(world.operator, draft, content, request_comment="Ajout d'une marchandise")
    workflow.submit(world.operator, draft)
    return draft


def test_officer_sees_the_registration_with_its_actions(world, as_user, registration):
    client = as_user(world.officer_a)
    body = text_of(client.get(f"/admin/autorisation/{registration.id}"))
    assert f"Autorisation {registration.number}" in body
    assert "Voir la demande à l'origine de cette autorisation" in body
    assert "Imprimer l'autorisation" in body
    assert "Notifier l'intention de révoquer" in body
    assert "Révoquer l'enregistrement" not in body  # the holder is heard first (issue 17)
    assert "Historique de l'autorisation" in body


def test_officer_of_another_office_gets_404(world, as_user, registration):
    assert as_user(world.officer_b).get(f"/admin/autorisation/{registration.id}").status_code == 404


def test_operator_never_reaches_the_officers_registration_page(world, as_user, registration):
    assert as_user(world.operator).get(f"/admin/autorisation/{registration.id}").status_code == 403


def test_intention_without_ground_is_refused_beside_the_field_and_keeps_the_grounds(world, as_user, registration):
    client = as_user(world.officer_a)
    response = client.post(f"/admin/autorisation/{registration.id}/notifier-revocation",
                           data={"hearing_ground": "", "hearing_grounds": "Contrôle du 12/11"})
    assert response.status_code == 422
    assert "Choisissez le motif de la révocation envisagée." in error_beside(response, "hearing_ground")
    assert "Contrôle du 12/11" in response.get_data(as_text=True)
    assert _fresh(registration.id).hearing_notified_at is None


def test_officer_revokes_then_cancels_the_revocation(world, as_user, registration):
    heard(world.officer_a, registration, "ceased_to_exist", answer_by=world.operator)
    client = as_user(world.officer_a)
    response = client.post(f"/admin/autorisation/{registration.id}/revoquer", data={"comment": "Radiée du RCS"})
    assert response.status_code == 302
    revoked = _fresh(registration.id)
    assert revoked.status == R.REVOKED
    body = text_of(client.get(f"/admin/autorisation/{registration.id}"))
    assert "Révoquée le" in body and "L'exportateur a cessé d'exister" in body
    assert "Annuler la révocation" in body
    assert len(emails("revoked")) == 1

    assert client.post(f"/admin/autorisation/{registration.id}/annuler-revocation",
                       data={"comment": "Erreur"}).status_code == 302
    assert _fresh(registration.id).status == R.GRANTED
    assert len(emails("revocation_cancelled")) == 1


def test_officer_confirms_the_holders_deregistration(world, as_user, registration):
    registrations.request_deregistration(world.operator, registration, "Fin des exportations vers le Japon")
    client = as_user(world.officer_a)
    assert "Confirmer la radiation" in text_of(client.get(f"/admin/autorisation/{registration.id}"))
    client.post(f"/admin/autorisation/{registration.id}/confirmer-radiation", data={"comment": "Confirmée"})
    confirmed = _fresh(registration.id)
    assert confirmed.status == R.REVOKED
    assert confirmed.revocation_ground.value == "holder_request"


def test_officer_writes_in_the_registration_thread(world, as_user, registration):
    client = as_user(world.officer_a)
    client.post(f"/admin/autorisation/{registration.id}/message", data={"body": "Merci de nous appeler."})
    assert "Merci de nous appeler." in text_of(client.get(f"/admin/autorisation/{registration.id}"))
    empty = client.post(f"/admin/autorisation/{registration.id}/message", data={"body": " "})
    assert empty.status_code == 422
    assert "Votre message est vide." in error_beside(empty, "body")


def test_modification_request_is_instructed_with_its_changes_and_validated(world, as_user, registration):
    draft = _modification(world, registration)
    client = as_user(world.officer_a)
    assert registration.number in text_of(client.get("/admin/modifications/"))
    body = text_of(client.get(f"/admin/dossier/{draft.id}"))
    assert "Demande de modification d'enregistrement" in body
    assert "Ajout d'une marchandise" in body
    assert "Bouchon plastique" in body and "Modifiée" in body
    assert "Valider la modification" in body and "Refuser la modification" in body

    response = client.post(f"/admin/dossier/{draft.id}/octroyer", data={"version": str(draft.version)})
    assert response.status_code == 302
    versions = registrations.versions_of(_fresh(registration.id))
    assert [v.status for v in versions] == [R.GRANTED, R.SUPERSEDED]
    page = text_of(client.get(f"/admin/autorisation/{versions[0].id}"))
    assert "Versions de l'enregistrement" in page
    assert "Nouvelle version de l'autorisation après modification" in page


def test_registrations_grid_lists_every_version_of_the_office(world, as_user, registration):
    draft = _modification(world, registration)
    workflow.grant(world.officer_a, draft)
    client = as_user(world.officer_a)
    body = text_of(client.get("/admin/autorisations_service/"))
    assert body.count(registration.number) == 2
    assert "Version antérieure" in body
    assert registration.number not in text_of(as_user(world.officer_b).get("/admin/autorisations_service/"))


def test_the_registrations_grid_shows_an_intended_revocation(world, as_user, registration):
    from app.workflow import hearing
    hearing.notify_revocation_intent(world.officer_a, registration, "conditions_not_met", "Contrôle du 12/11.")
    body = text_of(as_user(world.officer_a).get("/admin/autorisations_service/"))
    assert "Octroyée · Révocation envisagée" in body
