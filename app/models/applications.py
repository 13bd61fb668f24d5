"""An application (demande) and the sections of its form."""
import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    JSON, Boolean, DateTime, Enum, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models._time import utcnow
from app.models.companies import Company
from app.models.offices import Office
from app.models.users import User

if TYPE_CHECKING:
    from app.models.registrations import Registration


class ApplicationStatus(str, enum.Enum):
    DRAFT = "draft"
    UNDER_REVIEW = "under_review"
    INCOMPLETE = "incomplete"
    REJECTED = "rejected"
    GRANTED = "granted"
    ABANDONED = "abandoned"


class ApplicationKind(str, enum.Enum):
    REX = "REX"
    # A holder's request to change its granted registration (guide 7.2): validated, it makes a new version.
    REX_MODIFICATION = "REX_MODIFICATION"
    # An EORI number for a company that has none yet (seed 004); its form is app/models/eori.py.
    EORI = "EORI"


# The status groups, defined once: the workflow, the queries and every screen read them from here.
# With the office ("en cours"): the office instructs, the operator may answer, complete or abandon.
PENDING_STATUSES = (ApplicationStatus.UNDER_REVIEW, ApplicationStatus.INCOMPLETE)
# The operator may change the content: while writing, and when the office asked for more.
EDITABLE_STATUSES = (ApplicationStatus.DRAFT, ApplicationStatus.INCOMPLETE)
DECIDED_STATUSES = (ApplicationStatus.REJECTED, ApplicationStatus.GRANTED)
# Submitted once: every status but the draft (an abandoned file may have been submitted or not).
FILED_STATUSES = tuple(s for s in ApplicationStatus if s != ApplicationStatus.DRAFT)


def _enum(cls, name):
    return Enum(cls, name=name, native_enum=False, create_constraint=True,
                values_callable=lambda e: [m.value for m in e], length=20)


class Application(db.Model):
    __table_args__ = (
        # One pending REX application per EORI holder, enforced by the database too.
        Index(
            "uq_application_pending_company",
            "kind", "company_id",
            unique=True,
            postgresql_where=text("status IN ('under_review', 'incomplete')"),
            sqlite_where=text("status IN ('under_review', 'incomplete')"),
        ),
        # One pending EORI application per number asked for (FR + SIRET, or FR + SIREN): until granted the
        # file has no company, and exporter_eori carries the number (app/workflow/eori.py).
        Index(
            "uq_application_pending_eori",
            "exporter_eori",
            unique=True,
            postgresql_where=text("kind = 'EORI' AND status IN ('under_review', 'incomplete')"),
            sqlite_where=text("kind = 'EORI' AND status IN ('under_review', 'incomplete')"),
        ),
        Index("ix_application_company_status_updated", "company_id", "status", "updated_at"),
        # The officers' queues: one office's files, a page at a time, in the order of a column
        # (migration 0002, measured by bench/queues.py).
        Index("ix_application_office_status_updated", "office_id", "status", "updated_at"),
        Index("ix_application_office_updated", "office_id", "updated_at"),
        Index("ix_application_office_status_deadline", "office_id", "status", "answer_deadline"),
        # The deadline sweep and the reminders (app/workflow/deadlines.py): only incomplete files, by deadline, so
        # their cost grows with the files due, not with the table (migration 0003, bench/sweep.py).
        Index("ix_application_incomplete_deadline", "answer_deadline",
              postgresql_where=text("status = 'incomplete'"), sqlite_where=text("status = 'incomplete'")),
        Index("ix_application_exporter_eori", "exporter_eori"),
        # The supervisors' charts (app/admin_views/charts.py, migration 0017, bench/charts.py): files received
        # per week, files decided per week with their time to decision, and one scan of the open files for
        # their age and the workload of each officer, each read from its index alone.
        Index("ix_application_office_submitted", "office_id", "submitted_at"),
        Index("ix_application_office_decided", "office_id", "decided_at", "status", "submitted_at",
              postgresql_where=text("decided_at IS NOT NULL"), sqlite_where=text("decided_at IS NOT NULL")),
        Index("ix_application_open_office", "office_id", "status", "submitted_at", "assigned_officer_id",
              postgresql_where=text("status IN ('under_review', 'incomplete')"),
              sqlite_where=text("status IN ('under_review', 'incomplete')")),
        # Search by reference prefix (LIKE 'FR-REX-2026-00%'): on PostgreSQL the unique index cannot serve
        # LIKE (the collation is not C), varchar_pattern_ops can. Elsewhere the operator class is ignored.
        # Unique and searchable by prefix with one index: varchar_pattern_ops serves = as well as LIKE 'x%'.
        Index("uq_application_reference", "reference", unique=True,
              postgresql_ops={"reference": "varchar_pattern_ops"}),
        # Most files are not modification requests: index only those that are.
        Index("ix_application_registration_id", "registration_id",
              postgresql_where=text("registration_id IS NOT NULL"), sqlite_where=text("registration_id IS NOT NULL")),
    )
    # Every non-HOT update of a file writes an entry in each of its indexes, so the table carries no index
    # that a composite above already leads with (office_id, company_id) or that only a partial index needs
    # (status, answer_deadline): migration 0007, measured by bench/sweep.py.

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str | None] = mapped_column(String(24))
    kind: Mapped[ApplicationKind] = mapped_column(_enum(ApplicationKind, "application_kind"),
                                                  default=ApplicationKind.REX)
    status: Mapped[ApplicationStatus] = mapped_column(_enum(ApplicationStatus, "application_status"),
                                                      default=ApplicationStatus.DRAFT)
    version: Mapped[int] = mapped_column(Integer, default=1)

    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    company_id: Mapped[int | None] = mapped_column(ForeignKey("company.id"))
    office_id: Mapped[int | None] = mapped_column(ForeignKey("office.id"))
    assigned_officer_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    duplicated_from_id: Mapped[int | None] = mapped_column(ForeignKey("application.id"))
    # A modification request: the registration version it asks to change.
    registration_id: Mapped[int | None] = mapped_column(ForeignKey("registration.id", use_alter=True))
    # The "Commentaire" of a modification request (guide 7.2): what the holder asks to change, and why.
    request_comment: Mapped[str | None] = mapped_column(Text)
    # While the holder completes an incomplete file: its content before the first edit, so that « Annuler la
    # saisie du complément » puts it back and the history records the changes only once transmitted.
    complement_baseline: Mapped[dict | None] = mapped_column(JSON)
    filed_on_paper: Mapped[bool] = mapped_column(Boolean, default=False)

    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Date the office last received the complete file: the basis of the registration's valid_from.
    received_complete_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    answer_deadline: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Deadline reminders (app/workflow/deadlines.py), each claimed once; reset when information is requested again.
    reminder_7_sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reminder_1_sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The answer period's clock (issue 17): days added to the current period by extensions; while the clock is
    # suspended answer_deadline is NULL (no sweep, no reminder) and clock_remaining_seconds keeps what was left;
    # clock_suspended_seconds is the time suspended in the current period, which does not count.
    deadline_extension_days: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    clock_suspended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    clock_remaining_seconds: Mapped[int | None] = mapped_column(Integer)
    clock_suspended_seconds: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    # Section 2: exporter (copied from the company, phone and email may be changed)
    exporter_eori: Mapped[str | None] = mapped_column(String(17))
    exporter_name: Mapped[str | None] = mapped_column(String(200))
    exporter_address: Mapped[str | None] = mapped_column(String(200))
    exporter_postcode: Mapped[str | None] = mapped_column(String(20))
    exporter_city: Mapped[str | None] = mapped_column(String(100))
    exporter_country: Mapped[str | None] = mapped_column(String(2))
    exporter_phone: Mapped[str | None] = mapped_column(String(40))
    exporter_email: Mapped[str | None] = mapped_column(String(254))
    exporter_fax: Mapped[str | None] = mapped_column(String(40))
    main_activity: Mapped[str | None] = mapped_column(String(20))  # "production" | "trade"

    # Section 3: customs representative acting for the exporter
    representative_eori: Mapped[str | None] = mapped_column(String(17))
    representative_name: Mapped[str | None] = mapped_column(String(200))
    representative_address: Mapped[str | None] = mapped_column(String(200))
    representative_postcode: Mapped[str | None] = mapped_column(String(20))
    representative_city: Mapped[str | None] = mapped_column(String(100))
    representative_country: Mapped[str | None] = mapped_column(String(2))
    representative_phone: Mapped[str | None] = mapped_column(String(40))
    representative_email: Mapped[str | None] = mapped_column(String(254))
    representative_fax: Mapped[str | None] = mapped_column(String(40))

    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    company: Mapped[Company | None] = relationship()
    office: Mapped[Office | None] = relationship()
    assigned_officer: Mapped[User | None] = relationship(foreign_keys=[assigned_officer_id])
    duplicated_from: Mapped["Application | None"] = relationship(remote_side=[id])
    registration: Mapped["Registration | None"] = relationship(foreign_keys=[registration_id])

    contacts: Mapped[list["Contact"]] = relationship(
        back_populates="application", cascade="all, delete-orphan", order_by="Contact.position")
    goods_lines: Mapped[list["GoodsLine"]] = relationship(
        back_populates="application", cascade="all, delete-orphan", order_by="GoodsLine.position")
    relations: Mapped[list["ApplicationRelation"]] = relationship(
        back_populates="application", cascade="all, delete-orphan", order_by="ApplicationRelation.position")
    undertaking: Mapped["Undertaking | None"] = relationship(
        back_populates="application", cascade="all, delete-orphan")
    publication_consent: Mapped["PublicationConsent | None"] = relationship(
        back_populates="application", cascade="all, delete-orphan")

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_pending(self) -> bool:
        return self.status in PENDING_STATUSES

    def __str__(self) -> str:
        return self.reference or f"#{self.id}"


class Contact(db.Model):
    """Section 4: a contact person (1 to 9)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    full_name: Mapped[str] = mapped_column(String(160), index=True)
    address: Mapped[str] = mapped_column(String(200))
    postcode: Mapped[str] = mapped_column(String(20))
    city: Mapped[str] = mapped_column(String(100))
    country: Mapped[str] = mapped_column(String(2))
    phone: Mapped[str] = mapped_column(String(40), index=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    fax: Mapped[str | None] = mapped_column(String(40))

    application: Mapped[Application] = relationship(back_populates="contacts")


class GoodsLine(db.Model):
    """Section 5: a tariff heading (or a whole chapter written CC00) and an indicative description."""

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    heading: Mapped[str] = mapped_column(String(4), index=True)
    chapter: Mapped[str] = mapped_column(String(2), index=True)
    description: Mapped[str] = mapped_column(Text)

    application: Mapped[Application] = relationship(back_populates="goods_lines")

    @property
    def is_whole_chapter(self) -> bool:
        return self.heading.endswith("00")


class ApplicationRelation(db.Model):
    """Section 6: a preferential relation, as typed (ISO code or group acronym) and resolved."""

    __table_args__ = (UniqueConstraint("application_id", "code", name="uq_application_relation_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(10))
    relation_code: Mapped[str] = mapped_column(ForeignKey("preferential_relation.code"))

    application: Mapped[Application] = relationship(back_populates="relations")
    relation = relationship("PreferentialRelation")


class Undertaking(db.Model):
    """Section 7: the undertakings and their signatory."""

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("application.id", ondelete="CASCADE"), unique=True)
    accepted: Mapped[bool] = mapped_column(Boolean, default=False)
    signatory_name: Mapped[str | None] = mapped_column(String(160))
    signatory_function: Mapped[str | None] = mapped_column(String(160))
    place: Mapped[str | None] = mapped_column(String(100))

    application: Mapped[Application] = relationship(back_populates="undertaking")


class PublicationConsent(db.Model):
    """Section 7: consent to publication on the Commission's website, and its signatory."""

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("application.id", ondelete="CASCADE"), unique=True)
    consent: Mapped[bool | None] = mapped_column(Boolean)
    signatory_name: Mapped[str | None] = mapped_column(String(160))
    signatory_function: Mapped[str | None] = mapped_column(String(160))
    place: Mapped[str | None] = mapped_column(String(100))

    application: Mapped[Application] = relationship(back_populates="publication_consent")
