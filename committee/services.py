"""The committee's own changes: the chair's reminder and each person's email preference."""

from django.db import transaction
from django.utils import timezone

from accounts import roles
from assessments.audit import audit_event
from assessments.deadlines import StageClock
from assessments.errors import InputError, NotPermitted, TransitionConflict
from assessments.models import Assessment, AuditEntry

from .models import NoticePreference, Notification
from .notices import assessment_facts, event_key, iso, notices_to, notify, person_name
from .recipients import acting_for, stage_reviewers


def _nudge_key(assessment, now):
    return event_key(
        "stage_nudged",
        assessment_id=assessment.pk,
        part=assessment.stage,
        review_round=assessment.review_round,
        day=timezone.localdate(now),
    )


def stage_nudged_at(assessment, now=None):
    """When the chair reminded the current stage's reviewers today (None if not): one reminder a day."""
    key = _nudge_key(assessment, now or timezone.now())
    return Notification.objects.filter(key=key).order_by("created_at").values_list("created_at", flat=True).first()


def stage_nudge(*, assessment, by):
    """The chair reminds the reviewers of an overdue stage now; returns the notifications written.

    Guarantees: only a committee chair may (NotPermitted); only while the current stage is
    overdue, at most once per stage and day, and only when someone may sign it
    (TransitionConflict, with the reason). The reminders go through the outbox like every
    notice, and the audit trail records who reminded whom, in the same transaction.
    """
    with transaction.atomic():
        locked = Assessment.objects.select_for_update().select_related("feature__team").get(pk=assessment.pk)
        roles.forget(by)
        if not roles.user_has_role(by, roles.CHAIR):
            raise NotPermitted("Only the committee chair sends reminders by hand.", code="not_chair")
        now = timezone.now()
        clock = StageClock(locked, now)
        if not clock.overdue:
            raise TransitionConflict(
                "A reminder can be sent only while a review stage is past its deadline; this one is not.",
                code="not_overdue",
            )
        stage = locked.stage
        label = roles.DOMAIN_LABELS[stage]
        key = _nudge_key(locked, now)
        earlier = stage_nudged_at(locked, now)
        if earlier:
            at = timezone.localtime(earlier).strftime("%H:%M")
            raise TransitionConflict(
                f"The {label} reviewers were already reminded today at {at}; one reminder a day is enough.",
                code="already_reminded",
            )
        reviewer_ids = stage_reviewers([locked])[locked.pk]
        if not reviewer_ids:
            raise TransitionConflict(
                f"Nobody may sign off {label} review of this assessment: add a {label} reviewer first.",
                code="no_reviewer",
            )
        context = {
            **assessment_facts(locked),
            "stage": stage,
            "round": locked.review_round,
            "due_at": iso(clock.due_at),
            "days_overdue": clock.days_overdue,
            "by": person_name(by),
        }
        acting = acting_for([stage], now)[stage]
        created = notify(
            notices_to("stage_nudged", reviewer_ids, key, locked.pk, context, acting=acting, domain=stage), now=now
        )
        audit_event(
            locked,
            actor=by,
            action=AuditEntry.Action.REMINDER_SENT,
            details={
                "stage": stage,
                "review_round": locked.review_round,
                "recipients": sorted(n.recipient.get_username() for n in _with_recipients(created)),
            },
        )
    return created


def _with_recipients(notifications):
    ids = [n.pk for n in notifications]
    return Notification.objects.filter(pk__in=ids).select_related("recipient")


def preference_set(*, user, email):
    """Choose immediate emails or the daily digest; returns the preference."""
    if email not in NoticePreference.Email.values:
        raise InputError({"email": "Choose immediate emails or the daily digest."})
    preference, _ = NoticePreference.objects.update_or_create(
        user=user, defaults={"email": email, "updated_at": timezone.now()}
    )
    return preference
