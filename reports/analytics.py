"""Committee analytics: where review time goes, what is overdue, what the committee decided.

Stage times come from the audit log, where every transition row records its
``from_state``, ``to_state`` and ``created_at``: a stage visit ends with the
transition row that leaves a review state, and begins with the assessment's
previous transition row (the one that entered that state). Visits that ended in
the last ``WINDOW_DAYS`` days count; the stage an assessment waits at now is in
the overdue counts instead.

Three queries whatever the number of assessments: one reads the durations
(``values_list`` of entry and exit times, the entry found by a correlated
subquery), one counts waiting and overdue assessments per stage, one counts
decisions per month. Medians and 90th percentiles are computed in Python over
the durations, which portable SQL cannot do on SQLite.
"""

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import TruncMonth
from django.utils import timezone

from accounts import roles
from assessments.deadlines import overdue_q
from assessments.models import REVIEW_STATES, STAGE_STATE, Assessment, AuditEntry
from assessments.selectors import assessments_visible_to
from assessments.states import DECISION_STATES
from committee.weekly import seven_full_days, week_figures

WINDOW_DAYS = 90
MONTHS = 12
SECONDS_PER_DAY = 86400
# The committee's decisions, in the order charts and the CSV show them.
DECISIONS = tuple((state, state.label) for state in DECISION_STATES)


def percentile(ordered, fraction):
    """The ``fraction`` quantile of sorted numbers, interpolating linearly between the closest ranks.

    The same method as ``statistics.quantiles(method="inclusive")`` and numpy's default:
    for 1, 2, 3, 4 and 10 the median is 3 and the 90th percentile 7.6. None for no numbers.
    """
    if not ordered:
        return None
    position = (len(ordered) - 1) * fraction
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


@dataclass(frozen=True)
class StageTime:
    domain: str
    label: str
    visits: int
    median_days: float | None
    p90_days: float | None


@dataclass(frozen=True)
class StageLoad:
    domain: str
    label: str
    waiting: int
    overdue: int


@dataclass(frozen=True)
class MonthDecisions:
    month: str  # "2027-03"
    label: str  # "Mar 2027"
    counts: dict  # decision state -> count

    @property
    def total(self):
        return sum(self.counts.values())


@dataclass(frozen=True)
class CommitteeAnalytics:
    now: datetime
    since: datetime
    stage_times: list
    stage_loads: list
    months: list
    week: object  # committee.weekly.WeekFigures: the last seven full days, as the chair's digest counts them

    @property
    def overdue_total(self):
        return sum(s.overdue for s in self.stage_loads)

    @property
    def decisions_total(self):
        return sum(m.total for m in self.months)


def committee_analytics(*, user, now=None):
    """The analytics of the assessments ``user`` may see, at ``now`` (default: the present)."""
    now = now or timezone.now()
    visible = assessments_visible_to(user).order_by().values("pk")
    since = now - timedelta(days=WINDOW_DAYS)
    return CommitteeAnalytics(
        now=now,
        since=since,
        stage_times=_stage_times(visible, since, now),
        stage_loads=_stage_loads(visible, now),
        months=_decisions_by_month(visible, now),
        week=week_figures(*seven_full_days(now), now, visible),
    )


def _stage_times(visible, since, now):
    transitions = AuditEntry.objects.filter(action=AuditEntry.Action.TRANSITION)
    entered = (
        transitions.filter(assessment_id=OuterRef("assessment_id"), seq__lt=OuterRef("seq"))
        .order_by("-seq")
        .values("created_at")[:1]
    )
    exits = (
        transitions.filter(
            assessment_id__in=visible,
            from_state__in=REVIEW_STATES,
            created_at__gte=since,
            created_at__lte=now,
        )
        .annotate(entered_at=Subquery(entered))
        .order_by()
        .values_list("from_state", "entered_at", "created_at")
    )
    durations = {state: [] for state in REVIEW_STATES}
    for state, entered_at, left_at in exits:
        if entered_at is not None:
            durations[state].append((left_at - entered_at).total_seconds() / SECONDS_PER_DAY)
    times = []
    for domain, state in STAGE_STATE.items():
        days = sorted(durations[state])
        times.append(
            StageTime(
                domain=domain,
                label=roles.DOMAIN_LABELS[domain],
                visits=len(days),
                median_days=percentile(days, 0.5),
                p90_days=percentile(days, 0.9),
            )
        )
    return times


def _stage_loads(visible, now):
    rows = (
        Assessment.objects.filter(pk__in=visible, state__in=REVIEW_STATES)
        .values("state")
        .annotate(waiting=Count("pk"), overdue=Count("pk", filter=overdue_q(now)))
        .order_by()
    )
    by_state = {row["state"]: row for row in rows}
    return [
        StageLoad(
            domain=domain,
            label=roles.DOMAIN_LABELS[domain],
            waiting=by_state.get(state, {}).get("waiting", 0),
            overdue=by_state.get(state, {}).get("overdue", 0),
        )
        for domain, state in STAGE_STATE.items()
    ]


def month_starts(now, count=MONTHS):
    """The first moments of the last ``count`` calendar months (this one last), in the project's time zone."""
    today = timezone.localtime(now)
    year, month = today.year, today.month
    starts = []
    for _ in range(count):
        starts.append(timezone.make_aware(datetime(year, month, 1)))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return starts[::-1]


def _decisions_by_month(visible, now):
    starts = month_starts(now)
    rows = (
        AuditEntry.objects.filter(
            action=AuditEntry.Action.TRANSITION,
            assessment_id__in=visible,
            to_state__in=[state for state, _ in DECISIONS],
            created_at__gte=starts[0],
            created_at__lte=now,
        )
        .annotate(month=TruncMonth("created_at"))
        .values("month", "to_state")
        .annotate(n=Count("seq"))
        .order_by()
    )
    counts = {}
    for row in rows:
        month = timezone.localtime(row["month"]) if timezone.is_aware(row["month"]) else row["month"]
        counts[(month.year, month.month, row["to_state"])] = row["n"]
    return [
        MonthDecisions(
            month=f"{start.year:04d}-{start.month:02d}",
            label=start.strftime("%b %Y"),
            counts={state: counts.get((start.year, start.month, state), 0) for state, _ in DECISIONS},
        )
        for start in starts
    ]
