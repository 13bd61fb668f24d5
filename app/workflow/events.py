"""Kinds of history events, and how a person reads them (the seed guide's words)."""
from flask_babel import lazy_gettext as _l

EVENT_LABELS = {
    "draft_created": _l("Création de la demande"),
    "duplicated": _l("Création de la demande à partir d'un duplicata"),
    "submitted": _l("Demande déposée auprès du service de recevabilité"),
    "filed_on_paper": _l("Demande déposée par le service pour le compte de l'opérateur (formulaire papier)"),
    "comment": _l("Message ajouté au fil de discussion"),
    "information_requested": _l("Informations complémentaires sollicitées au demandeur"),
    "content_modified": _l("Modification du contenu de la demande"),
    "completed": _l("Complément apporté à la demande"),
    "draft_abandoned": _l("Brouillon abandonné"),
    "abandoned": _l("Demande abandonnée par le demandeur"),
    "granted": _l("Autorisation octroyée"),
    "rejected": _l("Demande rejetée"),
    "rejected_automatically": _l("Demande rejetée automatiquement faute de réponse dans le délai de 30 jours"),
    "assigned": _l("Dossier pris en charge"),
    "reassigned": _l("Demande réaffectée à un autre service"),
    "corrected_by_office": _l("Donnée de la demande corrigée par le service"),
    "document_added": _l("Document ajouté à la demande"),
    "document_removed": _l("Document retiré de la demande"),
    "rex_transmission_error": _l("Erreur de communication avec l'application REX"),
    "rex_transmission_resent": _l("Renvoi à l'application REX demandé"),
    "modification_draft_created": _l("Création de la demande de modification de l'enregistrement"),
    "modification_requested": _l("Modification de l'enregistrement demandée"),
    "modification_validated": _l("Modification de l'enregistrement validée"),
    "new_version": _l("Nouvelle version de l'autorisation après modification"),
    "modification_refused": _l("Modification de l'enregistrement refusée"),
    "modification_abandoned": _l("Demande de modification abandonnée par le demandeur"),
    "modification_rejected_automatically": _l("Demande de modification rejetée automatiquement faute de "
                                               "réponse dans le délai de 30 jours"),
    "revoked": _l("Enregistrement révoqué"),
    "revocation_cancelled": _l("Révocation de l'enregistrement annulée"),
    "decision_proposed": _l("Décision proposée, à valider par un second agent"),
    "decision_approved": _l("Décision validée par un second agent"),
    "decision_returned": _l("Décision proposée renvoyée à son auteur"),
    "deadline_extended": _l("Délai de réponse prolongé"),
    "clock_suspended": _l("Délai suspendu dans l'attente d'une réponse extérieure"),
    "clock_resumed": _l("Reprise du délai"),
    "revocation_intended": _l("Intention de révoquer notifiée au titulaire"),
    "observations_presented": _l("Observations du titulaire sur la révocation envisagée"),
    "hearing_period_ended": _l("Fin du délai pour présenter des observations"),
    "revocation_abandoned": _l("Procédure de révocation abandonnée"),
    "deregistration_requested": _l("Radiation de l'enregistrement demandée par le titulaire"),
    "eori_granted": _l("Numéro EORI attribué"),
    "consent_withdrawn": _l("Consentement à la publication des données retiré"),
    "consent_given": _l("Consentement à la publication des données donné"),
    "eori_invalidated": _l("Numéro EORI invalidé"),
    "data_purged": _l("Données purgées"),
    "eori_reactivated": _l("Numéro EORI réactivé"),
    "certification_requested": _l("Demande d'habilitation déposée"),
    "certification_approved": _l("Habilitation accordée"),
    "certification_refused": _l("Habilitation refusée"),
}

STATUS_LABELS = {
    "draft": _l("Brouillon"),
    "under_review": _l("En étude"),
    "incomplete": _l("Incomplète"),
    "rejected": _l("Rejetée"),
    "granted": _l("Octroyée"),
    "modification_requested": _l("Modification demandée"),
    "superseded": _l("Version antérieure"),
    "revoked": _l("Révoquée"),
    "abandoned": _l("Abandonnée"),
    "invalidated": _l("Invalidée"),  # an EORI number, in « Mes autorisations »
}


# What a file's kind is called in lists and pages (the guide's "Type" column).
KIND_LABELS = {
    "REX": _l("REX"),
    "REX_MODIFICATION": _l("Demande de modification"),
    "EORI": _l("EORI"),
}


def kind_label(kind) -> str:
    value = getattr(kind, "value", kind)
    return str(KIND_LABELS.get(value, value))


# Events whose comment is written for officers (an HTTP error, a retry time in UTC, "utilisez « Renvoyer »",
# jobs/rex.py): an operator's history shows this sentence instead.
OPERATOR_COMMENTS = {
    "rex_transmission_error": _l("La transmission de votre enregistrement au système REX de la Commission "
                                 "européenne n'a pas encore abouti. Le service des douanes s'en charge : vous "
                                 "n'avez rien à faire et votre enregistrement n'est pas remis en cause."),
}


def history_comment(event, viewer) -> str:
    """The comment of a history event as `viewer` reads it: officers see every detail."""
    if event.kind in OPERATOR_COMMENTS and not getattr(viewer, "is_staff", False):
        return str(OPERATOR_COMMENTS[event.kind])
    return event.comment or ""


def event_label(kind: str) -> str:
    return str(EVENT_LABELS.get(kind, kind))


def status_label(status) -> str:
    value = getattr(status, "value", status)
    return str(STATUS_LABELS.get(value, value))
