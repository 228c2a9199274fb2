"""The periodic sweeps: what is due now, as set-based queries, recorded by key so nothing is sent twice.

This module names them for the tasks and commands; each lives in its own module (``reminders``,
``reassessments``, ``digests``; what they share in ``sweeping``).

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

The stage and condition reminders are scheduled (``committee/schedule.py``): each stage in review
and each open dated condition stores when its next reminder falls due (``next_reminder_at``,
``next_reminder_on``, indexed), set when it enters review or is created. A sweep reads only the rows
whose moment has come (locked, skipping rows a concurrent sweep holds), sends their notices and moves
their schedule on, so a sweep that finds nothing new costs the same at any size. The stored schedule
follows the settings above; ``reminders_reschedule`` (daily from beat, and ``manage.py
reminders_reschedule``, ``--restart`` after rows were changed behind the services) puts it right
after a setting changed.
"""

from .digests import chair_digest, chair_digest_content, chair_digest_moment, daily_digests, digest_moment
from .reassessments import bias_reassessment_start, bias_reassessments_due, reassessment_start, reassessments_due
from .reminders import condition_reminders, reminders_reschedule, rereview_notices, stage_reminders
from .sweeping import recorded

__all__ = [
    "bias_reassessment_start",
    "bias_reassessments_due",
    "chair_digest",
    "chair_digest_content",
    "chair_digest_moment",
    "condition_reminders",
    "daily_digests",
    "digest_moment",
    "reassessment_start",
    "reassessments_due",
    "recorded",
    "reminders_reschedule",
    "rereview_notices",
    "stage_reminders",
]
