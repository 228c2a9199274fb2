"""The digest sweeps: each person's daily digest email, and the chairs' weekly digest."""

from datetime import datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from assessments.deadlines import days_overdue, overdue_q, stage_due_at
from assessments.models import State

from . import outbox, recipients, weekly
from .models import Notification, OutboxEmail
from .notices import Notice, event_key, iso, notify
from .sweeping import assessments_listed, recorded

DIGEST_LIST_LIMIT = 50  # items per section of the chair's digest; it says how many more there are


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
    transaction.on_commit(lambda: outbox.enqueue([e.pk for e in emails]))
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
    overdue, more_overdue = _listed(assessments_listed().filter(overdue_q(now)).order_by("stage_entered_at", "pk"))
    today = timezone.localdate(now)
    upcoming, more_upcoming = _listed(
        assessments_listed()
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
