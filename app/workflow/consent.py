"""Consent to publication given or withdrawn after the grant (issue 17, item 5), as the form promises.

    granted | modification_requested --withdraw_consent--> (same status): the register publishes the number, the
        status and the dates only, at once; the Commission is told
    granted | modification_requested --give_consent--> (same status): name, address, contact and goods are
        published again

The consent lives on the registered content (the application of the version in force), as it was signed.
"""
from flask_babel import lazy_gettext as _l

from app import background
from app.models import PublicationConsent, Registration, User
from app.models._time import utcnow
from app.models.registrations import ACTIVE_REGISTRATION_STATUSES
from app.notifications import email_context, queue_email
from app.workflow.history import record
from app.workflow.kernel import transition
from app.workflow.rex import queue_transmission
from app.workflow.subjects import HOLDER, REGISTRATION

LIVE = ACTIVE_REGISTRATION_STATUSES


def consented(registration: Registration) -> bool:
    consent = registration.application.publication_consent
    return bool(consent and consent.consent)


def consent_given(actor: User, registration: Registration):
    """the holder consents to publication now"""
    if not consented(registration):
        return _l("Vous n'avez pas consenti à la publication de vos données.")
    return None


def consent_not_given(actor: User, registration: Registration):
    """the holder does not consent to publication now"""
    if consented(registration):
        return _l("Vous consentez déjà à la publication de vos données.")
    return None


def _set(actor: User, registration: Registration, value: bool, kind: str) -> Registration:
    application = registration.application
    if application.publication_consent is None:
        application.publication_consent = PublicationConsent(consent=value)
    else:
        application.publication_consent.consent = value
    now = utcnow()
    registration.updated_at = now
    record(application, kind, actor, registration=registration)
    queue_email(kind, application.exporter_email, **email_context(application, registration=registration))
    queue_transmission(registration, application, "modify")
    return registration


@transition(REGISTRATION, "withdraw_consent", source=LIVE, target=None, by=(HOLDER,),
            label=_l("Retirer mon consentement à la publication"), guard=consent_given,
            events=("consent_withdrawn",), emails=("consent_withdrawn",), effects=(background.REX_TRANSMISSIONS,))
def withdraw_consent(actor: User, registration: Registration) -> Registration:
    """The register stops publishing the holder's name, address, contact and goods at once."""
    return _set(actor, registration, False, "consent_withdrawn")


@transition(REGISTRATION, "give_consent", source=LIVE, target=None, by=(HOLDER,),
            label=_l("Consentir à la publication de mes données"), guard=consent_not_given,
            events=("consent_given",), emails=("consent_given",), effects=(background.REX_TRANSMISSIONS,))
def give_consent(actor: User, registration: Registration) -> Registration:
    """The register publishes the holder's name, address, contact and goods from now on."""
    return _set(actor, registration, True, "consent_given")
