"""'Imprimer l'autorisation': the registration certificate PDF, for the holder's certified accounts."""
from flask import abort
from flask_login import current_user

from app.certificates import certificate_response
from app.extensions import db
from app.models import Registration
from app.operator.views import bp, operator_required


@bp.get("/autorisations/<int:registration_id>/certificat.pdf")
@operator_required
def registration_certificate(registration_id: int):
    # The same rule as the registration page (views.registration): 404 for any other account.
    registration = db.session.get(Registration, registration_id)
    if registration is None or not any(c.company_id == registration.company_id for c in current_user.certifications):
        abort(404)
    return certificate_response(registration)
