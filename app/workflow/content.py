"""The content of an application form, independent of how it was typed.

Views build an ApplicationContent from a form; the workflow writes it to the
model and compares snapshots to record what changed.
"""
from dataclasses import dataclass, field

EXPORTER_FIELDS = ("eori", "name", "address", "postcode", "city", "country", "phone", "email", "fax")
REPRESENTATIVE_FIELDS = EXPORTER_FIELDS
CONTACT_FIELDS = ("full_name", "address", "postcode", "city", "country", "phone", "email", "fax")


@dataclass
class ApplicationContent:
    office_id: int | None = None
    company_id: int | None = None
    exporter: dict = field(default_factory=dict)
    main_activity: str | None = None
    representative: dict = field(default_factory=dict)
    contacts: list[dict] = field(default_factory=list)
    goods: list[dict] = field(default_factory=list)  # {"heading": "3923", "description": "..."}
    relations: list[str] = field(default_factory=list)
    undertaking: dict = field(default_factory=dict)  # accepted, signatory_name, signatory_function, place
    consent: dict = field(default_factory=dict)  # consent, signatory_name, signatory_function, place


def content_of(application) -> ApplicationContent:
    """Read the current content of an application."""
    und = application.undertaking
    pc = application.publication_consent
    return ApplicationContent(
        office_id=application.office_id,
        company_id=application.company_id,
        exporter={f: getattr(application, f"exporter_{f}") for f in EXPORTER_FIELDS},
        main_activity=application.main_activity,
        representative={f: getattr(application, f"representative_{f}") for f in REPRESENTATIVE_FIELDS},
        contacts=[{f: getattr(c, f) for f in CONTACT_FIELDS} for c in application.contacts],
        goods=[{"heading": g.heading, "description": g.description} for g in application.goods_lines],
        relations=[r.code for r in application.relations],
        undertaking={
            "accepted": bool(und and und.accepted),
            "signatory_name": und.signatory_name if und else None,
            "signatory_function": und.signatory_function if und else None,
            "place": und.place if und else None,
        },
        consent={
            "consent": pc.consent if pc else None,
            "signatory_name": pc.signatory_name if pc else None,
            "signatory_function": pc.signatory_function if pc else None,
            "place": pc.place if pc else None,
        },
    )


def flatten(content: ApplicationContent) -> dict[str, object]:
    """A flat field -> value view, used to record old and new values in the history."""
    flat: dict[str, object] = {"office_id": content.office_id, "company_id": content.company_id,
                               "main_activity": content.main_activity}
    flat.update({f"exporter.{k}": v for k, v in content.exporter.items()})
    flat.update({f"representative.{k}": v for k, v in content.representative.items()})
    for i, contact in enumerate(content.contacts, 1):
        flat.update({f"contacts[{i}].{k}": v for k, v in contact.items()})
    for i, line in enumerate(content.goods, 1):
        flat.update({f"goods[{i}].{k}": v for k, v in line.items()})
    flat["relations"] = " ".join(content.relations)
    flat.update({f"undertaking.{k}": v for k, v in content.undertaking.items()})
    flat.update({f"consent.{k}": v for k, v in content.consent.items()})
    return flat


def changes_between(before: ApplicationContent, after: ApplicationContent) -> list[dict]:
    old, new = flatten(before), flatten(after)
    return [
        {"field": key, "old": old.get(key), "new": new.get(key)}
        for key in sorted(set(old) | set(new))
        if (old.get(key) or None) != (new.get(key) or None)
    ]
