"""The reminder sweeps: overdue review stages, dated conditions and upcoming re-reviews, and the schedule's upkeep.

Each reads only the rows whose stored moment (``next_reminder_at``, ``next_reminder_on``) has come, sends their
notices with a key per (kind, assessment, stage or condition, round, day) and moves the schedule on
(``committee/schedule.py``). A stage is overdue strictly after its due moment (``assessments.deadlines.is_overdue``):
a sweep at the due moment itself sends nothing and leaves the stage due, so the next sweep takes it; each later
reminder period starts at its boundary exactly (24 hours late is one day overdue, ``days_overdue``).
"""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from assessments.deadlines import days_overdue, is_overdue, stage_due_at
from assessments.models import TERMINAL_STATES, Assessment, Condition, State

from . import recipients, schedule
from .notices import Notice, assessment_facts, event_key, iso, notices_to, notify
from .sweeping import ASSESSMENT_FIELDS, assessments_listed, claim, recorded, schedule_move


def reminders_reschedule(now=None, *, restart=False):
    """Put every open reminder schedule right for the current settings; returns the number of rows written.

    Run daily (beat) and by ``manage.py reminders_reschedule``, so that a changed deadline, reminder
    interval or escalation takes effect within a day. With ``restart`` every open schedule goes back
    to its start (after rows were changed behind the services); the next sweep then looks at every
    overdue stage and condition once, and the keys keep what was sent from being sent again.
    Set-based: a few queries whatever the number of rows.
    """
    now = now or timezone.now()
    with transaction.atomic():
        if restart:
            return schedule.schedules_restart(assessments=Assessment, conditions=Condition)
        return schedule.schedules_recompute(now, timezone.localdate(now), assessments=Assessment, conditions=Condition)


# -- overdue review stages ------------------------------------------------------------------------


@recorded
def stage_reminders(now):
    """Remind the reviewers of each overdue stage (at most once per 24 hours) and escalate to the chairs.

    Looks only at the stages whose ``next_reminder_at`` has come, and moves it on.
    """
    claimed = claim(Assessment.objects.filter(next_reminder_at__lte=now))
    if not claimed:
        return []
    due = list(assessments_listed().filter(pk__in=claimed))
    moves, overdue, due_ats = {}, [], {}
    for assessment in due:
        due_at = stage_due_at(assessment)
        if not is_overdue(due_at, now):  # left review, not overdue until after its due moment, or it moved
            moves[assessment.pk] = due_at
        else:
            moves[assessment.pk] = schedule.stage_reminder_after(due_at, now)
            overdue.append(assessment)
            due_ats[assessment.pk] = due_at
    schedule_move(Assessment, "next_reminder_at", moves)
    reviewers = recipients.stage_reviewers(overdue)
    acting = recipients.acting_for({a.stage for a in overdue}) if overdue else {}
    chairs = recipients.chairs() if overdue else []
    every = schedule.stage_reminder_every()
    escalate_after = schedule.stage_escalation_after()
    notices = []
    for assessment in overdue:
        due_at = due_ats[assessment.pk]
        late = now - due_at
        context = {
            **assessment_facts(assessment),
            "stage": assessment.stage,
            "round": assessment.review_round,
            "due_at": iso(due_at),
            "days_overdue": days_overdue(due_at, now),
        }
        # Reminder periods run 24 hours each from the deadline: one reminder in each.
        period_start = due_at + every * (late // every)
        key = event_key(
            "stage_overdue",
            assessment_id=assessment.pk,
            part=assessment.stage,
            review_round=assessment.review_round,
            day=timezone.localdate(period_start),
        )
        notices += notices_to(
            "stage_overdue",
            reviewers[assessment.pk],
            key,
            assessment.pk,
            context,
            acting=acting.get(assessment.stage, ()),
            domain=assessment.stage,
        )
        if late >= escalate_after:
            key = event_key(
                "stage_escalated",
                assessment_id=assessment.pk,
                part=assessment.stage,
                review_round=assessment.review_round,
                day=timezone.localdate(due_at + escalate_after),
            )
            reminded = len(reviewers[assessment.pk])
            notices += [
                Notice("stage_escalated", uid, key, assessment.pk, {**context, "reviewers_reminded": reminded})
                for uid in chairs
            ]
    return notify(notices, now=now)


# -- conditions -----------------------------------------------------------------------------------------


@recorded
def condition_reminders(now):
    """Remind each open dated condition's owner before its due date, on it, and weekly while overdue.

    Looks only at the conditions whose ``next_reminder_on`` has come, and moves it on; a condition
    closed or of an ended assessment loses its schedule here.
    """
    today = timezone.localdate(now)
    claimed = claim(Condition.objects.filter(next_reminder_on__lte=today))
    if not claimed:
        return []
    conditions = (
        Condition.objects.filter(pk__in=claimed)
        .select_related("assessment__feature__team", "sign_off")
        .only(
            "id",
            "text",
            "due_date",
            "status",
            "owner_id",
            "sign_off__stage",
            "sign_off__review_round",
            *(f"assessment__{name}" for name in ASSESSMENT_FIELDS),
        )
        .order_by("pk")
    )
    moves, notices = {}, []
    for condition in conditions:
        assessment = condition.assessment
        if not condition.is_open or condition.due_date is None or assessment.state in TERMINAL_STATES:
            moves[condition.pk] = None
            continue
        moves[condition.pk] = schedule.condition_reminder_after(condition.due_date, today)
        phase = schedule.condition_phase(condition.due_date, today)
        if phase is None:  # its first day moved (reschedule)
            continue
        kind, day = phase
        review_round = condition.sign_off.review_round if condition.sign_off else assessment.review_round
        context = {
            **assessment_facts(assessment),
            "condition_id": condition.pk,
            "text": condition.text,
            "due_date": iso(condition.due_date),
            "stage": condition.sign_off.stage if condition.sign_off else "",
        }
        key = event_key(kind, assessment_id=assessment.pk, part=f"c{condition.pk}", review_round=review_round, day=day)
        notices.append(Notice(kind, condition.owner_id, key, assessment.pk, context))
    schedule_move(Condition, "next_reminder_on", moves)
    return notify(notices, now=now)


# -- re-reviews ---------------------------------------------------------------------------------------------


@recorded
def rereview_notices(now):
    """Tell each launched feature's team that its re-review date is near."""
    today = timezone.localdate(now)
    ahead = timedelta(days=settings.REREVIEW_NOTICE_DAYS_BEFORE)
    launched = list(
        assessments_listed().filter(state=State.LAUNCHED, next_review_due__gt=today, next_review_due__lte=today + ahead)
    )
    teams = recipients.team_members(launched)
    notices = []
    for assessment in launched:
        key = event_key(
            "rereview_upcoming",
            assessment_id=assessment.pk,
            review_round=assessment.review_round,
            day=assessment.next_review_due - ahead,
        )
        context = {**assessment_facts(assessment), "next_review_due": iso(assessment.next_review_due)}
        notices += [Notice("rereview_upcoming", uid, key, assessment.pk, context) for uid in teams[assessment.pk]]
    return notify(notices, now=now)
