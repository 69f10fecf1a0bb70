"""The risk summary at the top of a child's page: the child's picture in five seconds.

What matters now (the viewer's act-now findings grouped by clause, most severe first), the
markers and orders, the current plans and their reviews, missing episodes counted over 90
days, 12 months and ever with the last one, open tasks and who holds them, and episodes and
other events by month over the last 24 months (a server-drawn chart with its numbers).

Everything here is built from what the page has already read and authorised (findings after
the disclosure rule, the viewer's markers, orders and plans) plus two queries of the child's
events, both narrowed by the viewer's event rules: a fixed cost however long the history is.

Practice findings (breaches on work already closed, `risk/practice.py`) are not what matters
now: they are split off here into their own section of the page. Only viewers of the agency
whose role owns them reach this far with them: the disclosure rule keeps another agency's
practice findings from every surface (`reads.disclosure`, docs/access.md "Practice findings").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from safetynet.reads.findings import FindingRow
from safetynet.reads.labels import label
from safetynet.reads.work_queue import TaskRow
from safetynet.records.models import Event, Marker, Order, Participation, Person, Plan
from safetynet.risk.models import SEVERITY_ORDER
from safetynet.risk.policy import Policy
from safetynet.work.models import Task

PRACTICE = "practice"
CHART_MONTHS = 24
# The roles a child has on a missing report about them (not a reporter or a carer).
MISSING_ROLES = (Participation.Role.MISSING_PERSON, Participation.Role.SUBJECT)
# The marker and order types the identity bar shows first: the ones a call handler must know.
PROMINENT_MARKERS = ("cawn_child", "cse_risk", "cce_risk", "trafficking", "weapons", "self_harm", "mental_health")


@dataclass
class ClauseGroup:
    """The viewer's act-now findings of one clause: its title, how many, the most severe."""

    clause: str
    title: str
    rows: list[FindingRow]

    @property
    def top(self) -> FindingRow:
        return self.rows[0]

    @property
    def count(self) -> int:
        return len(self.rows)

    @property
    def severity_label(self) -> str:
        return self.top.severity_label

    @property
    def tag_colour(self) -> str:
        return self.top.tag_colour


@dataclass(frozen=True)
class PlanLine:
    plan: Plan
    review_overdue: bool

    @property
    def title(self) -> str:
        return label(self.plan.plan_type)


@dataclass(frozen=True)
class Episodes:
    """Missing episodes the viewer may see: counts and the last one."""

    last_90_days: int
    last_12_months: int
    ever: int
    last_started: dt.datetime | None
    last_found: dt.datetime | None

    @property
    def last_still_missing(self) -> bool:
        return self.last_started is not None and self.last_found is None


@dataclass(frozen=True)
class MonthBar:
    month: dt.date  # the first of the month
    episodes: int
    events: int  # other events than missing reports

    @property
    def total(self) -> int:
        return self.episodes + self.events


@dataclass
class Chart:
    """Missing episodes and other events per month, oldest first, with the SVG geometry."""

    bars: list[MonthBar]
    width: int = 720
    height: int = 140
    top: int = 0  # the largest month's total

    @property
    def empty(self) -> bool:
        return self.top == 0

    @property
    def columns(self) -> list[dict[str, Any]]:
        """Each month's x position and the heights of its two stacked bars, in SVG units."""
        plot = self.height - 20  # room for the month labels under the bars
        step = self.width / max(1, len(self.bars))
        cols = []
        for i, bar in enumerate(self.bars):
            scale = plot / self.top if self.top else 0
            ep_h, ev_h = round(bar.episodes * scale, 1), round(bar.events * scale, 1)
            cols.append(
                {
                    "bar": bar,
                    "x": round(i * step + 2, 1),
                    "w": round(step - 4, 1),
                    "ep_y": round(plot - ep_h, 1),
                    "ep_h": ep_h,
                    "ev_y": round(plot - ep_h - ev_h, 1),
                    "ev_h": ev_h,
                    "label_x": round(i * step + step / 2, 1),
                    "label_y": self.height - 6,
                    # A label every third month (and the last) keeps them readable.
                    "labelled": i % 3 == 0 or i == len(self.bars) - 1,
                }
            )
        return cols


@dataclass
class RiskSummary:
    act_now: list[ClauseGroup]
    markers: list[Marker]
    orders: list[tuple[Order, str]]
    care_status: str
    plans: list[PlanLine]
    episodes: Episodes
    open_tasks: list[TaskRow]
    chart: Chart
    show_tasks: bool
    held_elsewhere: int = 0  # how many owning roles hold findings the viewer may not read
    practice: list[FindingRow] = field(default_factory=list)


def split_practice(rows: Iterable[FindingRow]) -> tuple[list[FindingRow], list[FindingRow]]:
    """(act-now rows, practice rows), each in the given order."""
    work: list[FindingRow] = []
    practice: list[FindingRow] = []
    for row in rows:
        (practice if row.finding.kind == PRACTICE else work).append(row)
    return work, practice


def group_by_clause(rows: Sequence[FindingRow], policy: Policy) -> list[ClauseGroup]:
    """The rows grouped by clause: the most severe group first (then the soonest deadline),
    and within a group the most severe row first, as the rows came."""
    groups: dict[str, ClauseGroup] = {}
    for row in rows:
        clause = row.finding.clause
        if clause not in groups:
            spec = policy.document.clauses.get(clause)
            groups[clause] = ClauseGroup(clause=clause, title=spec.title if spec else clause, rows=[])
        groups[clause].rows.append(row)
    far = dt.datetime.max.replace(tzinfo=dt.UTC)

    def order(g: ClauseGroup) -> tuple[int, int, dt.datetime, str]:
        best = min(SEVERITY_ORDER.get(r.finding.severity, 9) for r in g.rows)
        due = min((r.finding.due_by for r in g.rows if r.finding.due_by), default=far)
        return (best, -g.count, due, g.clause)

    result = sorted(groups.values(), key=order)
    for g in result:
        g.rows.sort(key=lambda r: (SEVERITY_ORDER.get(r.finding.severity, 9), r.finding.due_by or far))
    return result


def current_plans(plans: Iterable[Plan], today: dt.date) -> list[PlanLine]:
    """The newest plan of each type (plans are not closed: a newer one replaces the last)."""
    newest: dict[str, Plan] = {}
    for plan in plans:
        held = newest.get(plan.plan_type)
        if held is None or (plan.created_on or dt.date.min) > (held.created_on or dt.date.min):
            newest[plan.plan_type] = plan
    lines = [PlanLine(plan=p, review_overdue=bool(p.review_due and p.review_due < today)) for p in newest.values()]
    return sorted(lines, key=lambda p: (not p.review_overdue, p.plan.review_due or dt.date.max))


def _events_of(person_ids: list[int]) -> QuerySet[Event]:
    return Event.live.filter(pk__in=Participation.objects.filter(person_id__in=person_ids).values("event_id"))


def _found_at(value: Any) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and value:
        try:
            parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
    return None


def _month(when: dt.datetime) -> dt.date:
    local = timezone.localtime(when)
    return dt.date(local.year, local.month, 1)


def _months_back(today: dt.date, n: int) -> list[dt.date]:
    """The first days of the last `n` months, oldest first, this month last."""
    y, m = today.year, today.month
    months = []
    for _ in range(n):
        months.append(dt.date(y, m, 1))
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    return months[::-1]


def episodes_and_chart(
    person_ids: list[int],
    now: dt.datetime,
    restrict: Callable[[QuerySet[Event]], QuerySet[Event]],
) -> tuple[Episodes, Chart]:
    """Missing episodes (one query: the child's missing reports, three columns each) and the
    other events per month over CHART_MONTHS (one aggregate query), both narrowed by the
    viewer's event rules (`restrict`, which reads the viewer's restrictions: one query)."""
    today = timezone.localtime(now).date()
    # Narrowed once: the viewer's restrictions are read once for both queries.
    visible = restrict(_events_of(person_ids))
    reports = visible.filter(
        event_type=Event.EventType.MISSING_REPORT,
        pk__in=Participation.objects.filter(person_id__in=person_ids, role__in=MISSING_ROLES).values("event_id"),
    )
    started: list[tuple[dt.datetime, dt.datetime | None]] = []
    for occurred, ended, found in reports.filter(occurred_at__isnull=False).values_list(
        "occurred_at", "ended_at", "details__found_at"
    ):
        if occurred is not None:
            started.append((occurred, ended or _found_at(found)))
    started.sort(key=lambda s: s[0])
    last = started[-1] if started else None
    episodes = Episodes(
        last_90_days=sum(1 for s, _ in started if s >= now - dt.timedelta(days=90)),
        last_12_months=sum(1 for s, _ in started if s >= now - dt.timedelta(days=365)),
        ever=len(started),
        last_started=last[0] if last else None,
        last_found=last[1] if last else None,
    )
    months = _months_back(today, CHART_MONTHS)
    start = timezone.make_aware(dt.datetime.combine(months[0], dt.time()))
    per_month_episodes: dict[dt.date, int] = dict.fromkeys(months, 0)
    for s, _ in started:
        if s >= start and _month(s) in per_month_episodes:
            per_month_episodes[_month(s)] += 1
    others = (
        visible.filter(occurred_at__gte=start, occurred_at__lte=now)
        .exclude(event_type=Event.EventType.MISSING_REPORT)
        .annotate(month=TruncMonth("occurred_at"))
        .values("month")
        .annotate(n=Count("pk"))
        .order_by()
    )
    per_month_events: dict[dt.date, int] = dict.fromkeys(months, 0)
    for row in others:
        month = row["month"]
        key = month.date() if isinstance(month, dt.datetime) else month
        key = dt.date(key.year, key.month, 1)
        if key in per_month_events:
            per_month_events[key] += row["n"]
    bars = [MonthBar(month=m, episodes=per_month_episodes[m], events=per_month_events[m]) for m in months]
    return episodes, Chart(bars=bars, top=max((b.total for b in bars), default=0))


def open_tasks(rows: Iterable[FindingRow]) -> list[TaskRow]:
    """The open and acknowledged tasks of these rows, overdue first, then the soonest due."""
    tasks = [r.task for r in rows if r.task is not None and r.task.task.state in Task.CURRENT]
    far = dt.datetime.max.replace(tzinfo=dt.UTC)
    return sorted(tasks, key=lambda t: (not t.overdue, t.task.due_at or far))


def prominent_markers(markers: Iterable[Marker], today: dt.date) -> list[Marker]:
    """Current markers (no end date, or one still ahead), the most important types first."""
    current = [m for m in markers if m.valid_to is None or m.valid_to >= today]
    rank = {t: i for i, t in enumerate(PROMINENT_MARKERS)}
    return sorted(current, key=lambda m: (rank.get(m.marker_type, len(rank)), m.marker_type))


def care_status_of(people: Iterable[Person]) -> str:
    """The care status of the newest record that records one ("Looked after (rms)"): the
    headline reads only the newest record, which may be a system that does not hold it."""
    held = [p for p in people if p.care_status]
    if not held:
        return ""
    newest = max(held, key=lambda p: (p.recorded_at or dt.datetime.min.replace(tzinfo=dt.UTC), p.pk))
    # "none" is a system saying the child has no care status, not a status called "None".
    text = "No care status" if newest.care_status == "none" else label(newest.care_status)
    return f"{text} ({newest.source})"


def current_orders(orders: Iterable[tuple[Order, str]], today: dt.date) -> list[tuple[Order, str]]:
    """Orders in force (CAWNs first)."""
    live = [(o, how) for o, how in orders if o.valid_to is None or o.valid_to >= today]
    return sorted(live, key=lambda pair: pair[0].order_type != Order.OrderType.CAWN)


def summarise(
    user: Any,
    *,
    rows: Sequence[FindingRow],
    held_elsewhere: int,
    markers: Iterable[Marker],
    orders: Iterable[tuple[Order, str]],
    plans: Iterable[Plan],
    people: Sequence[Person],
    now: dt.datetime,
    policy: Policy,
    restrict: Callable[[QuerySet[Event]], QuerySet[Event]],
    show_tasks: bool,
) -> RiskSummary:
    """The summary of one child for `user`, from what the page has already read for them:
    `rows` are the findings the disclosure rule shows them, the markers, orders and plans
    those the viewer may see; `people` the child's source records."""
    today = timezone.localtime(now).date()
    work, practice = split_practice(rows)
    episodes, chart = episodes_and_chart([p.pk for p in people], now, restrict)
    return RiskSummary(
        act_now=group_by_clause(work, policy),
        markers=prominent_markers(markers, today),
        orders=current_orders(orders, today),
        care_status=care_status_of(people),
        plans=current_plans(plans, today),
        episodes=episodes,
        open_tasks=open_tasks(work) if show_tasks else [],
        chart=chart,
        show_tasks=show_tasks,
        held_elsewhere=held_elsewhere,
        practice=practice,  # the disclosure rule keeps another agency's practice findings from `rows`
    )
