"""Four-eyes decisions (issue 17, item 1; docs/decisions.md).

In an office with four_eyes on, granting (validating a modification, attributing an EORI number included),
rejecting and revoking are proposed by one officer and take effect when a second officer or a supervisor of the
office approves ("Valider la décision"), or are sent back with a comment:

    under_review --propose_grant--> (same status), a pending proposal
    under_review | incomplete --propose_rejection--> (same status), a pending proposal
    granted | modification_requested (holder heard) --propose_revocation--> (same status), a pending proposal
    … --approve_decision--> the decision proposed, as its own transition would do it, by the approver
    … --return_proposal--> (same status), the proposal sent back

The proposer never approves their own proposal, whatever their role. A pending proposal freezes the file against
the other decisions (kernel.cross_check below). The operator sees nothing until the decision takes effect: a
proposal sends no email, the decision sends its own.
"""
from contextvars import ContextVar

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app import background
from app.extensions import db
from app.models import Application, ApplicationKind, ApplicationStatus, DecisionProposal, Registration, User
from app.models._time import utcnow
from app.models.proposals import PROPOSAL_APPROVED, PROPOSAL_PENDING, PROPOSAL_RETURNED
from app.models.registrations import ACTIVE_REGISTRATION_STATUSES
from app.workflow import hearing, kernel
from app.workflow.errors import WorkflowError, WrongStatus
from app.workflow.history import record
from app.workflow.kernel import optional_text, required_text, transition
from app.workflow.subjects import APPLICATION, OFFICE, REGISTRATION

S = ApplicationStatus
OPEN = (S.UNDER_REVIEW, S.INCOMPLETE)
LIVE = ACTIVE_REGISTRATION_STATUSES
DECISIONS = {("application", "grant"), ("application", "reject"), ("registration", "revoke")}
# What a pending proposal freezes besides the decisions themselves.
FROZEN = DECISIONS | {("application", "request_information"), ("application", "reassign"),
                      ("application", "extend_deadline"), ("application", "suspend_clock"),
                      ("registration", "notify_revocation_intent"), ("registration", "abandon_revocation"),
                      ("registration", "confirm_deregistration"), ("registration", "cancel_revocation")}
ACTION_LABELS = {"grant": _l("Octroi"), "reject": _l("Rejet"), "revoke": _l("Révocation")}
_approving: ContextVar[bool] = ContextVar("four_eyes_approving", default=False)


def pending_proposal(obj) -> DecisionProposal | None:
    """The proposal awaiting approval on a file or on a registration, if any."""
    if isinstance(obj, Registration):
        where = (DecisionProposal.registration_id == obj.id,)
    elif isinstance(obj, Application):
        where = (DecisionProposal.application_id == obj.id, DecisionProposal.registration_id.is_(None))
    else:
        return None
    return db.session.scalar(select(DecisionProposal).where(*where, DecisionProposal.status == PROPOSAL_PENDING))


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


def _office(obj):
    return obj.office


@kernel.cross_check
def four_eyes(transition, actor, obj):
    key = (transition.subject.name, transition.name)
    if key not in FROZEN or _approving.get():
        return None
    if pending_proposal(obj) is not None:
        return _l("Une décision proposée attend d'être validée : le dossier est figé jusqu'à sa validation ou son "
                  "renvoi.")
    office = _office(obj)
    if key in DECISIONS and office is not None and office.four_eyes:
        return _l("Dans ce service, les décisions sont prises à quatre yeux : proposez la décision, un second agent "
                  "ou un superviseur la validera.")
    return None


def _may_propose(obj):
    office = _office(obj)
    if office is None or not office.four_eyes:
        return _l("Ce service prend ses décisions sans validation par un second agent.")
    if pending_proposal(obj) is not None:
        return _l("Une décision proposée attend déjà d'être validée.")
    return None


def may_propose(actor: User, obj):
    """the office decides with four eyes and no proposal is pending"""
    return _may_propose(obj)


def may_propose_revocation(actor: User, registration: Registration):
    """the office decides with four eyes, no proposal is pending, and the holder was heard"""
    return _may_propose(registration) or hearing.heard(actor, registration)


def may_approve(actor: User, obj):
    """a proposal is pending, made by another officer"""
    proposal = pending_proposal(obj)
    if proposal is None:
        return _l("Aucune décision proposée n'attend de validation.")
    if actor is not None and proposal.proposed_by_id == actor.id:
        return _l("Vous ne pouvez pas valider votre propre proposition : un second agent ou un superviseur du "
                  "service doit la valider.")
    return None


def proposal_pending(actor: User, obj):
    """a proposal is pending"""
    if pending_proposal(obj) is None:
        return _l("Aucune décision proposée n'attend de validation.")
    return None


def _propose(actor, application, action, reason=None, registration=None) -> DecisionProposal:
    decision = kernel.find(REGISTRATION if registration is not None else APPLICATION, action,
                           registration or application)
    token = _approving.set(True)
    try:  # what the decision itself would refuse now (its status, its guard) is refused at once
        refused = kernel.check(decision, actor, registration or application).reason
    finally:
        _approving.reset(token)
    if refused is not None:
        raise WrongStatus(refused)
    proposal = DecisionProposal(application_id=application.id, registration_id=registration.id if registration
                                else None, office_id=(registration or application).office_id, action=action,
                                reason=reason, proposed_by_id=actor.id, proposed_at=utcnow())
    db.session.add(proposal)
    comment = action_label(action) + (f" : {reason}" if reason else "")
    record(application, "decision_proposed", actor, comment=comment, registration=registration)
    db.session.flush()
    return proposal


@transition(APPLICATION, "propose_grant", source=(S.UNDER_REVIEW,), target=None, by=(OFFICE,),
            label=_l("Proposer l'octroi"), guard=may_propose, events=("decision_proposed",),
            inputs={"remedy_note": optional_text()})
def propose_grant(actor: User, application: Application, remedy_note: str | None = None) -> DecisionProposal:
    """Four eyes: the grant (or the validation of a modification, the attribution of an EORI number) proposed;
    after a revocation to be remedied, with the note that it was (carried to the grant)."""
    from app.workflow.applications import REMEDY_REQUIRED, earlier_revocation
    if application.kind == ApplicationKind.REX and earlier_revocation(application) is not None and not remedy_note:
        raise WorkflowError(REMEDY_REQUIRED, field="remedy_note")
    return _propose(actor, application, "grant", remedy_note)


@transition(APPLICATION, "propose_rejection", source=OPEN, target=None, by=(OFFICE,),
            label=_l("Proposer le rejet"), guard=may_propose, events=("decision_proposed",),
            inputs={"reason": required_text(_l("Le motif du rejet est obligatoire."))})
def propose_rejection(actor: User, application: Application, reason: str) -> DecisionProposal:
    """Four eyes: the rejection proposed with its reason, which the decision will carry."""
    return _propose(actor, application, "reject", reason)


@transition(REGISTRATION, "propose_revocation", source=LIVE, target=None, by=(OFFICE,),
            label=_l("Proposer la révocation"), guard=may_propose_revocation, events=("decision_proposed",),
            inputs={"comment_text": required_text(_l("Le commentaire de la révocation est obligatoire."),
                                                  field="comment")})
def propose_revocation(actor: User, registration: Registration, comment_text: str) -> DecisionProposal:
    """Four eyes: the revocation proposed, once the holder was heard, on the ground notified."""
    return _propose(actor, registration.application, "revoke", comment_text, registration)


def _approve(actor, obj, proposal: DecisionProposal):
    decision = kernel.find(REGISTRATION if proposal.registration_id else APPLICATION, proposal.action, obj)
    proposal.status = PROPOSAL_APPROVED
    proposal.decided_by_id = actor.id
    proposal.decided_at = utcnow()
    registration = obj if isinstance(obj, Registration) else None
    application = registration.application if registration is not None else obj
    record(application, "decision_approved", actor, registration=registration,
           comment=str(_l("%(action)s proposé par %(name)s", action=action_label(proposal.action),
                          name=proposal.proposed_by.full_name)))
    token = _approving.set(True)
    try:
        refused = kernel.check(decision, actor, obj).reason
        if refused is not None:
            raise WrongStatus(refused)
        body = decision.function.__wrapped__
        if proposal.action == "grant" and obj.kind == ApplicationKind.REX:
            return body(actor, obj, remedy_note=proposal.reason)
        if proposal.action == "grant":
            return body(actor, obj)
        if proposal.action == "reject":
            return body(actor, obj, proposal.reason)
        return body(actor, obj, None, proposal.reason)
    finally:
        _approving.reset(token)


@transition(APPLICATION, "approve_decision", source=OPEN, target=None, by=(OFFICE,),
            label=_l("Valider la décision"), guard=may_approve,
            events=("decision_approved", "granted", "rejected", "eori_granted", "modification_validated",
                    "new_version", "modification_refused"),
            emails=("granted", "rejected", "eori_granted", "modification_validated", "modification_refused"),
            effects=(background.REX_TRANSMISSIONS,))
def approve_decision(actor: User, application: Application):
    """A second officer or a supervisor of the office: the proposed decision takes effect, with its email."""
    return _approve(actor, application, pending_proposal(application))


@transition(REGISTRATION, "approve_decision", source=LIVE, target=None, by=(OFFICE,),
            label=_l("Valider la décision"), guard=may_approve,
            events=("decision_approved", "revoked", "rejected", "draft_abandoned"), emails=("revoked",),
            effects=(background.REX_TRANSMISSIONS,))
def approve_revocation(actor: User, registration: Registration):
    """A second officer or a supervisor of the office: the proposed revocation takes effect."""
    return _approve(actor, registration, pending_proposal(registration))


def _return(actor, obj, comment_text):
    proposal = pending_proposal(obj)
    proposal.status = PROPOSAL_RETURNED
    proposal.decided_by_id = actor.id
    proposal.decided_at = utcnow()
    proposal.comment = comment_text
    registration = obj if isinstance(obj, Registration) else None
    application = registration.application if registration is not None else obj
    record(application, "decision_returned", actor, registration=registration,
           comment=f"{action_label(proposal.action)} : {comment_text}")
    return proposal


@transition(APPLICATION, "return_proposal", source=OPEN, target=None, by=(OFFICE,),
            label=_l("Renvoyer la proposition"), guard=proposal_pending, events=("decision_returned",),
            inputs={"comment_text": required_text(_l("Indiquez pourquoi la proposition est renvoyée."),
                                                  field="return_comment")})
def return_proposal(actor: User, application: Application, comment_text: str) -> DecisionProposal:
    """The proposal goes back to its author with a comment; the file is free again."""
    return _return(actor, application, comment_text)


@transition(REGISTRATION, "return_proposal", source=LIVE, target=None, by=(OFFICE,),
            label=_l("Renvoyer la proposition"), guard=proposal_pending, events=("decision_returned",),
            inputs={"comment_text": required_text(_l("Indiquez pourquoi la proposition est renvoyée."),
                                                  field="return_comment")})
def return_revocation_proposal(actor: User, registration: Registration, comment_text: str) -> DecisionProposal:
    """The proposed revocation goes back to its author with a comment."""
    return _return(actor, registration, comment_text)
