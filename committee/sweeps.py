"""The periodic sweeps: what is due now, as set-based queries, recorded by key so nothing is sent twice.

Each sweep selects what is due with a constant number of queries, whatever the number of
assessments, and writes its notices through ``notices.notify`` with a key per (kind,
assessment, stage or condition, round, day): running a sweep twice at the same moment sends
nothing new. Every rule's interval is a setting (config/settings.py).

- ``stage_reminders``: an overdue stage's reviewers when it falls due, then once per 24 hours;
  the chairs once it is ``STAGE_ESCALATION_AFTER_DAYS`` overdue.
- ``condition_reminders``: a condition's owner ``CONDITION_REMINDER_DAYS_BEFORE`` days before its
  due date, on it, then every ``CONDITION_OVERDUE_EVERY_DAYS`` days while it is open.
- ``rereview_notices``: the team ``REREVIEW_NOTICE_DAYS_BEFORE`` days before the re-review date.
- ``reassessments_due`` and ``reassessment_start``: on the date, the system starts the re-assessment.
- ``daily_digests`` and ``chair_digest``: the digests.

The stage and condition reminders are scheduled (``assessments/schedule.py``): each stage in review
and each open dated condition stores when its next reminder falls due (``next_reminder_at``,
``next_reminder_on``, indexed), set when it enters review or is created. A sweep reads only the rows
whose moment has come (locked, skipping rows a concurrent sweep holds), sends their notices and moves
their schedule on, so a sweep that finds nothing new costs the same at any size. The stored schedule
follows the settings above; ``reminders_reschedule`` (daily from beat, and ``manage.py
reminders_reschedule``, ``--restart`` after rows were changed behind the services) puts it right
after a setting changed.
"""

import logging
from datetime import datetime, time, timedelta

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import DateTimeField, Exists, OuterRef, Subquery
from django.utils import timezone

from assessments import schedule, services
from assessments.deadlines import days_overdue, overdue_q, stage_due_at
from assessments.errors import NotPermitted, TransitionConflict
from assessments.models import (
    TERMINAL_STATES,
    Assessment,
    BiasMitigation,
    Condition,
    EvidenceKind,
    MonitoringFlag,
    State,
)
from assessments.schedule import condition_phase

from . import recipients, weekly
from .models import Notification, OutboxEmail
from .notices import Notice, assessment_facts, event_key, iso, notify

logger = logging.getLogger(__name__)

ASSESSMENT_FIELDS = (
    "id",
    "version",
    "state",
    "risk_level",
    "review_round",
    "stage_entered_at",
    "next_review_due",
    "feature__name",
    "feature__team__name",
    "feature__team__group_id",
)
DIGEST_LIST_LIMIT = 50  # items per section of the chair's digest; it says how many more there are


def _assessments():
    return Assessment.objects.select_related("feature__team").only(*ASSESSMENT_FIELDS).order_by("pk")


def recorded(sweep):
    """Run a sweep in one transaction. A concurrent run that wrote the same keys first makes this one
    fail on the unique key; it runs once more and finds nothing new to send."""

    def run(now=None):
        now = now or timezone.now()
        for attempt in (1, 2):
            try:
                with transaction.atomic():
                    return sweep(now)
            except IntegrityError:
                if attempt == 2:
                    raise
                logger.info("%s raced another run; running it again.", sweep.__name__)

    run.__name__ = sweep.__name__
    run.__doc__ = sweep.__doc__
    return run


# -- the stored schedules --------------------------------------------------------------------------------


def _claim(queryset):
    """The ids of the due rows, locked; rows another sweep holds are skipped (it is handling them). SQLite has no
    row locks and runs one writer at a time, so there it is the plain query.

    Ids only, from the schedule's index: when nothing is due that is the sweep's one query, whatever plan the
    joins of the rows' details would get (the planner's statistics lag behind a schedule just moved on).
    """
    return list(queryset.select_for_update(skip_locked=True).order_by().values_list("pk", flat=True))


def _schedule_move(model, field, moments):
    """Store each row's next reminder (``{pk: value}``) in one query on PostgreSQL, whatever the number of rows."""
    if not moments:
        return
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(model._meta.db_table)
        column = connection.ops.quote_name(field)
        kind = "timestamptz" if isinstance(model._meta.get_field(field), DateTimeField) else "date"
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET {column} = moved.value "  # noqa: S608  # nosec B608 (names from the model)
                f"FROM unnest(%s::bigint[], %s::{kind}[]) AS moved(id, value) WHERE {table}.id = moved.id",
                [list(moments), list(moments.values())],
            )
        return
    rows = [model(pk=pk, **{field: value}) for pk, value in moments.items()]
    model.objects.bulk_update(rows, [field])


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
    claimed = _claim(Assessment.objects.filter(next_reminder_at__lte=now))
    if not claimed:
        return []
    due = list(_assessments().filter(pk__in=claimed))
    moves, overdue, due_ats = {}, [], {}
    for assessment in due:
        due_at = stage_due_at(assessment)
        if due_at is None or now < due_at:  # left review, or its deadline moved (reschedule)
            moves[assessment.pk] = due_at
        else:
            moves[assessment.pk] = schedule.stage_reminder_after(due_at, now)
            overdue.append(assessment)
            due_ats[assessment.pk] = due_at
    _schedule_move(Assessment, "next_reminder_at", moves)
    reviewers = recipients.stage_reviewers(overdue)
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
        notices += [Notice("stage_overdue", uid, key, assessment.pk, context) for uid in reviewers[assessment.pk]]
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
    claimed = _claim(Condition.objects.filter(next_reminder_on__lte=today))
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
        phase = condition_phase(condition.due_date, today)
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
    _schedule_move(Condition, "next_reminder_on", moves)
    return notify(notices, now=now)


# -- re-reviews ---------------------------------------------------------------------------------------------


@recorded
def rereview_notices(now):
    """Tell each launched feature's team that its re-review date is near."""
    today = timezone.localdate(now)
    ahead = timedelta(days=settings.REREVIEW_NOTICE_DAYS_BEFORE)
    launched = list(
        _assessments().filter(state=State.LAUNCHED, next_review_due__gt=today, next_review_due__lte=today + ahead)
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


def reassessments_due(now=None):
    """Ids of launched assessments whose re-review date has come (one query)."""
    today = timezone.localdate(now or timezone.now())
    return list(
        Assessment.objects.filter(state=State.LAUNCHED, next_review_due__lte=today)
        .order_by("next_review_due", "pk")
        .values_list("pk", flat=True)
    )


def reassessment_start(assessment_id, now=None):
    """The system starts a due re-assessment (the audit log names "system") and tells the team.

    Returns the new draft version, or None when there is nothing to do (no longer launched,
    not due yet: a second delivery of the same task changes nothing).
    """
    today = timezone.localdate(now or timezone.now())
    with transaction.atomic():
        assessment = Assessment.objects.filter(pk=assessment_id).select_related("feature__team").first()
        if assessment is None or assessment.state != State.LAUNCHED or not assessment.next_review_due:
            return None
        if assessment.next_review_due > today:
            return None
        try:
            assessment = services.assessment_transition(
                assessment=assessment, name="start_reassessment", by=services.SYSTEM, expected_state=State.LAUNCHED
            )
        except (TransitionConflict, NotPermitted) as refusal:
            logger.info("Re-assessment of %s not started: %s", assessment_id, refusal)
            return None
        new = assessment.feature.assessments.order_by("-version").first()
        context = {
            **assessment_facts(assessment),
            "new_version": new.version,
            "next_review_due": iso(assessment.next_review_due),
        }
        key = event_key(
            "rereview_started",
            assessment_id=assessment.pk,
            review_round=assessment.review_round,
            day=assessment.next_review_due,
        )
        notify(
            [
                Notice("rereview_started", uid, key, new.pk, context)
                for uid in recipients.team_members([assessment])[assessment.pk]
            ]
        )
    return new


def bias_reassessments_due(now=None):
    """Ids of launched assessments with a monitoring bias flag past its deadline and no mitigation (one query)."""
    now = now or timezone.now()
    mitigated = BiasMitigation.objects.filter(
        assessment_id=OuterRef("assessment_id"), kind=EvidenceKind.MONITORING, flag=OuterRef("flag")
    )
    return list(
        MonitoringFlag.objects.filter(assessment__state=State.LAUNCHED, due_at__lte=now)
        .exclude(Exists(mitigated))
        .order_by("assessment_id")
        .values_list("assessment_id", flat=True)
        .distinct()
    )


def bias_reassessment_start(assessment_id, now=None):
    """The system opens a re-assessment of a launched feature whose monitoring bias flag went unmitigated
    past its deadline (the audit log names "system"), and tells the team and Data/AI.

    Returns the new draft version, or None when there is nothing to do (a mitigation came in, the feature
    is no longer launched: a second delivery of the same task changes nothing).
    """
    with transaction.atomic():
        assessment = Assessment.objects.filter(pk=assessment_id).select_related("feature__team").first()
        if assessment is None or assessment.state != State.LAUNCHED:
            return None
        try:
            assessment = services.assessment_transition(
                assessment=assessment,
                name="bias_reassessment",
                by=services.SYSTEM,
                expected_state=State.LAUNCHED,
                now=now,
            )
        except (TransitionConflict, NotPermitted) as refusal:
            logger.info("Bias re-assessment of %s not started: %s", assessment_id, refusal)
            return None
        new = assessment.feature.assessments.order_by("-version").first()
        context = {**assessment_facts(assessment), "new_version": new.version}
        key = event_key("bias_reassessment_started", assessment_id=assessment.pk, review_round=assessment.review_round)
        people = (
            recipients.team_members([assessment])[assessment.pk]
            + recipients.data_ai_reviewers([assessment])[assessment.pk]
        )
        notify([Notice("bias_reassessment_started", uid, key, new.pk, context) for uid in people])
    return new


# -- digests --------------------------------------------------------------------------------------------------


def _local_moment(day, hour):
    return timezone.make_aware(datetime.combine(day, time(hour=hour)))


def digest_moment(now):
    """The latest daily digest time at or before ``now``."""
    today = timezone.localdate(now)
    moment = _local_moment(today, settings.DIGEST_HOUR)
    return moment if moment <= now else _local_moment(today - timedelta(days=1), settings.DIGEST_HOUR)


@recorded
def daily_digests(now):
    """One email per person who prefers the daily digest, gathering their notices from before today's digest time."""
    moment = digest_moment(now)
    day = timezone.localdate(moment)
    waiting = Notification.objects.filter(awaits_digest=True, email__isnull=True, created_at__lt=moment)
    people = set(waiting.values_list("recipient_id", flat=True).distinct())
    if not people:
        return []
    keys = {uid: f"digest:{uid}:{day.isoformat()}" for uid in people}
    done = set(OutboxEmail.objects.filter(key__in=keys.values()).values_list("recipient_id", flat=True))
    emails = OutboxEmail.objects.bulk_create(
        OutboxEmail(
            recipient_id=uid,
            kind=OutboxEmail.Kind.DIGEST,
            key=keys[uid],
            digest_of=day,
            created_at=now,
            next_attempt_at=now,
        )
        for uid in sorted(people - done)
    )
    if not emails:
        return []
    waiting.filter(recipient_id__in=[e.recipient_id for e in emails]).update(
        email=Subquery(
            OutboxEmail.objects.filter(
                kind=OutboxEmail.Kind.DIGEST, digest_of=day, recipient_id=OuterRef("recipient_id")
            ).values("pk")[:1]
        )
    )
    from .outbox import enqueue

    transaction.on_commit(lambda: enqueue([e.pk for e in emails]))
    return emails


def chair_digest_moment(now):
    """The latest weekly digest time (weekday and hour from settings) at or before ``now``."""
    today = timezone.localdate(now)
    day = today - timedelta(days=(today.weekday() - settings.CHAIR_DIGEST_WEEKDAY) % 7)
    moment = _local_moment(day, settings.CHAIR_DIGEST_HOUR)
    return moment if moment <= now else moment - timedelta(days=7)


def _listed(rows):
    rows = list(rows[: DIGEST_LIST_LIMIT + 1])
    return rows[:DIGEST_LIST_LIMIT], max(len(rows) - DIGEST_LIST_LIMIT, 0)


def chair_digest_content(start, end, now):
    """The week's new submissions, decisions, overdue stages and upcoming re-reviews, as plain values.

    The counts are ``weekly.week_figures``, which the analytics page shows for the same week.
    """
    figures = weekly.week_figures(start, end, now)
    entries = weekly.week_entries(start, end).select_related("assessment__feature")
    submitted, more_submitted = _listed(entries.filter(weekly.submitted_q()).order_by("seq"))
    decided, more_decided = _listed(entries.filter(weekly.decided_q()).order_by("seq"))
    overdue, more_overdue = _listed(_assessments().filter(overdue_q(now)).order_by("stage_entered_at", "pk"))
    today = timezone.localdate(now)
    upcoming, more_upcoming = _listed(
        _assessments()
        .filter(
            state=State.LAUNCHED,
            next_review_due__lte=today + timedelta(days=settings.REREVIEW_NOTICE_DAYS_BEFORE),
        )
        .order_by("next_review_due", "pk")
    )

    def about(a):
        return {"id": a.pk, "feature": a.feature.name, "version": a.version}

    return {
        "period_start": iso(figures.first_day),
        "period_end": iso(figures.last_day),
        "counts": {
            "submitted": figures.submitted,
            "decided": figures.decided,
            **{f"decided_{state}": n for state, n in figures.decisions.items()},
            "overdue_now": figures.overdue_now,
        },
        "submitted": [{**about(e.assessment), "round": e.details.get("review_round")} for e in submitted],
        "more_submitted": more_submitted,
        "decided": [
            {**about(e.assessment), "decision": e.to_state, "stage": e.details.get("stage", ""), "by": e.actor_username}
            for e in decided
        ],
        "more_decided": more_decided,
        "overdue": [
            {
                **about(a),
                "stage": a.stage,
                "due_at": iso(stage_due_at(a)),
                "days_overdue": days_overdue(stage_due_at(a), now),
            }
            for a in overdue
        ],
        "more_overdue": more_overdue,
        "upcoming": [{**about(a), "next_review_due": iso(a.next_review_due)} for a in upcoming],
        "more_upcoming": more_upcoming,
    }


@recorded
def chair_digest(now):
    """The weekly digest to every chair, once per week (keyed by the week's digest day), covering the last seven
    full days before the digest day."""
    moment = chair_digest_moment(now)
    key = event_key("chair_digest", day=timezone.localdate(moment))
    chairs = set(recipients.chairs())
    chairs -= set(Notification.objects.filter(key=key).values_list("recipient_id", flat=True))
    if not chairs:
        return []
    start, end = weekly.seven_full_days(moment)
    content = chair_digest_content(start, end, now)
    return notify([Notice("chair_digest", uid, key, None, content) for uid in sorted(chairs)], now=now)
