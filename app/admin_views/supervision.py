"""The supervisor's dashboard: for each supervised office, files per status, the oldest file under review,
incomplete files close to their deadline and the workload of each officer.

Every figure links to a queue filtered to exactly the files counted. Filter URL arguments are taken from the
queue views themselves (their _filters and filter argument names), so they follow the queues' definitions.
"""
from datetime import timedelta, timezone

from flask import url_for
from flask_admin import BaseView, expose
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select

from app.admin_views.filters import DeadlineWithinDaysFilter, ScopedEqual, UnassignedFilter
from app.admin_views.security import RoleRequired
from app.extensions import db
from app.models import Application, ApplicationStatus, Office, Role, User
from app.models._time import utcnow

S = ApplicationStatus
STATUSES = (S.UNDER_REVIEW, S.INCOMPLETE, S.REJECTED, S.GRANTED, S.ABANDONED)
OPEN = (S.UNDER_REVIEW, S.INCOMPLETE)
NEAR_DEADLINE_DAYS = 7
# Where each status is listed: the dedicated queue when there is one, else every file of the office.
STATUS_QUEUE = {S.UNDER_REVIEW: "a_traiter", S.INCOMPLETE: "incompletes"}


def _aware(value):
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value


class QueueLinks:
    """Builds a queue URL from criteria, using the queue's own filters and their URL argument names."""

    _KINDS = {
        "status": lambda f: isinstance(f, ScopedEqual) and getattr(f.column, "key", None) == "status",
        "office": lambda f: isinstance(f, ScopedEqual) and getattr(f.column, "key", None) == "office_id",
        "officer": lambda f: isinstance(f, ScopedEqual) and getattr(f.column, "key", None) == "assigned_officer_id",
        "unassigned": lambda f: isinstance(f, UnassignedFilter),
        "deadline_days": lambda f: isinstance(f, DeadlineWithinDaysFilter),
    }

    def __init__(self, admin):
        self.views = {getattr(v, "endpoint", None): v for v in admin._views}
        self._choices: dict[int, set[str]] = {}

    def _accepts(self, flt, value: str) -> bool:
        """Would the queue apply this filter value? Choices are read once per page, not once per figure."""
        if isinstance(flt, ScopedEqual):
            if id(flt) not in self._choices:
                self._choices[id(flt)] = {key for key, _ in flt.options()}
            return value in self._choices[id(flt)]
        return flt.validate(value)

    @staticmethod
    def _arg(view, index, flt) -> str:
        """The name the queue parses now. Flask-Admin slugs the translated filter name, and the queue parses
        request arguments with the table of its previous rendering, whatever its language was."""
        for arg, (i, _) in (getattr(view, "_filter_args", None) or {}).items():
            if i == index:
                return arg
        return view.get_filter_arg(index, flt)

    def url(self, endpoint: str, sort: str | None = None, **criteria) -> str | None:
        """None when the queue cannot express the criteria (the figure is then shown without a link)."""
        view = self.views.get(endpoint)
        if view is None:
            return None
        args = {}
        filters = list(enumerate(view._filters or ()))
        for position, (kind, value) in enumerate(criteria.items()):
            value = str(value)
            found = next(((i, f) for i, f in filters if self._KINDS[kind](f)), None)
            if found is None or not self._accepts(found[1], value):
                return None
            index, flt = found
            args[f"flt{position}_{self._arg(view, index, flt)}"] = value
        if sort:
            names = [name for name, _ in view._list_columns]
            if sort in names:
                args["sort"] = names.index(sort)
        return url_for(f"{endpoint}.index_view", **args)


class SupervisionView(RoleRequired, BaseView):
    allowed_roles = {Role.SUPERVISOR}

    @expose("/")
    def index(self):
        offices = sorted(current_user.supervised_offices, key=lambda o: o.name)
        ids = [o.id for o in offices]
        links = QueueLinks(self.admin)
        now = utcnow()
        boards = {o.id: self._board(o, links) for o in offices}
        if ids:
            self._status_counts(ids, boards)
            self._oldest_under_review(ids, boards, now)
            self._near_deadline(ids, boards, now)
            self._workload(ids, boards, links)
        return self.render("admin/supervision.html", boards=[boards[o.id] for o in offices],
                           statuses=STATUSES, near_days=NEAR_DEADLINE_DAYS)

    @staticmethod
    def _board(office: Office, links: QueueLinks) -> dict:
        status_links = {}
        for status in STATUSES:
            queue = STATUS_QUEUE.get(status)
            status_links[status.value] = (links.url(queue, office=office.id) if queue else
                                          links.url("tous", status=status.value, office=office.id))
        return {"office": office, "counts": {s.value: 0 for s in STATUSES}, "status_links": status_links,
                "oldest": None, "oldest_queue_link": links.url("a_traiter", sort="submitted_at", office=office.id),
                "near_deadline": 0,
                "near_deadline_link": links.url("incompletes", office=office.id, deadline_days=NEAR_DEADLINE_DAYS),
                "workload": []}

    @staticmethod
    def _status_counts(ids, boards):
        rows = db.session.execute(
            select(Application.office_id, Application.status, func.count())
            .where(Application.office_id.in_(ids), Application.status.in_(STATUSES),
                   Application.submitted_at.is_not(None))  # a draft abandoned before filing is no file
            .group_by(Application.office_id, Application.status))
        for office_id, status, count in rows:
            boards[office_id]["counts"][S(status).value] = count

    @staticmethod
    def _oldest_under_review(ids, boards, now):
        ranked = (select(Application.office_id, Application.id, Application.reference, Application.submitted_at,
                         func.row_number().over(partition_by=Application.office_id,
                                                order_by=(Application.submitted_at, Application.id)).label("rank"))
                  .where(Application.office_id.in_(ids), Application.status == S.UNDER_REVIEW,
                         Application.submitted_at.is_not(None))
                  .subquery())
        for row in db.session.execute(select(ranked).where(ranked.c.rank == 1)):
            submitted = _aware(row.submitted_at)
            boards[row.office_id]["oldest"] = {
                "id": row.id, "reference": row.reference, "submitted_at": submitted,
                "age_days": max(0, (now - submitted).days)}

    @staticmethod
    def _near_deadline(ids, boards, now):
        # The same condition as the incomplete queue's "Échéance dans moins de N jours" filter.
        rows = db.session.execute(
            select(Application.office_id, func.count())
            .where(Application.office_id.in_(ids), Application.status == S.INCOMPLETE,
                   Application.answer_deadline.is_not(None),
                   Application.answer_deadline <= now + timedelta(days=NEAR_DEADLINE_DAYS))
            .group_by(Application.office_id))
        for office_id, count in rows:
            boards[office_id]["near_deadline"] = count

    @staticmethod
    def _workload(ids, boards, links):
        counts: dict[tuple[int, int | None], dict[str, int]] = {}
        rows = db.session.execute(
            select(Application.office_id, Application.assigned_officer_id, Application.status, func.count())
            .where(Application.office_id.in_(ids), Application.status.in_(OPEN))
            .group_by(Application.office_id, Application.assigned_officer_id, Application.status))
        for office_id, officer_id, status, count in rows:
            counts.setdefault((office_id, officer_id), {s.value: 0 for s in OPEN})[S(status).value] = count

        officers = db.session.scalars(select(User).where(User.role == Role.OFFICER, User.office_id.in_(ids))).all()
        assignees = {oid for _, oid in counts if oid is not None} - {u.id for u in officers}
        if assignees:
            officers += db.session.scalars(select(User).where(User.id.in_(assignees))).all()
        users = {u.id: u for u in officers}

        for office_id, board in boards.items():
            people = {u.id for u in officers if u.office_id == office_id and u.is_enabled}
            people |= {oid for (oid_office, oid) in counts if oid_office == office_id and oid is not None}
            lines = []
            for user in sorted((users[i] for i in people), key=lambda u: (u.last_name, u.first_name)):
                lines.append(SupervisionView._workload_line(links, office_id, counts.get((office_id, user.id)),
                                                            user.full_name, officer=user.id))
            lines.append(SupervisionView._workload_line(links, office_id, counts.get((office_id, None)),
                                                        _l("Non affectés"), unassigned=1, unassigned_line=True))
            board["workload"] = lines

    @staticmethod
    def _workload_line(links, office_id, counts, label, unassigned_line=False, **criteria):
        counts = counts or {s.value: 0 for s in OPEN}
        return {
            "label": label, "unassigned": unassigned_line,
            "under_review": counts[S.UNDER_REVIEW.value], "incomplete": counts[S.INCOMPLETE.value],
            "under_review_link": links.url("a_traiter", office=office_id, **criteria),
            "incomplete_link": links.url("incompletes", office=office_id, **criteria),
        }


def register(admin) -> None:
    admin.add_view(SupervisionView(name=_l("Supervision"), endpoint="supervision", url="/admin/supervision"))
