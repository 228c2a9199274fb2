"""When a review stage or a condition next needs a reminder: the cadence, and the upkeep of the stored schedule.

When a stage is due and when it is overdue is the core's rule (``assessments/deadlines.py``); this module only
says how often, after that, a reminder is due and when the chairs are told.

An assessment in review keeps ``next_reminder_at`` and an open dated condition ``next_reminder_on``,
the next moment (day) a reminder about it falls due, so that the periodic sweeps
(``committee/reminders.py``) select only what has fallen due, from an index, instead of everything
overdue. The sweeps build the notices, and the keys that keep them from being sent twice, from the
same rules, and move the schedule on.

The rules depend on settings (``REVIEW_DEADLINE_DAYS``, ``STAGE_REMINDER_EVERY_HOURS``,
``STAGE_ESCALATION_AFTER_DAYS``, ``CONDITION_REMINDER_DAYS_BEFORE``, ``CONDITION_OVERDUE_EVERY_DAYS``).
A stored schedule made under other settings is put right by ``schedules_recompute`` (the daily
``reminders_reschedule``). This module imports no model: the model classes are passed in.
"""

from datetime import timedelta

from django.conf import settings
from django.db.models import F, Q

from assessments.deadlines import condition_first_reminder, deadline_groups, is_overdue, past_due_q
from assessments.states import REVIEW_STATES, TERMINAL_STATES

# -- review stages ------------------------------------------------------------------------------------


def stage_reminder_every():
    return timedelta(hours=settings.STAGE_REMINDER_EVERY_HOURS)


def stage_escalation_after():
    return timedelta(days=settings.STAGE_ESCALATION_AFTER_DAYS)


def stage_reminder_after(due_at, now):
    """The next moment a stage due at ``due_at`` needs a notice, once all that is due at ``now`` has been sent.

    Before the deadline, the deadline. After it, the start of the next reminder period (periods run
    ``STAGE_REMINDER_EVERY_HOURS`` each from the deadline), or the escalation to the chairs if that
    comes first and has not come yet.
    """
    if not is_overdue(due_at, now):
        return due_at
    every = stage_reminder_every()
    following = due_at + every * ((now - due_at) // every + 1)
    escalation = due_at + stage_escalation_after()
    return escalation if now < escalation < following else following


# -- conditions ---------------------------------------------------------------------------------------------


def condition_phase(due_date, today):
    """``(kind, day the reminder stands for)`` of a dated condition today, or None when nothing is due."""
    before = timedelta(days=settings.CONDITION_REMINDER_DAYS_BEFORE)
    every = timedelta(days=settings.CONDITION_OVERDUE_EVERY_DAYS)
    if today < due_date - before:
        return None
    if today < due_date:
        return "condition_due_soon", due_date - before
    if today < due_date + every:
        return "condition_due", due_date
    weeks = (today - due_date) // every
    return "condition_overdue", due_date + every * weeks


def condition_reminder_after(due_date, today):
    """The next day a condition due on ``due_date`` needs a reminder, once today's has been sent."""
    every = timedelta(days=settings.CONDITION_OVERDUE_EVERY_DAYS)
    if today < condition_first_reminder(due_date):
        return condition_first_reminder(due_date)
    if today < due_date:
        return due_date
    return due_date + every * ((today - due_date) // every + 1)


# -- every open schedule at once (set-based) ---------------------------------------------------------------


def _clear_stages(assessments):
    return (
        assessments.objects.filter(next_reminder_at__isnull=False)
        .filter(~Q(state__in=REVIEW_STATES) | Q(stage_entered_at__isnull=True))
        .update(next_reminder_at=None)
    )


def _clear_conditions(conditions):
    return (
        conditions.objects.filter(next_reminder_on__isnull=False)
        .filter(~Q(status="open") | Q(due_date__isnull=True) | Q(assessment__state__in=TERMINAL_STATES))
        .update(next_reminder_on=None)
    )


def _open_conditions(conditions):
    return conditions.objects.filter(status="open", due_date__isnull=False).exclude(
        assessment__state__in=TERMINAL_STATES
    )


def schedules_restart(*, assessments, conditions):
    """Every open schedule back to its start: each stage in review to its due time, each open dated condition of
    a live assessment to its first reminder day, the rest to NULL. The next sweeps then look at everything
    overdue once; the notices' keys keep what was already sent from being sent again.

    ``assessments`` and ``conditions`` are the model classes (the migration passes its historical ones).
    Returns the number of rows written. Queries: one per deadline group, and three.
    """
    changed = _clear_stages(assessments)
    in_review = assessments.objects.filter(state__in=REVIEW_STATES, stage_entered_at__isnull=False)
    for group, days in deadline_groups():
        changed += in_review.filter(group).update(next_reminder_at=F("stage_entered_at") + timedelta(days=days))
    changed += _clear_conditions(conditions)
    changed += _open_conditions(conditions).update(
        next_reminder_on=F("due_date") - timedelta(days=settings.CONDITION_REMINDER_DAYS_BEFORE)
    )
    return changed


def schedules_recompute(now, today, *, assessments, conditions):
    """Put right every stored schedule that the current settings would not have produced; leave the rest.

    A stage not yet due is scheduled at its due time. An overdue stage keeps its schedule when it is
    already due (the next sweep takes it), or when it lies in the current reminder period and not past
    the escalation still to come (what a sweep under these settings leaves); otherwise it goes back to its
    due time, which has passed, so the next sweep looks at it once and sends what these settings say is
    due (the keys keep anything from being sent twice). Conditions alike, by day. So a changed setting
    takes effect at the latest one reminder period later; in the steady state nothing is written.

    Returns the number of rows changed. Queries: one per deadline group, and three.
    """
    changed = _clear_stages(assessments)
    every = stage_reminder_every()
    escalation = stage_escalation_after()
    in_review = assessments.objects.filter(state__in=REVIEW_STATES, stage_entered_at__isnull=False)
    for group, days in deadline_groups():
        deadline = timedelta(days=days)
        due_at = F("stage_entered_at") + deadline
        not_yet_due = ~past_due_q(now, days)
        in_this_period = Q(next_reminder_at__lte=now + every) & (
            Q(stage_entered_at__lte=now - deadline - escalation)  # escalated already
            | Q(next_reminder_at__lte=F("stage_entered_at") + deadline + escalation)
        )
        stale = (
            Q(next_reminder_at__isnull=True)
            | (not_yet_due & ~Q(next_reminder_at=due_at))
            | (~not_yet_due & Q(next_reminder_at__gt=now) & ~in_this_period)
        )
        changed += in_review.filter(group).filter(stale).update(next_reminder_at=due_at)
    changed += _clear_conditions(conditions)
    before = timedelta(days=settings.CONDITION_REMINDER_DAYS_BEFORE)
    weekly = timedelta(days=settings.CONDITION_OVERDUE_EVERY_DAYS)
    first = F("due_date") - before
    soon = Q(due_date__gt=today + before)  # its first reminder is still to come
    stale = (
        Q(next_reminder_on__isnull=True)
        | (soon & ~Q(next_reminder_on=first))
        # Reminded before the due date: the next one is on it.
        | (~soon & Q(due_date__gt=today) & Q(next_reminder_on__gt=today) & ~Q(next_reminder_on=F("due_date")))
        # Due or overdue: the next one is within a week.
        | (Q(due_date__lte=today) & Q(next_reminder_on__gt=today + weekly))
    )
    changed += _open_conditions(conditions).filter(stale).update(next_reminder_on=first)
    return changed
