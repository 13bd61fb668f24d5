"""The transition table is the procedure: every declared transition, fired by every kind of actor on an object in
every status of its subject, succeeds exactly when the table allows it (role and relation, status, guard). A
success leads to the declared status with only declared events and emails; a refusal changes nothing. The buttons
(`allowed`) agree, and docs/workflow.md is the table as `flask workflow` prints it."""
import random
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import func, select, update
from stdnum import luhn

from app import workflow
from app.extensions import db
from app.models import (
    Application, ApplicationKind, Certification, CertificationRequest, Company, DiscussionMessage, Document,
    HistoryEvent, OutboxEmail, Registration, RexTransmission, Role,
)
from app.models.transmissions import REX_ERROR
from app.workflow import certifications, clock, eori, four_eyes, hearing, kernel, registrations
from app.workflow.documents import add_document
from app.workflow.instruction import assign
from app.workflow.table import render
from tests.eori_helpers import eori_content
from tests.hearing_helpers import heard, revoke_after_hearing

DOCS = Path(__file__).resolve().parents[2] / "docs" / "workflow.md"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
REX, MOD, EORI = ApplicationKind.REX, ApplicationKind.REX_MODIFICATION, ApplicationKind.EORI
ACTORS = ("holder", "representative", "stranger", "officer", "other_officer", "supervisor", "admin")


def test_docs_workflow_md_is_the_printed_table(app):
    printed = app.test_cli_runner().invoke(args=["workflow"]).output
    assert printed == render()
    assert DOCS.read_text(encoding="utf-8") == printed, "run: flask --app wsgi workflow > docs/workflow.md"


def test_every_transition_of_the_table_is_walked():
    walked = {(subject, name) for subject, _, _, name in CASES}
    declared = {(t.subject.name, t.name) for t in kernel.TABLE if t.source is not None and not t.bulk}
    assert declared == walked


# --- the world ------------------------------------------------------------------------------------

def _eori_numbers() -> tuple[str, str, str]:
    """A fresh SIREN, SIRET and VAT number with valid check digits (python-stdnum's Luhn)."""
    body = f"{random.randrange(10**7, 10**8)}"
    siren = body + luhn.calc_check_digit(body)
    nic = f"{random.randrange(1000):04d}"
    siret = siren + nic + luhn.calc_check_digit(siren + nic)
    return siren, siret, f"FR{(12 + 3 * (int(siren) % 97)) % 97:02d}{siren}"


@dataclass
class Case:
    obj: object
    company: Company
    holder: object
    representative: object
    officer: object
    other_officer: object
    supervisor: object
    stranger: object
    admin: object
    spare_contact: object
    spare_document: object

    def actor(self, name):
        return getattr(self, name)


@pytest.fixture
def people(factory):
    office = factory.office("FR000600")
    spare = factory.draft(factory.operator())
    add_document(spare.created_by, spare, "Pièce de réserve", "reserve.pdf", PDF)
    return {"office": office, "officer": factory.officer("FR000600"), "other_officer": factory.officer("FR002300"),
            "supervisor": factory.user(Role.SUPERVISOR, supervised=[office]), "stranger": factory.operator(),
            "admin": factory.user(Role.ADMIN), "spare_contact": spare.contacts[0],
            "spare_document": db.session.scalar(select(Document).where(Document.application_id == spare.id))}


def _rex_file(factory, case_people, status, company, holder):
    officer = case_people["officer"]
    application = factory.draft(holder, company)
    add_document(holder, application, "Statuts", "statuts.pdf", PDF)
    if status == "draft":
        return application
    workflow.submit(holder, application)
    if status == "incomplete":
        workflow.request_information(officer, application, "Précisez vos marchandises.")
    elif status == "proposed":  # four eyes: a grant proposed, awaiting a second officer
        application.office.four_eyes = True
        four_eyes.propose_grant(officer, application)
    elif status == "incomplete_suspended":
        workflow.request_information(officer, application, "Précisez vos marchandises.")
        clock.suspend_clock(officer, application, "Vérification demandée à la DGCCRF.")
    elif status == "rejected":
        workflow.reject(officer, application, "Relation inexistante.")
    elif status == "granted":
        workflow.grant(officer, application)
    elif status == "abandoned":
        workflow.abandon(holder, application)
    return application


def _modification(factory, case_people, status, company, holder):
    officer = case_people["officer"]
    registration = workflow.grant(officer, _rex_file(factory, case_people, "under_review", company, holder))
    draft = registrations.request_modification(holder, registration)
    content = workflow.content_of(draft)
    content.goods = [*content.goods, {"heading": "4203", "description": "Ceintures en cuir"}]
    workflow.save_draft(holder, draft, content, request_comment="Nouvelle marchandise.")
    add_document(holder, draft, "Catalogue", "catalogue.pdf", PDF)
    if status == "draft":
        return draft
    workflow.submit(holder, draft)
    if status == "incomplete":
        workflow.request_information(officer, draft, "Précisez la nouvelle marchandise.")
    elif status == "rejected":
        workflow.reject(officer, draft, "Marchandise non originaire.")
    elif status == "granted":
        workflow.grant(officer, draft)
    elif status == "abandoned":
        workflow.abandon(holder, draft)
    return draft


def _eori_file(factory, case_people, status, holder):
    officer = case_people["officer"]
    siren, siret, vat = _eori_numbers()
    application = eori.create_draft(holder)
    eori.save_draft(holder, application, eori_content(siren=siren, siret=siret, vat_number=vat),
                    case_people["office"].id)
    add_document(holder, application, "Kbis", "kbis.pdf", PDF)
    if status == "draft":
        return application
    workflow.submit(holder, application)
    if status == "incomplete":
        workflow.request_information(officer, application, "Joignez le Kbis.")
    elif status == "rejected":
        workflow.reject(officer, application, "SIRET inconnu.")
    elif status == "granted":
        workflow.grant(officer, application)
    elif status == "abandoned":
        workflow.abandon(holder, application)
    return application


def _registration(factory, case_people, status, company, holder):
    officer = case_people["officer"]
    registration = workflow.grant(officer, _rex_file(factory, case_people, "under_review", company, holder))
    if status == "modification_requested":
        draft = registrations.request_modification(holder, registration)
        workflow.save_draft(holder, draft, workflow.content_of(draft), request_comment="Nouveau courriel.")
        workflow.submit(holder, draft)
    elif status == "superseded":
        draft = registrations.request_modification(holder, registration)
        workflow.save_draft(holder, draft, workflow.content_of(draft), request_comment="Nouveau courriel.")
        workflow.submit(holder, draft)
        workflow.grant(officer, draft)
    elif status == "revoked":
        revoke_after_hearing(officer, registration, "ceased_to_exist", "Cessation constatée.")
    elif status == "revocation_intended":
        hearing.notify_revocation_intent(officer, registration, "ceased_to_exist", "Cessation constatée.")
    elif status == "heard":
        heard(officer, registration, "ceased_to_exist", answer_by=holder, answer="Nous exportons encore.")
    elif status == "deregistration_requested":
        registrations.request_deregistration(holder, registration, "Nous n'exportons plus.")
    db.session.refresh(registration)
    return registration


def _certification_request(factory, case_people, status, company):
    applicant = factory.user(Role.OPERATOR)
    request = certifications.request_certification(applicant, company.eori)
    if status == "approved":
        certifications.approve(case_people["officer"], request)
    elif status == "refused":
        certifications.refuse(case_people["officer"], request, "Mandat absent.")
    return request


def _transmission(factory, case_people, status, company, holder):
    registration = workflow.grant(case_people["officer"],
                                  _rex_file(factory, case_people, "under_review", company, holder))
    transmission = db.session.scalar(select(RexTransmission).where(RexTransmission.registration_id == registration.id))
    db.session.execute(update(RexTransmission).where(RexTransmission.id == transmission.id).values(state=status))
    db.session.commit()
    db.session.refresh(transmission)
    return transmission


def build(factory, case_people, subject, kind, status) -> Case:
    company = factory.company(office_id=case_people["office"].id)
    holder = factory.operator(company)
    representative = factory.representative(clients=[company])
    if subject == "application":
        if kind == EORI:
            obj = _eori_file(factory, case_people, status, holder)
        elif kind == MOD:
            obj = _modification(factory, case_people, status, company, holder)
        else:
            obj = _rex_file(factory, case_people, status, company, holder)
    elif subject == "registration":
        obj = _registration(factory, case_people, status, company, holder)
    elif subject == "eori_number":
        obj = company
        if status == "invalidated":
            eori.invalidate(case_people["officer"], company, "ceased", None, "Radiation au RCS.")
    elif subject == "certification_request":
        obj = _certification_request(factory, case_people, status, company)
    else:
        obj = _transmission(factory, case_people, status, company, holder)
    db.session.refresh(obj)
    return Case(obj=obj, company=company, holder=holder, representative=representative,
                **{k: v for k, v in case_people.items() if k != "office"})


# --- what each transition is given -------------------------------------------------------------------

def _contact(case):
    return case.obj.contacts[0] if getattr(case.obj, "contacts", None) else case.spare_contact


def _document(case):
    return db.session.scalar(select(Document).where(Document.application_id == case.obj.id)) or case.spare_document


def _save_draft_args(case):
    if case.obj.kind == EORI:
        request = case.obj.eori_request
        content = eori_content(siren=request.siren, siret=request.siret, vat_number=request.vat_number,
                               phone="05 59 00 00 01") if request else eori_content()
        return (content, case.obj.office_id or case.officer.office_id), {}
    content = workflow.content_of(case.obj)
    content.exporter["phone"] = "05 59 00 00 01"
    return (content,), {"request_comment": "Nouveau courriel." if case.obj.kind == MOD else None}


def _assignee(case, actor):
    return actor if actor.role == Role.OFFICER else case.officer


INPUTS = {
    ("application", "save_draft"): lambda case, actor: _save_draft_args(case),
    ("application", "comment"): lambda case, actor: (("Une question sur le dossier.",), {}),
    ("application", "complete"): lambda case, actor: (("Voici le complément.",), {}),
    ("application", "abandon"): lambda case, actor: ((), {"comment_text": "Nous renonçons."}),
    ("application", "add_document"): lambda case, actor: (("Facture", "facture.pdf", PDF), {}),
    ("application", "remove_document"): lambda case, actor: ((_document(case),), {}),
    ("application", "request_information"): lambda case, actor: (("Précisez vos marchandises.",), {}),
    ("application", "reject"): lambda case, actor: (("Motif du rejet.",), {}),
    ("application", "assign"): lambda case, actor: ((_assignee(case, actor),), {}),
    ("application", "reassign"): lambda case, actor: ((case.other_officer.office, "Compétence du Havre."), {}),
    ("application", "correct"): lambda case, actor: ((_contact(case), {"full_name": "Jeanne Nouvelle"}), {}),
    ("application", "extend_deadline"): lambda case, actor: ((10, "À la demande de l'opérateur."), {}),
    ("application", "suspend_clock"): lambda case, actor: (("Vérification demandée à la DGCCRF.",), {}),
    ("application", "resume_clock"): lambda case, actor: (("Réponse reçue.",), {}),
    ("registration", "request_deregistration"): lambda case, actor: (("Nous n'exportons plus.",), {}),
    ("registration", "comment"): lambda case, actor: (("Une question sur l'autorisation.",), {}),
    ("registration", "revoke"): lambda case, actor: ((None, "Conditions non remplies."), {}),
    ("registration", "notify_revocation_intent"): lambda case, actor: (("conditions_not_met", "Contrôle."), {}),
    ("registration", "present_observations"): lambda case, actor: (("Nous exportons encore.",), {}),
    ("registration", "abandon_revocation"): lambda case, actor: (("Observations convaincantes.",), {}),
    ("registration", "cancel_revocation"): lambda case, actor: (("Erreur de saisie.",), {}),
    ("registration", "confirm_deregistration"): lambda case, actor: (("Radiation confirmée.",), {}),
    ("eori_number", "reactivate"): lambda case, actor: (("Reprise d'activité.",), {}),
    ("application", "propose_rejection"): lambda case, actor: (("Motif du rejet.",), {}),
    ("application", "return_proposal"): lambda case, actor: (("À revoir.",), {}),
    ("registration", "propose_revocation"): lambda case, actor: (("Conditions non remplies.",), {}),
    ("registration", "return_proposal"): lambda case, actor: (("À revoir.",), {}),
    ("eori_number", "invalidate"): lambda case, actor: (("holder_request", None, "À la demande du titulaire."), {}),
    ("certification_request", "refuse"): lambda case, actor: (("Mandat absent.",), {}),
}

STATUSES = {
    "application": ("draft", "under_review", "incomplete", "rejected", "granted", "abandoned"),
    "registration": ("granted", "deregistration_requested", "modification_requested", "superseded", "revoked",
                     "revocation_intended", "heard"),
    "eori_number": ("valid", "invalidated"),
    "certification_request": ("pending", "approved", "refused"),
    "rex_transmission": ("to_send", "sent", "acknowledged", REX_ERROR),
}


def _cases():
    cases = set()
    for t in kernel.TABLE:
        if t.source is None or t.bulk:
            continue
        kinds = (t.kinds or (REX, MOD, EORI)) if t.subject.name == "application" else (None,)
        for kind in kinds:
            for status in STATUSES[t.subject.name]:
                cases.add((t.subject.name, kind, status, t.name))
            if kind == REX:  # issue 17: one kind is enough, the clock and four eyes are the same for all
                cases.add((t.subject.name, kind, "incomplete_suspended", t.name))
                cases.add((t.subject.name, kind, "proposed", t.name))
    return sorted(cases, key=lambda c: (c[0], str(c[1]), c[2], c[3]))


CASES = _cases()


# --- the walk -----------------------------------------------------------------------------------------

def expected(transition, actor, obj) -> bool:
    """What the table says: a party of the transition admits the actor's role and relation, the object is in
    a source status, and the guard has nothing against it."""
    party = next((p for p in transition.by if actor.role in p.roles), None)
    if party is None or (party.relation is not None and not party.relation(actor, obj)):
        return False
    if transition.subject.status(obj) not in transition.source:
        return False
    if transition.guard is not None and transition.guard(actor, obj) is not None:
        return False
    return kernel.cross_refusal(transition, actor, obj) is None  # four eyes (app/workflow/four_eyes.py)


def state(obj) -> dict:
    counts = {model.__name__: db.session.scalar(select(func.count()).select_from(model)) for model in (
        Application, Registration, Company, Certification, CertificationRequest, Document, DiscussionMessage,
        HistoryEvent, OutboxEmail, RexTransmission)}
    db.session.refresh(obj)
    columns = {c.key: getattr(obj, c.key) for c in obj.__table__.columns}
    return {"counts": counts, "row": columns}


def fire(transition, case, actor):
    args, kwargs = INPUTS.get((transition.subject.name, transition.name), lambda c, a: ((), {}))(case, actor)
    return transition.function(actor, case.obj, *args, **kwargs)


@pytest.mark.parametrize("subject,kind,status,name", CASES,
                         ids=[f"{s}-{getattr(k, 'value', 'all')}-{st}-{n}" for s, k, st, n in CASES])
def test_transition_succeeds_exactly_when_the_table_allows_it(factory, people, subject, kind, status, name):
    case = build(factory, people, subject, kind, status)
    transition = kernel.find(next(t.subject for t in kernel.TABLE if t.subject.name == subject), name, case.obj)
    for actor_name in ACTORS:
        actor = case.actor(actor_name)
        allows = expected(transition, actor, case.obj)
        assert bool(kernel.allowed(actor, case.obj).get(name)) == allows, (actor_name, "button")
        before = state(case.obj)
        events_before = set(db.session.scalars(select(HistoryEvent.id)))
        emails_before = set(db.session.scalars(select(OutboxEmail.id)))
        try:
            fire(transition, case, actor)
            succeeded = True
        except workflow.WorkflowError as exc:
            succeeded, refusal = False, exc
        db.session.expire_all()
        assert succeeded == allows, (actor_name, None if succeeded else refusal.message)
        if not succeeded:
            assert state(case.obj) == before, (actor_name, "a refusal changed the database")
            continue
        db.session.refresh(case.obj)
        if transition.target is not None:
            assert transition.subject.status(case.obj) == transition.target
        new_events = set(db.session.scalars(select(HistoryEvent.kind).where(HistoryEvent.id.not_in(events_before))))
        new_emails = set(db.session.scalars(select(OutboxEmail.template)
                                            .where(OutboxEmail.id.not_in(emails_before))))
        assert new_events <= set(transition.events), (actor_name, new_events)
        assert new_emails <= set(transition.emails), (actor_name, new_emails)
        case = build(factory, people, subject, kind, status)  # the next actor starts from the same status
