"""Visibility is stated once (``selectors.Visibility``): the list filter and the grant-counting SQL agree.

``assessments_visible_to`` filters with an ``EXISTS`` over the grants and ``visible_count`` counts the grants
with its own statement; both are built from ``Visibility.grants``. Here each kind of user is checked against
both, at the count cap's exact edge (at the cap, and one over it), with the number the policy gives.
"""

import pytest
from django.contrib.auth.models import Group

from accounts import roles
from assessments import paging, selectors
from assessments.grants import VIEW
from assessments.models import Assessment, AssessmentGroupObjectPermission, AssessmentUserObjectPermission
from assessments.selectors import assessments_visible_to, visibility_condition, visible_count

from .web.bulk import bulk_assessments


@pytest.fixture
def register(people):
    """Ten of the team's (one a draft), three of another team's (one a draft)."""
    ours = bulk_assessments(people, 10)
    theirs = bulk_assessments(people, 3, team=people.other_team)
    return ours, theirs


def _both_ways(user, expected):
    """Both readers agree with each other and with ``expected`` below, at and just past the cap."""
    visible = assessments_visible_to(user)
    assert visible.count() == expected
    assert Assessment.objects.filter(visibility_condition(user)).count() == expected
    caps = [cap for cap in (expected - 1, expected, expected + 1) if cap >= 1]
    for cap in caps:
        counted = visible_count(user, cap)
        assert counted == paging.capped_count(visible, cap), (user.username, cap)
        assert counted == min(expected, cap + 1), (user.username, cap)
    if expected >= 2:
        # exactly at the cap the number is exact; one over it reads "more than cap" (cap + 1)
        assert visible_count(user, expected) == expected
        assert visible_count(user, expected - 1) == expected


def test_a_superuser_sees_every_assessment_both_ways(people, register):
    _both_ways(people.admin, 13)


def test_the_auditor_sees_every_submitted_assessment_both_ways(people, register):
    _both_ways(people.auditor, 11)


def test_a_reviewer_sees_every_submitted_assessment_both_ways(people, register):
    _both_ways(people.reviewers["legal"], 11)


def test_a_team_member_sees_the_teams_own_drafts_included_and_no_other_both_ways(people, register):
    _both_ways(people.alice, 10)
    _both_ways(people.olga, 3)


def test_a_user_in_two_groups_counts_an_assessment_both_hold_once(people, register):
    user = people.reviewers["legal"]
    user.groups.add(people.team.group)  # the team's ten and the committee's nine overlap
    _both_ways(user, 12)


def test_a_users_own_guardian_grant_shows_nothing_but_a_groups_grant_does(people, register):
    assessment = Assessment.objects.filter(feature__team=people.team).order_by("pk").first()
    view = selectors.view_permission_id()
    AssessmentUserObjectPermission.objects.create(user=people.nobody, permission_id=view, content_object=assessment)
    _both_ways(people.nobody, 0)

    group = Group.objects.create(name="one-grant")
    AssessmentGroupObjectPermission.objects.create(group=group, permission_id=view, content_object=assessment)
    people.nobody.groups.add(group)
    roles.forget(people.nobody)  # membership is cached per user object
    _both_ways(people.nobody, 1)
    assert list(assessments_visible_to(people.nobody)) == [assessment]


def test_inactive_and_groupless_users_see_nothing_both_ways(people, register):
    people.alice.is_active = False
    people.alice.save()
    _both_ways(people.alice, 0)
    _both_ways(people.nobody, 0)


def test_the_filter_and_the_count_follow_one_statement_of_the_grants(people, register, monkeypatch):
    """Change the one statement and both readers change with it: neither restates the rule."""
    team_only = people.team.group.pk
    grants = selectors.Visibility.grants

    def only_the_teams_group(self, group_ids=None):
        return grants(self, group_ids).filter(group_id=team_only)

    user = people.reviewers["legal"]
    user.groups.add(people.team.group)
    monkeypatch.setattr(selectors.Visibility, "grants", only_the_teams_group)
    _both_ways(user, 10)


def test_the_rule_reads_view_grants_only(people, register):
    assert VIEW == "view_assessment"
    visibility = selectors.visibility_of(people.alice)
    codenames = set(visibility.grants().values_list("permission__codename", flat=True))
    assert codenames == {VIEW}
