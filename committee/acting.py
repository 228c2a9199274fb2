"""Notices when who may act changes: a delegation of a domain's sign-off begins or ends, a person gains or loses a
role.

A delegate who starts acting for a domain, or a reviewer who joins it by single sign-on, is asked for what waits
for that domain now (the stages at its review, the conditions awaiting its confirmation), as its reviewers were
asked when each arrived; those notices resolve by the same lifecycle (``committee.lifecycle``). When the delegation
ends, the delegate's open action notices that are no longer theirs to act on resolve, as do a person's when single
sign-on removes their domain or their team: nothing stays in the badge that its reader may not do.
"""

from django.utils import timezone

from assessments.deadlines import stage_due_at
from assessments.models import STAGE_STATE, TERMINAL_STATES, Condition

from .lifecycle import CONFIRM_CONDITION_KINDS, REVIEW_KINDS
from .models import Notification
from .notices import Notice, assessment_facts, event_key, iso, person_name
from .recipients import domain_reviewers, stage_reviewers, team_members
from .sweeping import assessments_listed


def delegate_notices(delegation, now=None):
    """The notices a delegation in force owes its delegate (``owed_notices``), keyed by the delegation, so a second
    call adds nothing."""
    now = now or timezone.now()
    if not delegation.is_active_at(now):
        return []
    said = {
        "by": person_name(delegation.delegated_by),
        "verb": "delegated the domain's sign-off to you",
        "acting_for": delegation.domain,
    }
    return owed_notices(delegation.delegate_id, delegation.domain, part=f"d{delegation.pk}", said=said)


def owed_notices(user_id, domain, *, part, said):
    """What waits for ``domain`` now, as notices to a person who has just become able to act for it: a review for
    each assessment at the domain's stage that they may sign, a confirmation for each condition of the domain
    awaiting one. ``part`` goes into each key; ``said`` (who made them able, and how) into each context."""
    waiting = list(assessments_listed().filter(state=STAGE_STATE[domain]))
    reviewers = stage_reviewers(waiting)
    notices = [
        Notice(
            "review_requested",
            user_id,
            event_key("review_requested", assessment_id=a.pk, part=part, review_round=a.review_round),
            a.pk,
            {
                **assessment_facts(a),
                "stage": domain,
                "round": a.review_round,
                "due_at": iso(stage_due_at(a)),
                "risk_level": a.risk_level,
                **said,
            },
        )
        for a in waiting
        if user_id in reviewers[a.pk]
    ]
    awaiting = list(
        Condition.objects.filter(status=Condition.Status.AWAITING_CONFIRMATION, sign_off__stage=domain)
        .exclude(assessment__state__in=TERMINAL_STATES)
        .select_related("assessment__feature__team")
        .order_by("pk")
    )
    confirmers = domain_reviewers({c.assessment for c in awaiting}, domain)
    for condition in awaiting:
        assessment = condition.assessment
        if user_id not in confirmers[assessment.pk]:
            continue
        key = event_key(condition.status, assessment_id=assessment.pk, part=f"c{condition.pk}{part}")
        context = {
            **assessment_facts(assessment),
            "condition_id": condition.pk,
            "text": condition.text,
            "stage": domain,
            "evidence": condition.evidence,
            **said,
        }
        notices.append(Notice("condition_awaiting_confirmation", user_id, key, assessment.pk, context))
    return notices


def reviewer_notices(user, domains):
    """The notices owed to a person single sign-on has just made a reviewer of ``domains`` (``owed_notices``)."""
    said = {"by": "Single sign-on", "verb": "made you a reviewer of the domain"}
    return [
        notice
        for domain in sorted(set(domains) & set(STAGE_STATE))
        for notice in owed_notices(user.pk, domain, part="joined", said=said)
    ]


def notices_no_longer_theirs(user_ids, now=None):
    """Resolve these people's open action notices that they may no longer act on (a delegation ended, a domain or
    team role was removed); returns how many. Who may act now is read from ``committee.recipients``, as the
    notices were sent: a stage's reviewers, a domain's confirmers, the team (a change request, a condition to
    meet). A constant number of queries."""
    now = now or timezone.now()
    open_ones = list(
        Notification.objects.needing_action()
        .filter(recipient_id__in=user_ids, assessment__isnull=False)
        .values_list("pk", "kind", "recipient_id", "assessment_id", "stage")
    )
    if not open_ones:
        return 0
    assessments = {a.pk: a for a in assessments_listed().filter(pk__in={row[3] for row in open_ones})}
    reviewers = stage_reviewers(list(assessments.values()))
    confirmers = {}  # per domain: {assessment id: [user ids]}
    for domain in {stage for _, kind, _, _, stage in open_ones if kind in CONFIRM_CONDITION_KINDS}:
        confirmers[domain] = domain_reviewers(list(assessments.values()), domain)
    team = team_members(assessments.values())
    stale = []
    for pk, kind, recipient_id, assessment_id, stage in open_ones:
        if kind in REVIEW_KINDS:
            entitled = reviewers.get(assessment_id, ())
        elif kind in CONFIRM_CONDITION_KINDS:
            entitled = confirmers.get(stage, {}).get(assessment_id, ())
        else:
            entitled = team.get(assessment_id, ())
        if recipient_id not in entitled:
            stale.append(pk)
    return Notification.objects.filter(pk__in=stale).update(resolved_at=now)
