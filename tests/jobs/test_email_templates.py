"""Every status change's email renders in French and starts with its Subject line."""
from datetime import date
from types import SimpleNamespace

import pytest

from app.notifications import render_email

APPLICATION = SimpleNamespace(id=7, reference="FR-REX-2026-00042")
REGISTRATION = SimpleNamespace(id=3, number="FRREX12345678901", registered_on=date(2026, 11, 2),
                               valid_from=date(2026, 11, 2))
LATER = {
    "modification_requested": "Modification demandée",
    "modification_validated": "Modification validée",
    "modification_refused": "Modification refusée",
    "revoked": "Enregistrement révoqué",
    "revocation_cancelled": "Révocation annulée",
}


@pytest.mark.parametrize("template", sorted(LATER))
def test_the_registration_emails_render_with_a_subject(app, template):
    subject, body = render_email(template, application=APPLICATION, registration=REGISTRATION,
                                 reason="Manquement constaté (art. 89).", comment="Vu le dossier.",
                                 base_url="https://soprano.example")
    assert subject == f"SOPRANO-REX {LATER[template]} : {REGISTRATION.number}"
    assert not body.startswith("Subject")
    assert APPLICATION.reference in body
    assert "https://soprano.example/rex/autorisations/3" in body
    assert body.rstrip().endswith("SOPRANO - Gestion des demandes d'autorisations douanières")
    if template in ("modification_refused", "revoked"):
        assert "Manquement constaté (art. 89)." in body


def test_every_email_template_starts_with_a_subject_line(app):
    from pathlib import Path

    folder = Path(app.root_path).parent / "templates" / "email"
    names = {p.stem for p in folder.glob("*.txt")}
    assert {"submitted", "incomplete", "completed", "granted", "rejected", "rejected_automatically",
            "reassigned"} | set(LATER) <= names
    for path in folder.glob("*.txt"):
        assert path.read_text(encoding="utf-8").startswith("Subject: "), path.name


@pytest.mark.parametrize("kind, teleservice, procedure", [
    ("REX", "SOPRANO-REX", "numéro REX"), ("EORI", "SOPRANO-EORI", "numéro EORI"),
    ("REX_MODIFICATION", "SOPRANO-REX", "modification d'enregistrement REX")])
def test_a_files_emails_name_its_procedure(app, kind, teleservice, procedure):
    application = SimpleNamespace(id=7, reference="FR-X-2026-0000042", kind=kind, answer_deadline=None,
                                  office=SimpleNamespace(name="Le Havre", code="FR002300"))
    for template in ("incomplete", "rejected", "rejected_automatically", "completed", "reassigned"):
        subject, body = render_email(template, application=application, reason="Motif", message="Question",
                                     office=SimpleNamespace(name="Le Havre"), comment="", base_url="")
        assert subject.startswith(teleservice + " "), (template, subject)
        assert f"{procedure} FR-X-2026-0000042" in body, template
