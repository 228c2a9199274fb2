"""Review deadlines per stage (settings.REVIEW_DEADLINE_DAYS, by risk level; the rule is assessments.schedule).

A stage is overdue when the assessment has waited at it longer than its risk
level allows. The same rule is used in Python (one assessment) and as a query
filter (lists), so the queue, the pipeline and the filters agree.
"""

from datetime import timedelta

from django.conf import settings
from django.db.models import Q

from assessments import schedule
from assessments.states import REVIEW_STATES


def stage_due_at(assessment):
    """When the current review stage is due, or None outside review."""
    if assessment.state not in REVIEW_STATES or assessment.stage_entered_at is None:
        return None
    return schedule.stage_due_at(assessment.stage_entered_at, assessment.risk_level)


DAY = timedelta(days=1)


def days_overdue(due_at, now):
    """Whole days ``now`` is past ``due_at``: 0 before the deadline and during its first day late.

    The one count of overdue days: the queue, the inbox, the reminders and escalations, the chair's
    digest and the analytics all read it, so they never disagree.
    """
    if due_at is None or now <= due_at:
        return 0
    return (now - due_at) // DAY


def overdue_q(now):
    """Filter for assessments whose current review stage is past its deadline at ``now``."""
    levels = settings.REVIEW_DEADLINE_DAYS
    late = Q()
    for level, days in levels.items():
        late |= Q(risk_level=level, stage_entered_at__lt=now - timedelta(days=days))
    late |= Q(risk_level__isnull=True, stage_entered_at__lt=now - timedelta(days=min(levels.values())))
    late |= ~Q(risk_level__in=list(levels)) & Q(
        risk_level__isnull=False, stage_entered_at__lt=now - timedelta(days=min(levels.values()))
    )
    return Q(state__in=REVIEW_STATES) & late


class StageClock:
    """Age at the current stage and its deadline, for display."""

    def __init__(self, assessment, now):
        self.entered_at = assessment.stage_entered_at
        self.due_at = stage_due_at(assessment)
        self.days_waiting = (now - self.entered_at).days if self.entered_at else None
        self.overdue = self.due_at is not None and now > self.due_at
        if self.due_at is None:
            self.days_left = None
        else:
            seconds = (self.due_at - now).total_seconds()
            self.days_left = int(seconds // 86400)  # negative when overdue
        self.days_overdue = days_overdue(self.due_at, now)
