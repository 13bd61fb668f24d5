"""The officer's day (issue 20): what each officer last opened, saved views of the queues, and background
tasks (large batches, large exports) with their progress and results."""
from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models._time import utcnow
from app.models.offices import Office
from app.models.users import User


class FileRead(db.Model):
    """When `user` last opened the instruction page of `application`: news after that is unread."""

    __tablename__ = "file_read"

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id", ondelete="CASCADE"), primary_key=True)
    read_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


SCOPE_MINE = "user"
SCOPE_OFFICE = "office"
VIEW_SCOPES = (SCOPE_MINE, SCOPE_OFFICE)


class SavedView(db.Model):
    """A queue with its filters, search, sort and columns, saved under a name for its owner or for an office.

    `query` is the list's own query string (only what the list parsed); `office_id` is the office the view
    belongs to (scope "office") or the owner's office at saving time (scope "user"). `pinned`: a supervisor's
    view pinned for an office they supervise, shown first in that office's menu."""

    __tablename__ = "saved_view"
    __table_args__ = (Index("ix_saved_view_office_scope", "office_id", "scope"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    owner_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    scope: Mapped[str] = mapped_column(String(10))
    office_id: Mapped[int | None] = mapped_column(ForeignKey("office.id"))
    endpoint: Mapped[str] = mapped_column(String(60))
    query: Mapped[str] = mapped_column(Text, default="")
    pinned: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    owner: Mapped[User] = relationship()
    office: Mapped[Office | None] = relationship()


TASK_QUEUED, TASK_RUNNING, TASK_DONE, TASK_CANCELLED, TASK_FAILED = "queued", "running", "done", "cancelled", "failed"
TASK_STATES = (TASK_QUEUED, TASK_RUNNING, TASK_DONE, TASK_CANCELLED, TASK_FAILED)
TASK_FINISHED = (TASK_DONE, TASK_CANCELLED, TASK_FAILED)


class BackgroundTask(db.Model):
    """A batch action or an export run in the background, with its progress; kept until `expires_at`."""

    __tablename__ = "background_task"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # "batch" | "export"
    label: Mapped[str] = mapped_column(String(200))
    state: Mapped[str] = mapped_column(String(12), default=TASK_QUEUED)
    total: Mapped[int] = mapped_column(Integer, default=0)
    done: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    params: Mapped[dict | None] = mapped_column(JSON)
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    filename: Mapped[str | None] = mapped_column(String(200))
    content: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    error: Mapped[str | None] = mapped_column(Text)

    user: Mapped[User] = relationship()


class BackgroundTaskItem(db.Model):
    """One file a batch went through: done, or refused with the reason."""

    __tablename__ = "background_task_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("background_task.id", ondelete="CASCADE"), index=True)
    application_id: Mapped[int | None] = mapped_column(ForeignKey("application.id", ondelete="SET NULL"))
    reference: Mapped[str | None] = mapped_column(String(24))
    ok: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str | None] = mapped_column(Text)


class ChartSnapshot(db.Model):
    """The aggregates of one office's charts at `computed_at` (app/admin_views/charts.py): counted by a periodic
    job (jobs/charts.py) and, when missing or stale, by the page itself. Mergeable across offices: weekly counts,
    age buckets and workload add up, and the time to decision is a histogram (tenths of a day) whose percentiles
    are those of the merged histogram."""

    __tablename__ = "chart_snapshot"

    office_id: Mapped[int] = mapped_column(ForeignKey("office.id", ondelete="CASCADE"), primary_key=True)
    computed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    data: Mapped[dict] = mapped_column(JSON)
