"""The workflow kernel: each transition is declared once, and the declarations form the transition table.

    @transition(APPLICATION, "request_information", kinds=ANY_KIND, source=(S.UNDER_REVIEW,),
                target=S.INCOMPLETE, by=(OFFICE,), label=_l("Demander des informations complémentaires"),
                inputs={"message": required_text(_l("Précisez les informations attendues du demandeur."))},
                events=("information_requested",), emails=("incomplete",))
    def request_information(actor, application, message): ...

The decorator does, in this order and once for all transitions: the typed inputs (a refusal beside its field,
before anything else), the actor (role, then relation to the object: holder or office), the row lock and the
version the person saw, the status, the guard; then it runs the body and commits, or rolls back and raises.
A concurrent writer detected at a flush or at the commit is ``StaleFile``. The effects the body made due (an
email, a transmission) are announced after the commit (app/background.py).

``allowed(actor, obj)`` answers, without locking, which transitions the actor may fire on the object now and,
for the others, why not: templates draw their buttons from it.
"""
import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from app import background
from app.extensions import db
from app.models import User
from app.workflow import rules
from app.workflow.errors import NotAllowed, StaleFile, WorkflowError, WrongStatus
from app.workflow.events import status_label

STALE = _l("Ce dossier a changé pendant votre action : rechargez la page.")
STALE_SINCE_OPENED = _l("Ce dossier a changé depuis que vous l'avez ouvert : rechargez la page.")


# --- who ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Party:
    """Who may fire a transition: roles, and the relation the actor must have with the object (None: the role
    is enough, as for a creation)."""
    name: str
    roles: frozenset
    relation: Callable[[User, Any], bool] | None = None
    staff: bool = False

    def admits_role(self, actor: User | None) -> bool:
        return actor is not None and actor.role in self.roles


SYSTEM = Party("system", frozenset())  # the scheduler: no actor ("Action automatique")


# --- what -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Subject:
    """A kind of object with a status: an application, a registration, an EORI number, a certification request."""
    name: str
    model: type
    status: Callable[[Any], Any]
    # Why an actor without the relation is refused, per party name (e.g. "Cette demande ne relève pas…").
    refusals: dict
    # status label -> "Cette action n'est pas possible pour … au statut « … »."
    wrong_status: Callable[[str], Any]
    kind: Callable[[Any], Any] = lambda obj: None
    versioned: bool = False  # the row has a version column the person's form carries


@dataclass(frozen=True)
class Transition:
    subject: Subject
    name: str
    kinds: tuple
    source: tuple | None  # None: a creation, from nothing
    target: Any
    by: tuple
    label: Any
    guard: Callable | None
    inputs: dict
    events: tuple
    emails: tuple
    effects: tuple
    refusal: Any
    wrong_status: Any
    bulk: bool
    function: Callable = field(compare=False, repr=False)

    def applies_to(self, obj) -> bool:
        return not self.kinds or self.subject.kind(obj) in self.kinds

    @property
    def guard_text(self) -> str:
        return (inspect.getdoc(self.guard) or "").split("\n")[0] if self.guard else ""


TABLE: list[Transition] = []
_by_name: dict[tuple[str, str], list[Transition]] = {}
# Checks that cut across transitions (four eyes, app/workflow/four_eyes.py): (transition, actor, obj) -> why not,
# or None. They run after the guard, in the transition and in allowed().
CROSS_CHECKS: list[Callable] = []


def cross_check(function: Callable) -> Callable:
    CROSS_CHECKS.append(function)
    return function


def cross_refusal(transition: "Transition", actor: User | None, obj) -> Any | None:
    for check_ in CROSS_CHECKS:
        if (reason := check_(transition, actor, obj)) is not None:
            return reason
    return None


# --- typed inputs -----------------------------------------------------------------------------------

def typed_text(value: str | None, field_name: str) -> str:
    """What a person typed, stripped; a NUL in it (PostgreSQL cannot store one) is refused beside its field."""
    value = (value or "").strip()
    if rules.has_nul(value):
        raise WorkflowError(rules.NUL_CHARACTER, field=field_name)
    return value


def required_text(message, field: str | None = None) -> Callable[[str | None, str], str]:
    """A text that must not be empty; `field` names the form field when it differs from the parameter."""
    def check(value, field_name):
        value = typed_text(value, field_name)
        if not value:
            raise WorkflowError(message, field=field_name)
        return value
    check.field = field
    return check


def optional_text(field: str | None = None) -> Callable[[str | None, str], str | None]:
    def check(value, field_name):
        return typed_text(value, field_name) or None
    check.field = field
    return check


# --- the checks ---------------------------------------------------------------------------------------

def _party_for(transition: Transition, actor: User | None) -> Party | None:
    return next((party for party in transition.by if party.admits_role(actor)), None)


def _refusal(transition: Transition, actor: User | None):
    if transition.refusal is not None:
        return transition.refusal
    staff = bool(actor and actor.is_staff)
    party = next((p for p in transition.by if p.staff == staff), transition.by[0] if transition.by else None)
    return transition.subject.refusals.get(party.name if party else "", transition.subject.refusals.get("*"))


def actor_refusal(transition: Transition, actor: User | None, obj) -> Any | None:
    """Why this actor may not fire the transition on this object, whatever its status; None if it may."""
    if transition.by == (SYSTEM,):
        return None if actor is None else _refusal(transition, actor)
    party = _party_for(transition, actor)
    if party is None:
        return _refusal(transition, actor)
    if obj is not None and party.relation is not None and not party.relation(actor, obj):
        return transition.subject.refusals.get(party.name, _refusal(transition, actor))
    return None


def status_refusal(transition: Transition, obj) -> Any | None:
    if transition.source is None or obj is None:
        return None
    status = transition.subject.status(obj)
    if status in transition.source:
        return None
    if transition.wrong_status is not None:
        return transition.wrong_status
    return transition.subject.wrong_status(status_label(status))


def lock_row(obj, expected_version: int | None = None, subject: Subject | None = None) -> None:
    """Reload the object with a row lock and check nobody changed it since the person read it."""
    db.session.refresh(obj, with_for_update=True)
    if expected_version is not None and getattr(obj, "version", expected_version) != expected_version:
        raise StaleFile(STALE_SINCE_OPENED)


def fail(exc: Exception):
    """Undo the transaction (and the effects it made due), then raise."""
    db.session.rollback()
    raise exc


def commit() -> None:
    """Commit the transition, then announce its effects. A concurrent writer caught at the commit is StaleFile."""
    try:
        background.commit()
    except (StaleDataError, IntegrityError):
        db.session.rollback()
        raise StaleFile(STALE) from None


# --- the declaration ------------------------------------------------------------------------------------

def transition(subject: Subject, name: str, *, source, target, by, label, kinds=(), guard=None,
               guard_refusal=WrongStatus, inputs=None, events=(), emails=(), effects=(), refusal=None,
               wrong_status=None, lock=True):
    """Declare a transition. The body receives (actor, obj, inputs…) once every check has passed and returns
    the transition's result. The declared function takes ``expected_version`` (the version the person's form
    carries), checked here and not passed on: last, unless the body names it to set its place."""
    inputs = inputs or {}

    def declare(body):
        signature = inspect.signature(body)
        parameters = list(signature.parameters.values())
        if subject.versioned and "expected_version" not in signature.parameters:
            parameters.append(inspect.Parameter("expected_version", inspect.Parameter.POSITIONAL_OR_KEYWORD,
                                                default=None))
        public = signature.replace(parameters=parameters)

        @wraps(body)
        def fire(*args, **kwargs):
            bound = public.bind(*args, **kwargs)
            bound.apply_defaults()
            arguments = dict(bound.arguments)
            version = arguments.pop("expected_version", None)
            actor, obj = list(arguments.values())[:2] if source is not None else (arguments[parameters[0].name], None)
            try:
                for input_name, check in inputs.items():
                    arguments[input_name] = check(arguments.get(input_name),
                                                  getattr(check, "field", None) or input_name)
                refused = actor_refusal(declared, actor, obj)
                if refused is not None:
                    raise NotAllowed(refused)
                if obj is not None:
                    if not declared.applies_to(obj):
                        raise NotAllowed(_l("Cette action n'est pas possible pour ce type de demande."))
                    if lock:
                        lock_row(obj, version, subject)
                    refused = status_refusal(declared, obj)
                    if refused is not None:
                        raise WrongStatus(refused)
                    if guard is not None and (reason := guard(actor, obj)) is not None:
                        raise guard_refusal(reason)
                    if (reason := cross_refusal(declared, actor, obj)) is not None:
                        raise WrongStatus(reason)
                result = body(**arguments)
            except WorkflowError as exc:
                fail(exc)
            except (StaleDataError, IntegrityError):
                db.session.rollback()
                raise StaleFile(STALE) from None
            commit()
            return result

        fire.__signature__ = public
        declared = Transition(
            subject=subject, name=name, kinds=tuple(kinds), source=tuple(source) if source is not None else None,
            target=target, by=tuple(by), label=label, guard=guard, inputs=inputs, events=tuple(events),
            emails=tuple(emails), effects=tuple(effects), refusal=refusal, wrong_status=wrong_status, bulk=False,
            function=fire)
        _register(declared)
        fire.transition = declared
        return fire
    return declare


def bulk_transition(subject: Subject, name: str, *, source, target, label, events=(), emails=(), effects=()):
    """Declare a set-based transition fired by the system (the deadline sweep): it keeps its own batches and
    commits, and appears in the table like any other."""
    def declare(function):
        declared = Transition(
            subject=subject, name=name, kinds=(), source=tuple(source), target=target, by=(SYSTEM,), label=label,
            guard=None, inputs={}, events=tuple(events), emails=tuple(emails), effects=tuple(effects),
            refusal=None, wrong_status=None, bulk=True, function=function)
        _register(declared)
        function.transition = declared
        return function
    return declare


def _register(declared: Transition) -> None:
    TABLE.append(declared)
    _by_name.setdefault((declared.subject.name, declared.name), []).append(declared)


def action(subject: Subject, name: str) -> Callable:
    """One entry point for a transition declared per kind (grant of a REX, of a modification, of an EORI…): the
    declaration matching the object's kind runs."""
    def fire(actor, obj, *args, **kwargs):
        return find(subject, name, obj).function(actor, obj, *args, **kwargs)
    fire.__name__ = name
    fire.__doc__ = f"Fire '{name}' as declared for the object's kind (app/workflow/kernel.py)."
    return fire


def find(subject: Subject, name: str, obj=None) -> Transition:
    candidates = _by_name.get((subject.name, name), [])
    for declared in candidates:
        if obj is None or declared.applies_to(obj):
            return declared
    raise NotAllowed(_l("Cette action n'est pas possible pour ce type de demande."))


# --- what may be done now -------------------------------------------------------------------------------

@dataclass
class Permission:
    """A transition and, when the actor may not fire it now, why not (falsy then)."""
    transition: Transition
    reason: Any = None

    def __bool__(self) -> bool:
        return self.reason is None

    @property
    def label(self):
        return self.transition.label if self.transition is not None else None


class Allowed(dict):
    """name -> Permission; an unknown name reads as not allowed, so a template can ask `can.grant`."""

    def __getattr__(self, name):
        # A refused permission is falsy: `self.get(name) or …` replaced it, and its reason, with "Action
        # inconnue.". Dunder lookups (copy, pickle, Jinja's __html__) must fail as for any object.
        if name.startswith("__"):
            raise AttributeError(name)
        if name in self:
            return self[name]
        return Permission(None, _l("Action inconnue."))


def check(transition: Transition, actor: User | None, obj) -> Permission:
    reason = actor_refusal(transition, actor, obj)
    if reason is None:
        reason = status_refusal(transition, obj)
    if reason is None and transition.guard is not None and obj is not None:
        reason = transition.guard(actor, obj)
    if reason is None and obj is not None:
        reason = cross_refusal(transition, actor, obj)
    return Permission(transition, reason)


def allowed(actor: User | None, obj) -> Allowed:
    """The transitions of the object's subject and kind, each with the actor's permission now (no lock taken)."""
    result = Allowed()
    for declared in TABLE:
        if declared.bulk or declared.source is None or not isinstance(obj, declared.subject.model):
            continue
        if declared.applies_to(obj) and declared.name not in result:
            result[declared.name] = check(declared, actor, obj)
    return result


def may(actor: User | None, obj, name: str) -> bool:
    return bool(allowed(actor, obj).get(name))


# --- kind-specific steps ------------------------------------------------------------------------------------

_steps: dict[tuple[str, Any], Callable] = {}


def kind_step(step: str, kind):
    """Register the kind-specific part of a shared step (e.g. the validation of an EORI form)."""
    def register(function):
        _steps[(step, kind)] = function
        return function
    return register


def step(step_name: str, kind, default: Callable | None = None) -> Callable | None:
    return _steps.get((step_name, kind), default)


