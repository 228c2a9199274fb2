"""Team membership has one store, the team's group: visibility and separation of duties both read it."""

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.urls import reverse

from accounts import roles
from assessments import services
from assessments.errors import NotPermitted
from assessments.models import Team
from assessments.selectors import assessments_visible_to

from .answers import complete_answers
from .factories import TeamFactory, UserFactory
from .workflow import act, advance, create_draft


def test_there_is_no_second_membership_table(db):
    assert "assessments_team_members" not in connection.introspection.table_names()
    assert not any(f.name == "members" for f in Team._meta.get_fields())


def test_joining_the_teams_group_makes_a_member_in_every_respect(people):
    # As an administrator would, on the user's page in the Django admin: add the group, not "the team".
    research = TeamFactory(slug="research", name="Research")
    lawyer = UserFactory(username="rita", roles=[roles.LEGAL])
    lawyer.groups.add(Group.objects.get(name="team:research"))

    assert research.has_member(lawyer)
    assert list(Team.objects.of(lawyer)) == [research]
    # Only a member of the team creates its drafts; Rita, being one, does, and sees the draft.
    own = services.assessment_create(team=research, feature_name="Rita's draft", answers=complete_answers(), by=lawyer)
    assert own in assessments_visible_to(lawyer)
    assert own not in assessments_visible_to(people.reviewers["legal"])


def test_a_reviewer_in_the_teams_group_may_not_sign_off_its_assessment(people):
    lawyer = UserFactory(username="rita", roles=[roles.LEGAL])
    lawyer.groups.add(people.team.group)
    assessment = advance(people, create_draft(people), "legal_review")

    with pytest.raises(NotPermitted) as refused:
        act(people, assessment, "approve", by=lawyer)

    assert refused.value.code == "own_team"


def test_a_user_in_another_teams_group_sees_nothing_of_this_team(people):
    outsider = UserFactory(username="otto")
    outsider.groups.add(people.other_team.group)
    draft = create_draft(people)
    submitted = advance(people, create_draft(people), "legal_review")
    assert set(assessments_visible_to(outsider)) == set()
    assert draft not in assessments_visible_to(outsider) and submitted not in assessments_visible_to(outsider)


def test_removing_the_group_ends_membership_at_once(people):
    draft = create_draft(people)
    people.ben.groups.remove(people.team.group)
    with pytest.raises(NotPermitted):
        act(people, draft, "submit", by=people.ben)
    assert draft not in assessments_visible_to(type(people.ben).objects.get(pk=people.ben.pk))


def test_the_admin_edits_a_teams_members_through_its_group(people):
    admin = Client()
    admin.force_login(people.admin)
    url = reverse("admin:assessments_team_change", args=[people.team.pk])
    response = admin.post(url, {"name": people.team.name, "members": [people.alice.pk, people.nobody.pk]})
    assert response.status_code == 302
    assert set(people.team.group.user_set.all()) == {people.alice, people.nobody}
    assert "Members act for the team" in admin.get(url).content.decode()
