"""The supervisors' charts (issue 20): per office, or over every office supervised, drawn on the server as SVG.

- files received and decided per week over 12 weeks, with the automatic rejections of each week;
- the age of the files under review (buckets of days since filing);
- the time to decision (median and 90th percentile, files decided over the 12 weeks);
- the workload of each officer (files under review and incomplete assigned to them).

Each chart is hand-written SVG (no script, no CDN) followed by the same figures as a table for screen readers,
and every figure links to the queue filtered to exactly the files counted (QueueLinks: the queues' own filters).

The figures are counted per office by five grouped queries, each read from an index of migration 0017: received
(office_id, submitted_at), decided and time to decision (office_id, decided_at, status, submitted_at, partial),
open files (office_id, status, submitted_at, assigned_officer_id, partial), automatic rejections (history kind,
at). The weeks are FILTERed counts of one scan, so SQLite and PostgreSQL run the same SQL. Counting every open
file of 26 offices costs about 0.5 s at a million files, far over the page's 100 ms: the counts of each office are
kept as a snapshot (chart_snapshot), refreshed every 5 minutes by a periodic job (jobs/charts.py) and by the page
itself when missing or older than 15 minutes; the page merges the snapshots of the offices shown (bench/charts.py).
The page says when its figures were counted.
"""
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from flask import abort, current_app, request
from flask_admin import BaseView, expose
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup, escape
from sqlalchemy import and_, func, select
from sqlalchemy.exc import IntegrityError

from app.admin_views.security import RoleRequired
from app.admin_views.supervision import QueueLinks
from app.extensions import db
from app.identifiers import parse_id
from app.models import Application, ApplicationStatus, ChartSnapshot, HistoryEvent, Office, Role, User
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


SNAPSHOT_MAX_AGE = timedelta(minutes=15)  # older than this, the page counts again (the job refreshes every 5)


def compute_snapshots(office_ids: list[int], now: datetime) -> dict[int, dict]:
    """The mergeable aggregates of each office: five grouped queries, whatever the number of offices."""
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    bounds = week_starts(now, zone)
    utc_bounds = [_utc(b) for b in bounds]
    start, end = utc_bounds[0], utc_bounds[-1]
    data = {i: {"weeks_start": bounds[0].isoformat(), "computed_at": now.isoformat(),
                "received": [0] * WEEKS, "decided": [0] * WEEKS, "automatic": [0] * WEEKS,
                "ages": [0] * len(AGE_BUCKETS), "workload": {}, "durations": {}} for i in office_ids}
    if not office_ids:
        return data

    def weekly(column):
        return [func.count().filter(and_(column >= utc_bounds[i], column < utc_bounds[i + 1])) for i in range(WEEKS)]

    for key, column, where in (
            ("received", Application.submitted_at, ()),
            ("decided", Application.decided_at, (Application.decided_at.is_not(None),
                                                 Application.status.in_((S.GRANTED, S.REJECTED))))):
        rows = db.session.execute(
            select(Application.office_id, *weekly(column))
            .where(Application.office_id.in_(office_ids), column >= start, column < end, *where)
            .group_by(Application.office_id))
        for office_id, *counts in rows:
            data[office_id][key] = list(counts)
    rows = db.session.execute(
        select(HistoryEvent.office_id, *weekly(HistoryEvent.at))
        .where(HistoryEvent.kind == "rejected_automatically", HistoryEvent.at >= start, HistoryEvent.at < end,
               HistoryEvent.office_id.in_(office_ids))
        .group_by(HistoryEvent.office_id))
    for office_id, *counts in rows:
        data[office_id]["automatic"] = list(counts)

    for office_id, tenths, count in _decision_tenths(office_ids, start, end):
        data[office_id]["durations"][str(tenths)] = data[office_id]["durations"].get(str(tenths), 0) + count

    # One scan of the open files: their age (under review) and the workload of each officer.
    today = now.astimezone(zone).date()
    tomorrow = _utc(datetime.combine(today + timedelta(days=1), time(), zone))

    def day_start(days_ago):
        return _utc(datetime.combine(today - timedelta(days=days_ago), time(), zone))

    def filed_between(low, high):  # filed `low` to `high` whole Paris days ago, both included; 0 is today
        conditions = [Application.submitted_at < (tomorrow if low == 0 else day_start(low - 1))]
        if high is not None:
            conditions.append(Application.submitted_at >= day_start(high))
        return and_(*conditions)

    age_columns = [func.count().filter(and_(Application.status == S.UNDER_REVIEW, filed_between(lo, hi)))
                   for lo, hi in AGE_BUCKETS]
    rows = db.session.execute(
        select(Application.office_id, Application.assigned_officer_id, Application.status, func.count(),
               *age_columns)
        .where(Application.office_id.in_(office_ids), Application.status.in_((S.UNDER_REVIEW, S.INCOMPLETE)))
        .group_by(Application.office_id, Application.assigned_officer_id, Application.status))
    for office_id, officer_id, status, count, *buckets in rows:
        board = data[office_id]
        line = board["workload"].setdefault(str(officer_id or 0), [0, 0])
        line[0 if getattr(status, "value", status) == S.UNDER_REVIEW.value else 1] += count
        board["ages"] = [a + b for a, b in zip(board["ages"], buckets)]
    return data


def _decision_tenths(office_ids, start, end):
    """(office, days from filing to decision in tenths of a day, files) of the files decided in [start, end)."""
    where = (Application.office_id.in_(office_ids), Application.decided_at.is_not(None),
             Application.decided_at >= start, Application.decided_at < end,
             Application.status.in_((S.GRANTED, S.REJECTED)), Application.submitted_at.is_not(None))
    if db.engine.dialect.name == "postgresql":
        tenths = func.round(func.extract("epoch", Application.decided_at - Application.submitted_at) / 8640.0)
        return [(o, int(t), n) for o, t, n in db.session.execute(
            select(Application.office_id, tenths, func.count()).where(*where).group_by(Application.office_id, tenths))]
    counts: dict[tuple[int, int], int] = {}
    for office_id, submitted, decided in db.session.execute(
            select(Application.office_id, Application.submitted_at, Application.decided_at).where(*where)):
        key = (office_id, round((_aware(decided) - _aware(submitted)).total_seconds() / 8640))
        counts[key] = counts.get(key, 0) + 1
    return [(o, t, n) for (o, t), n in counts.items()]


def snapshots(office_ids: list[int], now: datetime) -> tuple[dict, datetime]:
    """The offices' aggregates merged, and the time of the oldest: stored snapshots younger than
    SNAPSHOT_MAX_AGE (and of the current weeks), the others counted now and stored."""
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    weeks_start = week_starts(now, zone)[0].isoformat()
    stored = {s.office_id: s for s in db.session.scalars(select(ChartSnapshot)
                                                          .where(ChartSnapshot.office_id.in_(office_ids)))}
    usable = {i: s.data for i, s in stored.items()
              if _aware(s.computed_at) > now - SNAPSHOT_MAX_AGE and s.data.get("weeks_start") == weeks_start}
    missing = [i for i in office_ids if i not in usable]
    if missing:
        fresh = compute_snapshots(missing, now)
        store_snapshots(fresh, now, stored)
        usable.update(fresh)
    merged = {"received": [0] * WEEKS, "decided": [0] * WEEKS, "automatic": [0] * WEEKS,
              "ages": [0] * len(AGE_BUCKETS), "workload": {}, "durations": {}}
    oldest = now
    for office_id in office_ids:
        data = usable[office_id]
        oldest = min(oldest, datetime.fromisoformat(data["computed_at"]))
        for key in ("received", "decided", "automatic", "ages"):
            merged[key] = [a + b for a, b in zip(merged[key], data[key])]
        for officer, (under_review, incomplete) in data["workload"].items():
            line = merged["workload"].setdefault(officer, [0, 0])
            line[0] += under_review
            line[1] += incomplete
        for tenths, count in data["durations"].items():
            merged["durations"][tenths] = merged["durations"].get(tenths, 0) + count
    return merged, oldest


def store_snapshots(fresh: dict[int, dict], now: datetime, stored: dict | None = None) -> None:
    stored = stored if stored is not None else {
        s.office_id: s for s in db.session.scalars(select(ChartSnapshot).where(ChartSnapshot.office_id.in_(fresh)))}
    for office_id, data in fresh.items():
        row = stored.get(office_id)
        if row is None:
            db.session.add(ChartSnapshot(office_id=office_id, computed_at=now, data=data))
        else:
            row.computed_at, row.data = now, data
    try:
        db.session.commit()
    except IntegrityError:  # another request or the job stored the same office meanwhile: theirs is as good
        db.session.rollback()


def refresh_all_snapshots(now: datetime | None = None) -> int:
    """The periodic job's work (jobs/charts.py): every office with files, counted at once."""
    now = now or utcnow()
    office_ids = list(db.session.scalars(select(Office.id)))
    store_snapshots(compute_snapshots(office_ids, now), now)
    return len(office_ids)


def percentile_of_histogram(histogram: dict[str, int], fraction: float) -> float | None:
    """percentile_cont over the values of a histogram of tenths of a day, in days."""
    values = sorted((int(k), n) for k, n in histogram.items() if n)
    total = sum(n for _, n in values)
    if not total:
        return None
    position = fraction * (total - 1)

    def value_at(index):
        seen = 0
        for tenths, n in values:
            seen += n
            if index < seen:
                return tenths / 10
        return values[-1][0] / 10

    low = int(position)
    return value_at(low) + (value_at(min(low + 1, total - 1)) - value_at(low)) * (position - low)


def charts_data(office_ids: list[int], now: datetime, links: QueueLinks | None = None,
                link_office: int | None = None) -> dict:
    """Every figure of the charts page for these offices (office_ids: one, or every office supervised)."""
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    bounds = week_starts(now, zone)
    merged, computed_at = snapshots(office_ids, now)
    office = {"office": link_office} if link_office else {}

    def url(endpoint, **criteria):
        return links.url(endpoint, **{**criteria, **office}) if links else None

    weeks = []
    for i in range(WEEKS):
        period = _range(bounds[i], bounds[i + 1])
        weeks.append({
            "label": f"{bounds[i]:%d/%m}", "period": period,
            "received": merged["received"][i], "decided": merged["decided"][i],
            "automatic": merged["automatic"][i],
            "received_link": url("tous", submitted=period),
            "decided_link": url("tous", decided=period),
            "automatic_link": url("tous", status=S.REJECTED.value, decided=period),
        })

    today = now.astimezone(zone).date()
    age_rows = []
    for (lo, hi), count in zip(AGE_BUCKETS, merged["ages"]):
        first = today - timedelta(days=hi) if hi is not None else today - timedelta(days=3650)
        last = today - timedelta(days=lo)
        period = f"{first:{DAY_FORMAT}} 00:00 au {last:{DAY_FORMAT}} 23:59"
        label = _("%(lo)s à %(hi)s j", lo=lo, hi=hi) if hi is not None else _("plus de %(lo)s j", lo=lo - 1)
        age_rows.append({"label": label, "count": count, "link": url("a_traiter", submitted=period)})

    ids = [int(k) for k in merged["workload"] if k != "0"]
    people = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))} if ids else {}
    workload = []
    for key, (under_review, incomplete) in sorted(
            merged["workload"].items(),
            key=lambda kv: (kv[0] == "0", (people[int(kv[0])].last_name, people[int(kv[0])].first_name)
                            if kv[0] != "0" and int(kv[0]) in people else ("", ""))):
        officer_id = int(key)
        if officer_id and officer_id not in people:
            continue
        who = {"officer": officer_id} if officer_id else {"unassigned": 1}
        workload.append({"label": people[officer_id].full_name if officer_id else _("Non affectés"),
                         "under_review": under_review, "incomplete": incomplete,
                         "under_review_link": url("a_traiter", **who), "incomplete_link": url("incompletes", **who)})

    durations = merged["durations"]
    return {"weeks": weeks, "ages": age_rows, "workload": workload, "computed_at": computed_at,
            "decision": {"count": sum(durations.values()),
                         "median": percentile_of_histogram(durations, 0.5),
                         "p90": percentile_of_histogram(durations, 0.9),
                         "link": url("tous", decided=_range(bounds[0], bounds[-1]))}}


def _aware(value):
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


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
    for s, (name, _values, _links) in enumerate(series):
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
