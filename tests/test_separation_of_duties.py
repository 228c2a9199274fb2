import pytest
from django.contrib.auth.models import Group

from accounts import roles
from assessments import services
from assessments.errors import NotPermitted
from assessments.models import Assessment, State

from .factories import UserFactory
from .workflow import act, advance, create_draft


def test_it_rejects_sign_off_on_your_own_teams_assessment(people):
    assessment = advance(people, create_draft(people), State.LEGAL_REVIEW)
    lawyer_in_team = UserFactory(username="lawyer_in_team", roles=[roles.LEGAL])
    people.team.members.add(lawyer_in_team)
    with pytest.raises(NotPermitted) as denied:
        act(people, assessment, "approve", by=lawyer_in_team)
    assert "own team" in denied.value.message
    assert Assessment.objects.get(pk=assessment.pk).state == State.LEGAL_REVIEW


def test_it_rejects_sign_off_by_someone_who_edited_the_assessment(people):
    assessment = create_draft(people)
    services.assessment_update_answers(
        assessment=assessment, answers={"impact.benefits": "Faster care."}, by=people.ben
    )
    # Ben later moves to the legal committee and leaves the team; he still edited it.
    people.team.members.remove(people.ben)
    people.ben.groups.add(Group.objects.get_or_create(name=roles.LEGAL)[0])
    assessment = advance(people, assessment, State.LEGAL_REVIEW)
    with pytest.raises(NotPermitted) as denied:
        act(people, assessment, "approve", by=people.ben)
    assert "edited" in denied.value.message
    assert Assessment.objects.get(pk=assessment.pk).state == State.LEGAL_REVIEW


def test_leaving_the_team_removes_team_rights(people):
    assessment = create_draft(people)
    people.team.members.remove(people.ben)
    with pytest.raises(NotPermitted):
        act(people, assessment, "submit", by=people.ben)
    assert not people.ben.groups.filter(name="team:client-experience").exists()
