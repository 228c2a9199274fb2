"""What each transition tells whom: the core's ``assessment_transitioned`` signal, answered in its transaction.

Read from the transition table and the states, never from transition names: an assessment
that arrives at a review stage asks that stage's reviewers; a reviewer's decision that ends
the review (changes requested, rejected, approved) goes to the team with the comment; an
approval reminds the owners of the conditions to meet before launch. The action notices the
transition has done or made moot are resolved in the same transaction (``committee.lifecycle``).
A delegation that begins or ends, and a role single sign-on adds or removes, move the person's notices with them
(``committee.acting``).
"""

from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone

from accounts.signals import delegation_changed, roles_changed
from assessments import transitions
from assessments.deadlines import stage_due_at
from assessments.models import Condition, State
from assessments.signals import assessment_transitioned, bias_flags_raised, condition_changed

from .acting import delegate_notices, notices_no_longer_theirs, reviewer_notices
from .lifecycle import notices_resolve
from .models import Notification
from .notices import Notice, assessment_facts, event_key, iso, notices_to, notify, person_name
from .recipients import acting_for, data_ai_reviewers, domain_reviewers, stage_reviewers, team_members


@receiver(assessment_transitioned, dispatch_uid="committee.notices_for_transition")
def notices_for_transition(sender, *, assessment, transition, actor, to_state, comment, audit_entry, **kwargs):
    """Tell whom the transition concerns, and resolve the action notices it has done or made moot."""
    notify(transition_notices(assessment, transition, actor, to_state, comment, audit_entry))
    notices_resolve(Notification.objects, assessment_ids=[assessment.pk], now=audit_entry.created_at)


def transition_notices(assessment, transition, actor, to_state, comment, audit_entry):
    spec = transitions.get(transition)
    facts = assessment_facts(assessment)
    seq = audit_entry.seq
    actor_id = getattr(actor, "pk", None)
    notices = []
    if assessment.stage:
        context = {
            **facts,
            "stage": assessment.stage,
            "round": assessment.review_round,
            "due_at": iso(stage_due_at(assessment)),
            "risk_level": assessment.risk_level,
            "by": person_name(actor),
            "verb": spec.verb,
        }
        if spec.sends_answers and comment:  # a resubmission's note of what changed, for every reviewer
            context["note"] = comment
        key = event_key("review_requested", assessment_id=assessment.pk, seq=seq)
        reviewers = [uid for uid in stage_reviewers([assessment])[assessment.pk] if uid != actor_id]
        acting = acting_for([assessment.stage])[assessment.stage]
        notices += notices_to(
            "review_requested", reviewers, key, assessment.pk, context, acting=acting, domain=assessment.stage
        )
    elif spec.actor == "reviewer":
        context = {
            **facts,
            "decision": to_state,
            "stage": audit_entry.details.get("stage", ""),
            "round": assessment.review_round,
            "by": person_name(actor),
            "comment": comment,
        }
        key = event_key("decision", assessment_id=assessment.pk, seq=seq)
        notices += [
            Notice("decision", user_id, key, assessment.pk, context)
            for user_id in team_members([assessment])[assessment.pk]
            if user_id != actor_id
        ]
    if to_state == State.APPROVED:
        notices += before_launch_notices(assessment, facts)
    return notices


def before_launch_notices(assessment, facts):
    conditions = assessment.conditions.filter(status=Condition.Status.OPEN, before_launch=True).select_related(
        "sign_off"
    )
    day = timezone.localdate()
    return [
        Notice(
            "condition_before_launch",
            condition.owner_id,
            event_key(
                "condition_before_launch",
                assessment_id=assessment.pk,
                part=f"c{condition.pk}",
                review_round=assessment.review_round,
                day=day,
            ),
            assessment.pk,
            {
                **facts,
                "condition_id": condition.pk,
                "text": condition.text,
                "before_launch": True,
                "stage": condition.sign_off.stage if condition.sign_off else "",
            },
        )
        for condition in conditions.order_by("pk")
    ]


@receiver(bias_flags_raised, dispatch_uid="committee.notices_for_bias_flags")
def notices_for_bias_flags(sender, *, assessment, flags, actor, audit_entry, **kwargs):
    """A monitoring result raised new flags: Data/AI and the team are told, with the mitigation deadline."""
    context = {
        **assessment_facts(assessment),
        "by": person_name(actor),
        "flags": [{"code": f.code, "dimension": f.dimension, "metric": f.metric, "group": f.group} for f in flags],
        "due_at": iso(min(f.due_at for f in flags)),
    }
    key = event_key("bias_flag_raised", assessment_id=assessment.pk, seq=audit_entry.seq)
    people = team_members([assessment])[assessment.pk] + data_ai_reviewers([assessment])[assessment.pk]
    notify([Notice("bias_flag_raised", uid, key, assessment.pk, context) for uid in dict.fromkeys(people)])


@receiver(condition_changed, dispatch_uid="committee.notices_for_condition")
def notices_for_condition(sender, *, assessment, condition, actor, audit_entry, **kwargs):
    """A condition moved a step: whoever acts next is told, and the notices it has done or made moot resolve."""
    context = {
        **assessment_facts(assessment),
        "condition_id": condition.pk,
        "text": condition.text,
        "stage": condition.domain or "",
        "by": person_name(actor),
    }
    key = event_key(condition.status, assessment_id=assessment.pk, part=f"c{condition.pk}", seq=audit_entry.seq)
    notices = []
    if condition.status == Condition.Status.AWAITING_CONFIRMATION and condition.domain:
        context["evidence"] = condition.evidence
        reviewers = domain_reviewers([assessment], condition.domain)[assessment.pk]
        acting = acting_for([condition.domain])[condition.domain]
        notices = notices_to(
            "condition_awaiting_confirmation",
            reviewers,
            key,
            assessment.pk,
            context,
            acting=acting,
            domain=condition.domain,
        )
    elif condition.status == Condition.Status.OPEN:  # reopened
        context["comment"] = condition.review_comment
        notices = [Notice("condition_reopened", condition.owner_id, key, assessment.pk, context)]
    notify(notices)
    notices_resolve(Notification.objects, assessment_ids=[assessment.pk], now=audit_entry.created_at)


@receiver(delegation_changed, dispatch_uid="committee.notices_for_delegation")
def notices_for_delegation(sender, *, delegation, **kwargs):
    """A delegation began, changed or ended: its delegate's notices follow what they may act on now."""
    now = timezone.now()
    notices_no_longer_theirs([delegation.delegate_id], now=now)
    notify(delegate_notices(delegation, now), now=now)


@receiver(roles_changed, dispatch_uid="committee.notices_for_roles_changed")
def notices_for_roles_changed(sender, *, user, added=(), removed=(), **kwargs):
    """A person gained or lost a role or a team (single sign-on follows the identity provider): a new reviewer is
    asked for what waits for their domain, and action notices no longer theirs resolve. Sent after the change
    committed, so in a transaction of its own."""
    with transaction.atomic():
        if removed:
            notices_no_longer_theirs([user.pk])
        notify(reviewer_notices(user, added))
