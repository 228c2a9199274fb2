"""The committee's week: the last seven full days, and what happened in them, counted once.

The chair's weekly digest and the analytics page both read ``week_figures``, so for the same week
they give the same numbers: submissions (first and resubmitted rounds), the committee's decisions
(approvals that ended a review, change requests, rejections), and the stages overdue at the moment
of reading (by ``deadlines.overdue_q``, the rule the queue and the reminders use).
"""

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.db.models import Count, Q
from django.utils import timezone

from assessments import transitions
from assessments.deadlines import overdue_q
from assessments.models import Assessment, AuditEntry
from assessments.states import DECISION_STATES

DAYS = 7


def seven_full_days(now):
    """``(start, end)``: local midnight seven days before today, and local midnight today (end excluded)."""
    today = timezone.localdate(now)
    end = timezone.make_aware(datetime.combine(today, time.min))
    start = timezone.make_aware(datetime.combine(today - timedelta(days=DAYS), time.min))
    return start, end


def last_day(end):
    """The last full day of a period that ends (excluded) at ``end``."""
    return timezone.localdate(end - timedelta(microseconds=1))


@dataclass(frozen=True)
class WeekFigures:
    start: datetime
    end: datetime
    submitted: int
    decisions: dict  # decision state -> count
    overdue_now: int

    @property
    def decided(self):
        return sum(self.decisions.values())

    @property
    def first_day(self):
        return timezone.localdate(self.start)

    @property
    def last_day(self):
        return last_day(self.end)


def sending_transitions():
    return [spec.name for spec in transitions.table().values() if spec.sends_answers]


def deciding_transitions():
    return [spec.name for spec in transitions.table().values() if spec.actor == "reviewer"]


def week_entries(start, end, assessments=None):
    """The transition rows of the period, of ``assessments`` (a queryset of ids) when given."""
    entries = AuditEntry.objects.filter(action=AuditEntry.Action.TRANSITION, created_at__gte=start, created_at__lt=end)
    if assessments is not None:
        entries = entries.filter(assessment_id__in=assessments)
    return entries


def submitted_q():
    return Q(transition__in=sending_transitions())


def decided_q():
    return Q(transition__in=deciding_transitions(), to_state__in=DECISION_STATES)


def week_figures(start, end, now, assessments=None):
    """The period's figures, over ``assessments`` (a queryset of ids; all when None). Two queries."""
    counts = week_entries(start, end, assessments).aggregate(
        submitted=Count("seq", filter=submitted_q()),
        **{state: Count("seq", filter=decided_q() & Q(to_state=state)) for state in DECISION_STATES},
    )
    overdue = Assessment.objects.filter(overdue_q(now))
    if assessments is not None:
        overdue = overdue.filter(pk__in=assessments)
    return WeekFigures(
        start=start,
        end=end,
        submitted=counts["submitted"],
        decisions={state: counts[state] for state in DECISION_STATES},
        overdue_now=overdue.count(),
    )
