"""The supervisors' charts (issue 20): per office, or over every office supervised, drawn on the server as SVG.

- files received and decided per week over 12 weeks, with the automatic rejections of each week;
- the age of the files under review (buckets of days since filing);
- the time to decision (median and 90th percentile, files decided over the 12 weeks);
- the workload of each officer (files under review and incomplete assigned to them).

Each chart is hand-written SVG (no script, no CDN) followed by the same figures as a table for screen readers,
and every figure links to the queue filtered to exactly the files counted (QueueLinks: the queues' own filters).

Four aggregate queries, each read from an index of migration 0017 (bench/charts.py times them at a million files):
received (office_id, submitted_at), decided (office_id, decided_at, status, submitted_at, partial), open files
(office_id, status, submitted_at, assigned_officer_id, partial), automatic rejections (history kind, at). The
weeks are FILTERed counts of one scan, not a GROUP BY on an expression, so SQLite and PostgreSQL run the same SQL.
"""
import statistics
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from flask import abort, current_app, request
from flask_admin import BaseView, expose
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup, escape
from sqlalchemy import and_, func, select

from app.admin_views.security import RoleRequired
from app.admin_views.supervision import QueueLinks
from app.extensions import db
from app.identifiers import parse_id
from app.models import Application, ApplicationStatus, HistoryEvent, Role, User
from app.models._time import utcnow

S = ApplicationStatus
WEEKS = 12
AGE_BUCKETS = ((0, 7), (8, 15), (16, 30), (31, 60), (61, None))  # days since filing, bounds included
DAY_FORMAT = "%d/%m/%Y"


def week_starts(now: datetime, zone: ZoneInfo) -> list[datetime]:
    """The Mondays 00:00 (Paris) of the last WEEKS weeks, the current one last, and the next Monday: 13 bounds."""
    today = now.astimezone(zone).date()
    monday = today - timedelta(days=today.weekday())
    first = monday - timedelta(weeks=WEEKS - 1)
    return [datetime.combine(first + timedelta(weeks=i), time(), zone) for i in range(WEEKS + 1)]


def _range(start: datetime, end: datetime) -> str:
    """The value of a date-range filter, as the French date picker writes it: whole days, end included."""
    last = end - timedelta(days=1)
    return f"{start:{DAY_FORMAT}} 00:00 au {last:{DAY_FORMAT}} 23:59"


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(timezone.utc)


class ChartsLinks(QueueLinks):
    _KINDS = {**QueueLinks._KINDS,
              "submitted": lambda f: _date_filter(f, "submitted_at"),
              "decided": lambda f: _date_filter(f, "decided_at")}

    def _accepts(self, flt, value: str) -> bool:
        from app.admin_views.filters import LocalDateTimeBetweenFilter

        if isinstance(flt, LocalDateTimeBetweenFilter):
            return flt.validate(value)
        return super()._accepts(flt, value)


def _date_filter(flt, column: str) -> bool:
    from app.admin_views.filters import LocalDateTimeBetweenFilter

    return isinstance(flt, LocalDateTimeBetweenFilter) and getattr(flt.column, "key", None) == column


def charts_data(office_ids: list[int], now: datetime, links: QueueLinks | None = None,
                link_office: int | None = None) -> dict:
    """Every figure of the charts page for these offices (office_ids: one, or every office supervised)."""
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    bounds = week_starts(now, zone)
    utc_bounds = [_utc(b) for b in bounds]
    start, end = utc_bounds[0], utc_bounds[-1]
    office = {"office": link_office} if link_office else {}

    def url(endpoint, **criteria):
        return links.url(endpoint, **{**criteria, **office}) if links else None

    def weekly(column):
        return [func.count().filter(and_(column >= utc_bounds[i], column < utc_bounds[i + 1])) for i in range(WEEKS)]

    received = db.session.execute(
        select(*weekly(Application.submitted_at))
        .where(Application.office_id.in_(office_ids), Application.submitted_at >= start,
               Application.submitted_at < end)).one()
    decided = db.session.execute(
        select(*weekly(Application.decided_at))
        .where(Application.office_id.in_(office_ids), Application.decided_at.is_not(None),
               Application.decided_at >= start, Application.decided_at < end,
               Application.status.in_((S.GRANTED, S.REJECTED)))).one()
    automatic = db.session.execute(
        select(*weekly(HistoryEvent.at))
        .where(HistoryEvent.kind == "rejected_automatically", HistoryEvent.at >= start, HistoryEvent.at < end,
               HistoryEvent.office_id.in_(office_ids))).one()
    weeks = []
    for i in range(WEEKS):
        period = _range(bounds[i], bounds[i + 1])
        weeks.append({
            "label": f"{bounds[i]:%d/%m}", "period": period,
            "received": received[i], "decided": decided[i], "automatic": automatic[i],
            "received_link": url("tous", submitted=period),
            "decided_link": url("tous", decided=period),
            "automatic_link": url("tous", status=S.REJECTED.value, decided=period),
        })

    # Time to decision of the files decided over the weeks shown.
    durations = _decision_days(office_ids, start, end)

    # One scan of the open files: their age (under review) and the workload of each officer.
    today = now.astimezone(zone).date()
    day_start = [_utc(datetime.combine(today - timedelta(days=d), time(), zone)) for d in range(0, 62)]

    def filed_between(low, high):
        # filed `low` to `high` days ago, whole Paris days: low=0 is today.
        conditions = [Application.submitted_at < (_utc(datetime.combine(today + timedelta(days=1), time(), zone))
                                                  if low == 0 else day_start[low - 1])]
        if high is not None:
            conditions.append(Application.submitted_at >= day_start[high])
        return and_(*conditions)

    age_columns = [func.count().filter(and_(Application.status == S.UNDER_REVIEW, filed_between(lo, hi)))
                   for lo, hi in AGE_BUCKETS]
    rows = db.session.execute(
        select(Application.assigned_officer_id, Application.status, func.count(), *age_columns)
        .where(Application.office_id.in_(office_ids), Application.status.in_((S.UNDER_REVIEW, S.INCOMPLETE)))
        .group_by(Application.assigned_officer_id, Application.status)).all()
    ages = [0] * len(AGE_BUCKETS)
    load: dict[int | None, dict[str, int]] = {}
    for officer_id, status, count, *buckets in rows:
        value = getattr(status, "value", status)
        load.setdefault(officer_id, {"under_review": 0, "incomplete": 0})[value] = count
        for i, n in enumerate(buckets):
            ages[i] += n
    age_rows = []
    for (lo, hi), count in zip(AGE_BUCKETS, ages):
        first = today - timedelta(days=hi) if hi is not None else today - timedelta(days=3650)
        last = today - timedelta(days=lo)
        period = f"{first:{DAY_FORMAT}} 00:00 au {last:{DAY_FORMAT}} 23:59"
        label = _("%(lo)s à %(hi)s j", lo=lo, hi=hi) if hi is not None else _("plus de %(lo)s j", lo=lo - 1)
        age_rows.append({"label": label, "count": count, "link": url("a_traiter", submitted=period)})

    people = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_([i for i in load if i])))}
    workload = []
    for officer_id, counts in sorted(load.items(), key=lambda kv: (kv[0] is None, people[kv[0]].last_name
                                                                   if kv[0] else "")):
        who = {"officer": officer_id} if officer_id else {"unassigned": 1}
        workload.append({"label": people[officer_id].full_name if officer_id else _("Non affectés"),
                         "under_review": counts["under_review"], "incomplete": counts["incomplete"],
                         "under_review_link": url("a_traiter", **who), "incomplete_link": url("incompletes", **who)})

    return {"weeks": weeks, "ages": age_rows, "workload": workload,
            "decision": {"count": len(durations) if isinstance(durations, list) else durations[0],
                         "median": _median(durations), "p90": _p90(durations),
                         "link": url("tous", decided=_range(bounds[0], bounds[-1]))}}


def _decision_days(office_ids, start, end):
    """Days from filing to decision of the files decided in [start, end): PostgreSQL computes the percentiles
    (count, median, p90); elsewhere the durations come back as a list."""
    where = (Application.office_id.in_(office_ids), Application.decided_at.is_not(None),
             Application.decided_at >= start, Application.decided_at < end,
             Application.status.in_((S.GRANTED, S.REJECTED)), Application.submitted_at.is_not(None))
    if db.engine.dialect.name == "postgresql":
        days = func.extract("epoch", Application.decided_at - Application.submitted_at) / 86400.0
        return tuple(db.session.execute(
            select(func.count(), func.percentile_cont(0.5).within_group(days),
                   func.percentile_cont(0.9).within_group(days)).where(*where)).one())
    rows = db.session.execute(select(Application.submitted_at, Application.decided_at).where(*where)).all()
    return [(_aware(d) - _aware(s)).total_seconds() / 86400 for s, d in rows]


def _aware(value):
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def _median(durations):
    if isinstance(durations, tuple):
        return durations[1]
    return statistics.median(durations) if durations else None


def _p90(durations):
    if isinstance(durations, tuple):
        return durations[2]
    if not durations:
        return None
    ordered = sorted(durations)
    # the same interpolation as PostgreSQL's percentile_cont
    position = 0.9 * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


# --- SVG ------------------------------------------------------------------------------------------------------

WIDTH, HEIGHT, MARGIN = 640, 220, 30
COLOURS = ("#1f4e79", "#5b9bd5", "#c00000")


def bar_chart(title: str, labels: list[str], series: list[tuple[str, list[int], list[str | None]]]) -> Markup:
    """Grouped vertical bars; each bar is a link (when it has one) with a <title> for its figure."""
    top = max([v for _, values, _ in series for v in values] + [1])
    plot_h = HEIGHT - 2 * MARGIN
    group_w = (WIDTH - 2 * MARGIN) / max(len(labels), 1)
    bar_w = max(group_w / (len(series) + 1), 2)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {WIDTH} {HEIGHT}" '
             f'width="100%" aria-label="{escape(title)}"><title>{escape(title)}</title>',
             f'<line x1="{MARGIN}" y1="{HEIGHT - MARGIN}" x2="{WIDTH - MARGIN}" y2="{HEIGHT - MARGIN}" stroke="#666"/>',
             f'<text x="{MARGIN - 4}" y="{MARGIN}" text-anchor="end" font-size="10">{top}</text>']
    for g, label in enumerate(labels):
        x0 = MARGIN + g * group_w
        for s, (name, values, links) in enumerate(series):
            value = values[g]
            h = plot_h * value / top
            x, y = x0 + bar_w * (s + 0.5), HEIGHT - MARGIN - h
            bar = (f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" fill="{COLOURS[s % 3]}">'
                   f'<title>{escape(name)} · {escape(label)} : {value}</title></rect>')
            link = links[g]
            parts.append(f'<a href="{escape(link)}">{bar}</a>' if link else bar)
        parts.append(f'<text x="{x0 + group_w / 2:.1f}" y="{HEIGHT - MARGIN + 14}" text-anchor="middle" '
                     f'font-size="10">{escape(label)}</text>')
    for s, (name, _, _) in enumerate(series):
        parts.append(f'<rect x="{MARGIN + s * 160}" y="4" width="10" height="10" fill="{COLOURS[s % 3]}"/>'
                     f'<text x="{MARGIN + s * 160 + 14}" y="13" font-size="11">{escape(name)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def hbar_chart(title: str, rows: list[tuple[str, int, str | None]]) -> Markup:
    """Horizontal bars, one per row (label, value, link)."""
    top = max([v for _, v, _ in rows] + [1])
    line = 22
    height = MARGIN + line * max(len(rows), 1)
    label_w = 180
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {WIDTH} {height}" '
             f'width="100%" aria-label="{escape(title)}"><title>{escape(title)}</title>']
    for i, (label, value, link) in enumerate(rows):
        y = 10 + i * line
        w = (WIDTH - label_w - 60) * value / top
        bar = (f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{line - 6}" fill="{COLOURS[0]}">'
               f'<title>{escape(label)} : {value}</title></rect>')
        parts.append(f'<text x="{label_w - 6}" y="{y + 12}" text-anchor="end" font-size="11">{escape(label)}</text>')
        parts.append(f'<a href="{escape(link)}">{bar}</a>' if link else bar)
        parts.append(f'<text x="{label_w + w + 4:.1f}" y="{y + 12}" font-size="11">{value}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


class ChartsView(RoleRequired, BaseView):
    """/admin/graphiques/: the charts over every office supervised, or one (?service=<id>)."""

    allowed_roles = {Role.SUPERVISOR}

    @expose("/")
    def index(self):
        offices = sorted(current_user.supervised_offices, key=lambda o: o.name)
        chosen = None
        if request.args.get("service"):
            chosen = next((o for o in offices if o.id == parse_id(request.args["service"])), None)
            if chosen is None:
                abort(404)
        ids = [chosen.id] if chosen else [o.id for o in offices]
        data = charts_data(ids, utcnow(), ChartsLinks(self.admin), link_office=chosen.id if chosen else None) \
            if ids else None
        svg = {}
        if data:
            labels = [w["label"] for w in data["weeks"]]
            svg["weeks"] = bar_chart(_("Dossiers reçus et décidés par semaine"), labels, [
                (_("Reçus"), [w["received"] for w in data["weeks"]], [w["received_link"] for w in data["weeks"]]),
                (_("Décidés"), [w["decided"] for w in data["weeks"]], [w["decided_link"] for w in data["weeks"]]),
                (_("Rejets automatiques"), [w["automatic"] for w in data["weeks"]],
                 [w["automatic_link"] for w in data["weeks"]])])
            svg["ages"] = hbar_chart(_("Ancienneté des dossiers en étude"),
                                     [(a["label"], a["count"], a["link"]) for a in data["ages"]])
            svg["workload"] = hbar_chart(_("Charge par agent (en étude)"),
                                         [(w["label"], w["under_review"], w["under_review_link"])
                                          for w in data["workload"]])
        return self.render("admin/charts.html", offices=offices, chosen=chosen, data=data, svg=svg, weeks=WEEKS)


def register(admin) -> None:
    admin.add_view(ChartsView(name=_l("Graphiques"), endpoint="graphiques", url="/admin/graphiques"))
