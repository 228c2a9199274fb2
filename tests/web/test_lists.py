"""Lists with filters and pagination; the review queue."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments import services
from assessments.models import State

from ..workflow import advance, create_draft
from .bulk import bulk_assessments

LIST = reverse("assessment_list")
QUEUE = reverse("queue")


def names(response):
    return sorted(row["assessment"].feature.name for row in response.context["rows"])


def test_a_team_member_lists_their_teams_assessments_drafts_included(people, login):
    create_draft(people, name="Ours")
    services.assessment_create(team=people.other_team, feature_name="Theirs", answers={}, by=people.olga)
    response = login(people.alice).get(LIST)
    assert names(response) == ["Ours"]


def test_the_committee_lists_everything_past_draft_and_no_draft(people, login):
    create_draft(people, name="A draft")
    advance(people, create_draft(people, name="Submitted"), State.LEGAL_REVIEW)
    for user in (people.chair, people.auditor, people.reviewers["product"]):
        assert names(login(user).get(LIST)) == ["Submitted"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"state": "legal_review"}, ["At legal"]),
        ({"stage": "security"}, ["At security"]),
        ({"team": "client-experience"}, ["At legal", "At security", "Launched one"]),
        ({"q": "launch"}, ["Launched one"]),
        ({"overdue": "on"}, ["At security"]),
    ],
)
def test_filters(people, login, query, expected):
    advance(people, create_draft(people, name="At legal"), State.LEGAL_REVIEW)
    late = advance(people, create_draft(people, name="At security"), State.SECURITY_REVIEW)
    advance(people, create_draft(people, name="Launched one"), State.LAUNCHED)
    type(late).objects.filter(pk=late.pk).update(stage_entered_at=timezone.now() - timedelta(days=30))
    response = login(people.chair).get(LIST, query)
    assert response.status_code == 200
    assert names(response) == expected


def test_the_risk_level_filter(people, login):
    bulk_assessments(people, 8)
    response = login(people.alice).get(LIST, {"risk_level": "3"})
    assert {row["assessment"].risk_level for row in response.context["rows"]} == {3}


@pytest.mark.parametrize(
    "query",
    [
        {"state": "nonsense"},
        {"risk_level": "9"},
        {"risk_level": "x"},
        {"stage": "finance"},
        {"team": "no-such"},
        {"q": "x" * 101},
    ],
)
def test_a_bad_filter_is_a_400_with_the_message_next_to_it(people, login, query):
    create_draft(people)
    response = login(people.alice).get(LIST, query)
    page = response.content.decode()
    assert response.status_code == 400
    assert "Some filters are not valid" in page
    assert ("Choose one of the listed options." in page) or ("at most 100 characters" in page)
    assert response.context["rows"] == []


def test_another_teams_slug_is_not_a_filter_option_for_a_team_member(people, login):
    create_draft(people)
    response = login(people.alice).get(LIST, {"team": "growth"})
    assert response.status_code == 400


def test_pagination_keeps_the_filters(people, login):
    bulk_assessments(people, 60)
    client = login(people.alice)
    first = client.get(LIST, {"state": "legal_review"})
    assert first.context["page"].paginator.count == 12
    response = client.get(LIST, {"page": "2"})
    assert response.status_code == 200
    assert response.context["page"].number == 2
    page = client.get(LIST, {"state": "draft"}).content.decode()
    assert "Page 1 of 1" not in page  # 6 drafts fit one page: no pager
    assert client.get(LIST, {"page": "abc"}).status_code == 200
    assert client.get(LIST, {"page": "999"}).context["page"].number == 3
    many = client.get(LIST, {"team": "client-experience"}).content.decode()
    assert "team=client-experience&amp;page=2" in many


def test_the_queue_lists_the_reviewers_stage_oldest_first(people, login):
    first = advance(people, create_draft(people, name="First in"), State.LEGAL_REVIEW)
    advance(people, create_draft(people, name="Second in"), State.LEGAL_REVIEW)
    advance(people, create_draft(people, name="Elsewhere"), State.SECURITY_REVIEW)
    response = login(people.reviewers["legal"]).get(QUEUE)
    rows = response.context["rows"]
    assert [r["assessment"].feature.name for r in rows] == ["First in", "Second in"]
    assert rows[0]["clock"].due_at is not None
    assert first.pk == rows[0]["assessment"].pk


def test_the_queue_is_for_reviewers_only(people, login):
    for user in (people.alice, people.chair, people.auditor, people.nobody):
        response = login(user).get(QUEUE)
        assert response.status_code == 403
        assert "Only Legal, Security, Clinical, Product and Data/AI reviewers have a review queue." in (
            response.content.decode()
        )


def test_a_reviewer_does_not_queue_their_own_teams_assessment(people, login):
    legal = people.reviewers["legal"]
    people.team.members.add(legal)
    advance(people, create_draft(people, name="Own team"), State.LEGAL_REVIEW)
    assert login(legal).get(QUEUE).context["rows"] == []


def test_a_reviewer_of_two_domains_does_not_queue_the_next_stage_after_signing_one(people, login):
    """Separation of duties: who signed Legal may not sign Security in the same round, so it is not in their queue,
    as no notice asks them; the Security reviewer who may sign it has it. The next round's stage is theirs again."""
    from django.contrib.auth.models import Group

    from accounts import roles
    from committee.models import Notification

    from ..workflow import act

    both = people.reviewers["legal"]
    both.groups.add(Group.objects.get(name=roles.SECURITY))
    at_legal = advance(people, create_draft(people, name="Two domains"), State.LEGAL_REVIEW)
    assert [r["assessment"].pk for r in login(both).get(QUEUE).context["rows"]] == [at_legal.pk]
    at_security = act(people, at_legal, "approve", by=both)
    assert at_security.state == State.SECURITY_REVIEW
    assert login(both).get(QUEUE).context["rows"] == []
    assert not Notification.objects.filter(recipient=both).needing_action().exists()
    others = login(people.reviewers["security"]).get(QUEUE).context["rows"]
    assert [r["assessment"].pk for r in others] == [at_security.pk]
    # A change request starts a new round: Security may then be signed by them.
    back = act(people, at_security, "request_changes", by=people.reviewers["security"])
    resubmitted = act(people, back, "resubmit")
    assert resubmitted.state == State.LEGAL_REVIEW
    assert [r["assessment"].pk for r in login(both).get(QUEUE).context["rows"]] == [at_legal.pk]


def test_an_editor_who_joined_the_committee_does_not_queue_what_they_edited(people, login):
    from django.contrib.auth.models import Group

    from accounts import roles

    draft = create_draft(people, name="Edited by Ben")
    services.assessment_update_answers(assessment=draft, answers={"impact.benefits": "Faster care."}, by=people.ben)
    people.team.members.remove(people.ben)
    people.ben.groups.add(Group.objects.get(name=roles.LEGAL))
    advance(people, draft, State.LEGAL_REVIEW)
    advance(people, create_draft(people, name="Not edited"), State.LEGAL_REVIEW)
    assert names(login(people.ben).get(QUEUE)) == ["Not edited"]


def test_the_audit_trail_lists_only_visible_assessments(people, login):
    advance(people, create_draft(people, name="Submitted"), State.LEGAL_REVIEW)
    create_draft(people, name="Private draft")
    response = login(people.auditor).get(reverse("audit_trail"))
    features = {e.assessment.feature.name for e in response.context["page"].object_list}
    assert features == {"Submitted"}
    response = login(people.auditor).get(reverse("audit_trail"), {"action": "transition"})
    assert {e.action for e in response.context["page"].object_list} == {"transition"}
    assert login(people.auditor).get(reverse("audit_trail"), {"action": "drop"}).status_code == 400
    olga_sees = login(people.olga).get(reverse("audit_trail")).context["page"].object_list
    assert list(olga_sees) == []
