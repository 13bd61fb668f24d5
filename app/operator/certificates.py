"""'Imprimer l'autorisation': the registration certificate PDF, for the holder's certified accounts."""
from app.certificates import certificate_response
from app.operator.common import bp, operator_required, registration_or_404


@bp.get("/autorisations/<int:registration_id>/certificat.pdf")
@operator_required
def registration_certificate(registration_id: int):
    return certificate_response(registration_or_404(registration_id))
