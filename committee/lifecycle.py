"""What a notice asks of its reader, and when that is done.

A notice is ``action`` (something this person must do: review a stage, answer a change
request, meet or confirm a condition) or ``info``. An action notice stays open while its
action waits; it is resolved as soon as the action is done by anyone entitled to it (another
reviewer of the domain signed, a teammate resubmitted) or has become moot (the assessment was
withdrawn, rejected or superseded; the round moved on; the condition was dropped).

The rule is stated once, as a filter of the notices still pending (``pending_q``), and applied
set-based: ``notices_resolve`` is one UPDATE for any number of notices. The receivers of the
core's signals run it inside the transaction of the change, so the inbox never shows an
action that is already done. Who may act is read where it changes: a delegation that ends
resolves its delegate's notices that are no longer theirs (``committee.receivers``).

One action, one open notice per person (``action_of``): a reminder about an action its reader
already has an open notice for (a stage overdue, the chair's nudge, a condition due) is
information, so the badge, the inbox and the queue count each thing to do once.
"""

from django.db.models import F, Q
from django.utils import timezone

from assessments.models import STAGE_STATE, TERMINAL_STATES, State

ACTION = "action"
INFO = "info"

# Review a stage: pending while the assessment waits at that stage, in that round.
REVIEW_KINDS = ("review_requested", "stage_overdue", "stage_nudged")
# Meet a condition: pending while the condition is open.
MEET_CONDITION_KINDS = (
    "condition_due_soon",
    "condition_due",
    "condition_overdue",
    "condition_before_launch",
    "condition_reopened",
)
# Confirm (or reopen) a condition the team marked met: pending while it awaits confirmation.
CONFIRM_CONDITION_KINDS = ("condition_awaiting_confirmation",)
# Answer a change request: a "decision" notice whose decision is changes_requested.
CHANGE_REQUEST_KIND = "decision"
ACTION_KINDS = REVIEW_KINDS + MEET_CONDITION_KINDS + CONFIRM_CONDITION_KINDS


def category_of(kind, context):
    """``action`` or ``info`` for a notice of ``kind`` with this context."""
    if kind in ACTION_KINDS:
        return ACTION
    if kind == CHANGE_REQUEST_KIND and context.get("decision") == State.CHANGES_REQUESTED:
        return ACTION
    return INFO


def action_of(kind, *, assessment_id, stage, review_round, condition_id):
    """What an action notice asks, as a value two notices share when they ask the same thing of their reader."""
    if kind in REVIEW_KINDS:
        return ("review", assessment_id, stage, review_round)
    if kind in MEET_CONDITION_KINDS:
        return ("meet", condition_id)
    if kind in CONFIRM_CONDITION_KINDS:
        return ("confirm", condition_id)
    return ("answer", assessment_id, review_round)


def pending_q():
    """Filter (over notices) for the action notices whose action still waits. Model-independent, so the data
    migration applies the very same rule."""
    at_its_stage = Q()
    for domain, state in STAGE_STATE.items():
        at_its_stage |= Q(stage=domain, assessment__state=state)
    same_round = Q(review_round=F("assessment__review_round"))
    alive = ~Q(assessment__state__in=TERMINAL_STATES)
    return (
        (Q(kind__in=REVIEW_KINDS) & at_its_stage & same_round)
        | (Q(kind=CHANGE_REQUEST_KIND, assessment__state=State.CHANGES_REQUESTED) & same_round)
        | (Q(kind__in=MEET_CONDITION_KINDS, condition__status="open") & alive)
        | (Q(kind__in=CONFIRM_CONDITION_KINDS, condition__status="awaiting_confirmation") & alive)
    )


def notices_resolve(notifications, *, assessment_ids, now=None):
    """Resolve the open action notices of these assessments whose action is done or moot; returns how many.

    ``notifications`` is the Notification manager (the migration passes its historical one).
    One UPDATE, whatever the number of notices; run it in the transaction of the change.
    """
    return (
        notifications.filter(category=ACTION, resolved_at__isnull=True, assessment_id__in=assessment_ids)
        .exclude(pending_q())
        .update(resolved_at=now or timezone.now())
    )
