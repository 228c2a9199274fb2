"""Who is told: a stage's reviewers, a team, the chairs.

Each function answers for many assessments at once with a constant number of queries, so a
sweep over a thousand assessments costs what a sweep over ten does.
"""

from collections import defaultdict

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from accounts import roles
from accounts.models import Delegation
from assessments.models import AuditEntry, SignOff
from assessments.permissions import EDITING_ACTIONS

Membership = get_user_model().groups.through


def stage_reviewers(assessments):
    """``{assessment id: [user ids]}``: who may sign off each assessment's current stage.

    The stage's domain group's active members and those the chair delegated the domain to
    for now, minus members of the assessment's team, anyone who edited it, and anyone who
    signed another stage of this round (separation of duties: none of them may sign, so none
    is asked to). Six queries, however many assessments.
    """
    assessments = [a for a in assessments if a.stage]
    if not assessments:
        return {}
    domains = {a.stage for a in assessments}
    in_domain = defaultdict(set)
    for user_id, group_name in Membership.objects.filter(group__name__in=domains, user__is_active=True).values_list(
        "user_id", "group__name"
    ):
        in_domain[group_name].add(user_id)
    for user_id, domain in delegates_now(domains):
        in_domain[domain].add(user_id)
    candidates = set().union(*in_domain.values()) if in_domain else set()
    if not candidates:
        return {a.pk: [] for a in assessments}
    team_groups = {a.feature.team.group_id for a in assessments}
    memberships = set(
        Membership.objects.filter(group_id__in=team_groups, user_id__in=candidates).values_list("group_id", "user_id")
    )
    ids = [a.pk for a in assessments]
    editors = set(
        AuditEntry.objects.filter(assessment_id__in=ids, action__in=EDITING_ACTIONS, actor_id__in=candidates)
        .values_list("assessment_id", "actor_id")
        .distinct()
    )
    signed = defaultdict(set)
    for assessment_id, reviewer_id, review_round, stage in SignOff.objects.filter(
        assessment_id__in=ids, reviewer_id__in=candidates, invalidated_at__isnull=True
    ).values_list("assessment_id", "reviewer_id", "review_round", "stage"):
        signed[assessment_id].add((reviewer_id, review_round, stage))
    answer = {}
    for a in assessments:
        team_group = a.feature.team.group_id
        other_stage_signers = {
            reviewer for reviewer, rnd, stage in signed[a.pk] if rnd == a.review_round and stage != a.stage
        }
        answer[a.pk] = sorted(
            user_id
            for user_id in in_domain.get(a.stage, ())
            if (team_group, user_id) not in memberships
            and (a.pk, user_id) not in editors
            and user_id not in other_stage_signers
        )
    return answer


def delegates_now(domains, now=None):
    """``[(user id, domain)]``: the active committee members acting for ``domains`` now by the chair's delegation
    (the rule of ``accounts.delegation``: from its start, until its end or until ended early). One query."""
    now = now or timezone.now()
    return list(
        Delegation.objects.filter(
            domain__in=domains,
            starts_at__lte=now,
            ends_at__gt=now,
            delegate__is_active=True,
            delegate__groups__name__in=roles.COMMITTEE_GROUPS,
        )
        .filter(Q(ended_at__isnull=True) | Q(ended_at__gt=now))
        .values_list("delegate_id", "domain")
        .distinct()
    )


def acting_for(domains, now=None):
    """``{domain: {user ids}}``: who acts for each of ``domains`` now only by the chair's delegation (not being its
    reviewer), so that what reaches them can say for whom they act. One query."""
    now = now or timezone.now()
    reviewer = Membership.objects.filter(user_id=OuterRef("delegate_id"), group__name=OuterRef("domain"))
    acting = defaultdict(set)
    for user_id, domain in (
        Delegation.objects.filter(domain__in=domains, starts_at__lte=now, ends_at__gt=now)
        .filter(Q(ended_at__isnull=True) | Q(ended_at__gt=now))
        .exclude(Exists(reviewer))
        .values_list("delegate_id", "domain")
    ):
        acting[domain].add(user_id)
    return acting


def team_members(assessments):
    """``{assessment id: [user ids]}``: the active members of each assessment's team (one query)."""
    assessments = list(assessments)
    groups = {a.feature.team.group_id for a in assessments}
    members = defaultdict(list)
    for group_id, user_id in (
        Membership.objects.filter(group_id__in=groups, user__is_active=True)
        .order_by("user_id")
        .values_list("group_id", "user_id")
    ):
        members[group_id].append(user_id)
    return {a.pk: list(members[a.feature.team.group_id]) for a in assessments}


def data_ai_reviewers(assessments):
    """``{assessment id: [user ids]}``: active Data/AI reviewers who are not on each assessment's team (two queries)."""
    assessments = list(assessments)
    reviewers = list(
        Membership.objects.filter(group__name=roles.DATA_AI, user__is_active=True)
        .order_by("user_id")
        .values_list("user_id", flat=True)
    )
    teams = {a.feature.team.group_id for a in assessments}
    on_team = set(
        Membership.objects.filter(group_id__in=teams, user_id__in=reviewers).values_list("group_id", "user_id")
    )
    return {a.pk: [uid for uid in reviewers if (a.feature.team.group_id, uid) not in on_team] for a in assessments}


def domain_reviewers(assessments, domain):
    """``{assessment id: [user ids]}``: active reviewers of ``domain``, and those it is delegated to now, who are not
    on each assessment's team (three queries)."""
    assessments = list(assessments)
    members = Membership.objects.filter(group__name=domain, user__is_active=True).values_list("user_id", flat=True)
    reviewers = sorted({*members, *(user_id for user_id, _ in delegates_now([domain]))})
    teams = {a.feature.team.group_id for a in assessments}
    on_team = set(
        Membership.objects.filter(group_id__in=teams, user_id__in=reviewers).values_list("group_id", "user_id")
    )
    return {a.pk: [uid for uid in reviewers if (a.feature.team.group_id, uid) not in on_team] for a in assessments}


def chairs():
    """The active committee chairs' user ids (one query)."""
    return list(
        Membership.objects.filter(group__name=roles.CHAIR, user__is_active=True)
        .order_by("user_id")
        .values_list("user_id", flat=True)
    )
