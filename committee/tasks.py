"""Celery tasks: thin, they take ids and call committee code. Every one is idempotent (a second
delivery sends nothing new), so every one acknowledges late: a worker lost mid-task leaves the
message to be delivered again rather than dropped."""

from celery import shared_task

from accounts import delegation

from . import outbox, sweeps
from .outbox import emails_send

__all__ = ["emails_send"]  # defined beside the outbox it sends (see there), under this module's name

IDEMPOTENT = {"acks_late": True, "ignore_result": True}


@shared_task(**IDEMPOTENT)
def outbox_redrive():
    return outbox.outbox_redrive()


@shared_task(**IDEMPOTENT)
def reminders_sweep():
    """Overdue stages, conditions and upcoming re-reviews."""
    return {
        "stages": len(sweeps.stage_reminders()),
        "conditions": len(sweeps.condition_reminders()),
        "rereviews": len(sweeps.rereview_notices()),
    }


@shared_task(**IDEMPOTENT)
def reminders_reschedule():
    """The stored reminder schedules put right for the current settings (a changed setting applies within a day)."""
    return sweeps.reminders_reschedule()


@shared_task(**IDEMPOTENT)
def reassessments_sweep():
    """Start each due re-assessment in its own task (and its own transaction)."""
    due = sweeps.reassessments_due()
    for assessment_id in due:
        reassessment_start.delay(assessment_id)
    unmitigated = sweeps.bias_reassessments_due()
    for assessment_id in unmitigated:
        bias_reassessment_start.delay(assessment_id)
    return len(due) + len(unmitigated)


@shared_task(**IDEMPOTENT)
def reassessment_start(assessment_id):
    new = sweeps.reassessment_start(assessment_id)
    return new.pk if new else None


@shared_task(**IDEMPOTENT)
def bias_reassessment_start(assessment_id):
    new = sweeps.bias_reassessment_start(assessment_id)
    return new.pk if new else None


@shared_task(**IDEMPOTENT)
def digests_sweep():
    return {"daily": len(sweeps.daily_digests()), "chair": len(sweeps.chair_digest())}


@shared_task(**IDEMPOTENT)
def delegations_expire():
    """Record the expiry of every delegation past its end date, once each (a security event)."""
    return delegation.delegations_expire()
