"""What the transitions act on (subjects) and who fires them (parties), as the transition table names them."""
from flask_babel import lazy_gettext as _l

from app.models import Application, CertificationRequest, Company, Registration, RexTransmission, Role
from app.workflow.access import office_scope, officer_may_instruct, operator_may_access
from app.workflow.kernel import Party, Subject

OPERATOR_ROLES = frozenset({Role.OPERATOR, Role.REPRESENTATIVE})
OFFICE_ROLES = frozenset({Role.OFFICER, Role.SUPERVISOR})

# The operator or representative certified for the object's company (or who wrote a file without one).
HOLDER = Party("holder", OPERATOR_ROLES, operator_may_access)
# An officer of the object's office, or a supervisor of it.
OFFICE = Party("office", OFFICE_ROLES, officer_may_instruct, staff=True)
# Any operator or representative: creations, where there is no object yet.
APPLICANT = Party("applicant", OPERATOR_ROLES)
# Any officer or supervisor: creations on the office's side (paper filing).
OFFICER = Party("officer", OFFICE_ROLES, staff=True)

# EORI numbers have no status column: a company's number is valid until invalidated.
EORI_VALID, EORI_INVALIDATED = "valid", "invalidated"
# Transmission states (app/models/transmissions.py) read as statuses.

APPLICATION = Subject(
    name="application", model=Application, status=lambda a: a.status, kind=lambda a: a.kind, versioned=True,
    refusals={"holder": _l("Vous n'êtes pas habilité à agir sur cette demande."),
              "office": _l("Cette demande ne relève pas de votre service.")},
    wrong_status=lambda status: _l("Cette action n'est pas possible pour une demande au statut « %(status)s ».",
                                   status=status))

REGISTRATION = Subject(
    name="registration", model=Registration, status=lambda r: r.status,
    refusals={"holder": _l("Vous n'êtes pas habilité à agir sur cette autorisation."),
              "office": _l("Cette autorisation ne relève pas de votre service.")},
    wrong_status=lambda status: _l("Cette action n'est pas possible pour une autorisation au statut "
                                   "« %(status)s ».", status=status))

EORI_NUMBER = Subject(
    name="eori_number", model=Company,
    status=lambda c: EORI_INVALIDATED if c.eori_invalidated_on is not None else EORI_VALID,
    refusals={"office": _l("Ce numéro EORI ne relève pas de votre service.")},
    wrong_status=lambda status: _l("Cette action n'est pas possible pour un numéro EORI au statut « %(status)s ».",
                                   status=status))


def _decides_certification(actor, request: CertificationRequest) -> bool:
    return request.office_id in office_scope(actor)


CERTIFICATION_REQUEST = Subject(
    name="certification_request", model=CertificationRequest, status=lambda r: r.status,
    refusals={"office": _l("Cette demande d'habilitation ne relève pas de votre service."),
              "holder": _l("Seul un opérateur ou un représentant en douane peut demander une habilitation.")},
    wrong_status=lambda status: _l("Cette demande d'habilitation a déjà été traitée."))
# The office deciding a certification request is the one the request was addressed to.
CERTIFICATION_OFFICE = Party("office", OFFICE_ROLES, _decides_certification, staff=True)


def _instructs_transmission(actor, transmission: RexTransmission) -> bool:
    return transmission.registration.office_id in office_scope(actor)


TRANSMISSION = Subject(
    name="rex_transmission", model=RexTransmission, status=lambda t: t.state,
    refusals={"office": _l("Cette demande ne relève pas de votre service.")},
    wrong_status=lambda status: _l("Seule une transmission en erreur peut être renvoyée."))
TRANSMISSION_OFFICE = Party("office", OFFICE_ROLES, _instructs_transmission, staff=True)
