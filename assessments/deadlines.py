"""Review deadlines per stage (``settings.REVIEW_DEADLINE_DAYS``, by risk level): the rule, stated once.

A review stage is due ``deadline_days(risk_level)`` days after it was entered (``stage_due_moment``), and it is
overdue strictly after that moment: at the due moment itself it is not yet overdue, one microsecond later it is
(``is_overdue``). Every reader derives from these two statements: the queue's and the inbox's clocks
(``StageClock``), the lists, filters, digest and analytics (``overdue_q``, the same edge in SQL), the count of days
late (``days_overdue``) and the reminder sweeps (``committee.schedule``), so they never disagree at the edge.

The core keeps only what its models compute on save (a stage's due moment, a dated condition's first reminder
day); the reminder cadence and the schedule's upkeep are the committee's (``committee/schedule.py``).
This module imports no model.
"""

from datetime import timedelta

from django.conf import settings
from django.db.models import Q

from assessments.states import REVIEW_STATES

DAY = timedelta(days=1)


def deadline_days(risk_level):
    """Days a stage may take at this risk level; an unknown level gets the strictest deadline."""
    days = settings.REVIEW_DEADLINE_DAYS
    return days.get(risk_level, min(days.values()))


def deadline_groups():
    """``(filter, days)`` per deadline, for set-based queries: each risk level of the settings, and the rest (no
    level, or an unknown one) with the strictest deadline, as ``deadline_days`` gives it."""
    days = settings.REVIEW_DEADLINE_DAYS
    groups = [(Q(risk_level=level), d) for level, d in days.items()]
    groups.append((Q(risk_level__isnull=True) | ~Q(risk_level__in=list(days)), min(days.values())))
    return groups


def stage_due_moment(stage_entered_at, risk_level):
    """When a review stage entered at ``stage_entered_at`` is due."""
    return stage_entered_at + timedelta(days=deadline_days(risk_level))


def is_overdue(due_at, now):
    """THE edge: a stage due at ``due_at`` is overdue at ``now`` strictly after its due moment."""
    return due_at is not None and now > due_at


def past_due_q(now, days):
    """``is_overdue`` in SQL for stages with a ``days``-day deadline: due moment (entered + days) before ``now``."""
    return Q(stage_entered_at__lt=now - timedelta(days=days))


def condition_first_reminder(due_date):
    """The day of an open condition's first reminder: ``CONDITION_REMINDER_DAYS_BEFORE`` days before it is due."""
    return due_date - timedelta(days=settings.CONDITION_REMINDER_DAYS_BEFORE)


def stage_due_at(assessment):
    """When the current review stage is due, or None outside review."""
    if assessment.state not in REVIEW_STATES or assessment.stage_entered_at is None:
        return None
    return stage_due_moment(assessment.stage_entered_at, assessment.risk_level)


def days_overdue(due_at, now):
    """Whole days ``now`` is past ``due_at``: 0 before the deadline and during its first day late, 1 at exactly 24
    hours late.

    The one count of overdue days: the queue, the inbox, the reminders and escalations, the chair's
    digest and the analytics all read it, so they never disagree.
    """
    if not is_overdue(due_at, now):
        return 0
    return (now - due_at) // DAY


def overdue_q(now):
    """Filter for assessments whose current review stage is overdue at ``now`` (``is_overdue``, in SQL)."""
    late = Q()
    for group, days in deadline_groups():
        late |= group & past_due_q(now, days)
    return Q(state__in=REVIEW_STATES) & late


class StageClock:
    """Age at the current stage and its deadline, for display."""

    def __init__(self, assessment, now):
        self.entered_at = assessment.stage_entered_at
        self.due_at = stage_due_at(assessment)
        self.days_waiting = (now - self.entered_at).days if self.entered_at else None
        self.overdue = is_overdue(self.due_at, now)
        if self.due_at is None:
            self.days_left = None
        else:
            seconds = (self.due_at - now).total_seconds()
            self.days_left = int(seconds // 86400)  # negative when overdue
        self.days_overdue = days_overdue(self.due_at, now)
