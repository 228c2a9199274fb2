"""Notices with a lifecycle: an action notice is resolved when the action is done by anyone entitled to it,
or becomes moot; the inbox and the badge show what needs the person; the API lists and marks notices."""

import importlib
from datetime import timedelta

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from assessments import conditions
from assessments.deadlines import days_overdue
from assessments.models import State
from committee.models import Notification
from tests.factories import UserFactory

from ..workflow import act, advance, create_draft

pytestmark = pytest.mark.django_db
NOTICES = "/api/v1/notices/"


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def notices(user):
    response = api(user).get(NOTICES)
    assert response.status_code == 200
    return response.json()


def about(user, assessment, kind="review_requested"):
    return [n for n in notices(user) if n["assessment"] == assessment.pk and n["kind"] == kind]


def badge(client):
    page = client.get(reverse("home")).content.decode()
    marker = '<span class="count">'
    if marker not in page:
        return 0
    return int(page.split(marker, 1)[1].split("<", 1)[0])


def test_legal_approving_resolves_legals_notice_and_opens_securitys(people):
    assessment = advance(people, create_draft(people), State.LEGAL_REVIEW)
    [legal] = about(people.reviewers["legal"], assessment)
    assert legal["category"] == "action" and legal["resolved_at"] is None
    assert set(legal) == {"id", "kind", "category", "assessment", "created_at", "read_at", "resolved_at", "message"}

    act(people, assessment, "approve")

    [legal] = about(people.reviewers["legal"], assessment)
    [security] = about(people.reviewers["security"], assessment)
    assert legal["resolved_at"] is not None
    assert security["category"] == "action" and security["resolved_at"] is None


def test_a_withdrawal_resolves_every_open_action_notice_of_the_assessment(people):
    other = advance(people, create_draft(people), State.SECURITY_REVIEW)
    assessment = advance(people, create_draft(people), State.SECURITY_REVIEW)
    assert Notification.objects.filter(assessment=assessment).needing_action().exists()

    act(people, assessment, "withdraw", by=people.alice)

    assert not Notification.objects.filter(assessment=assessment).needing_action().exists()
    # Another assessment's notices are untouched.
    assert Notification.objects.filter(assessment=other, recipient=people.reviewers["security"]).needing_action()


def test_the_badge_equals_the_unresolved_action_notices(people, login):
    security = people.reviewers["security"]
    client = login(security)
    first = advance(people, create_draft(people), State.SECURITY_REVIEW)
    advance(people, create_draft(people), State.SECURITY_REVIEW)
    advance(people, create_draft(people), State.LEGAL_REVIEW)  # Legal's, not Security's

    def open_actions():
        return sum(1 for n in notices(security) if n["category"] == "action" and n["resolved_at"] is None)

    assert open_actions() == badge(client) == 2
    act(people, first, "approve")
    assert open_actions() == badge(client) == 1


def test_another_reviewer_of_the_domain_signing_resolves_mine_too(people):
    second_legal = UserFactory(username="legal_two", roles=["legal"])
    assessment = advance(people, create_draft(people), State.LEGAL_REVIEW)
    assert about(second_legal, assessment)[0]["resolved_at"] is None
    act(people, assessment, "approve")  # by the first Legal reviewer
    assert about(second_legal, assessment)[0]["resolved_at"] is not None


def test_a_change_request_needs_the_team_until_it_resubmits(people):
    assessment = advance(people, create_draft(people), State.SECURITY_REVIEW)
    assessment = act(people, assessment, "request_changes")
    [asked] = about(people.ben, assessment, kind="decision")
    assert asked["category"] == "action" and asked["resolved_at"] is None
    # Security's review notice is moot: the stage was decided.
    assert about(people.reviewers["security"], assessment)[0]["resolved_at"] is not None

    act(people, assessment, "resubmit", comment="Added the escalation path.")

    assert about(people.ben, assessment, kind="decision")[0]["resolved_at"] is not None
    # The new round asks Legal again: a fresh open notice beside the resolved one.
    legal = about(people.reviewers["legal"], assessment)
    assert sorted(n["resolved_at"] is None for n in legal) == [False, True]


def test_decisions_that_end_the_review_are_information(people):
    assessment = act(people, advance(people, create_draft(people), State.LEGAL_REVIEW), "reject")
    [rejected] = about(people.alice, assessment, kind="decision")
    assert rejected["category"] == "info" and rejected["resolved_at"] is None


def test_the_api_lists_what_needs_you_first(people):
    older = advance(people, create_draft(people), State.LEGAL_REVIEW)
    act(people, advance(people, create_draft(people), State.LEGAL_REVIEW), "approve")  # resolved, newer
    listed = notices(people.reviewers["legal"])
    assert listed[0]["assessment"] == older.pk and listed[0]["resolved_at"] is None
    assert listed[-1]["resolved_at"] is not None


def test_marking_read_is_for_ones_own_notices_and_does_not_resolve(people):
    assessment = advance(people, create_draft(people), State.LEGAL_REVIEW)
    [mine] = about(people.reviewers["legal"], assessment)
    url = f"{NOTICES}{mine['id']}/read/"

    assert api(people.reviewers["security"]).post(url).status_code == 404
    assert Notification.objects.get(pk=mine["id"]).read_at is None

    response = api(people.reviewers["legal"]).post(url)
    assert response.status_code == 200
    assert response.json()["read_at"] is not None and response.json()["resolved_at"] is None
    assert api(people.reviewers["legal"]).post(f"{NOTICES}999999/read/").status_code == 404


def test_the_api_needs_credentials(people):
    assert APIClient().get(NOTICES).status_code == 401


def test_the_inbox_shows_what_needs_you_before_information(people, login):
    advance(people, create_draft(people, name="Decided"), State.SECURITY_REVIEW)  # Legal's notice: resolved
    advance(people, create_draft(people, name="Waiting"), State.LEGAL_REVIEW)
    response = login(people.reviewers["legal"]).get(reverse("inbox"))
    page = response.content.decode()
    assert [item["notice"].assessment.feature.name for item in response.context["needs_you"]] == ["Waiting"]
    assert page.index("Needs you") < page.index("Waiting v1") < page.index("For your information")
    assert page.index("For your information") < page.index("Decided v1")
    assert "1 notice needs you." in page


def test_overdue_days_are_whole_days_past_the_deadline():
    due = timezone.now()
    assert days_overdue(due, due) == 0
    assert days_overdue(due, due - timedelta(days=3)) == 0
    assert days_overdue(due, due + timedelta(days=1) - timedelta(microseconds=1)) == 0
    assert days_overdue(due, due + timedelta(days=1)) == 1
    assert days_overdue(due, due + timedelta(days=3, hours=5)) == 3
    assert days_overdue(None, due) == 0


def test_the_migration_categorises_and_resolves_existing_notices(people):
    done = advance(people, create_draft(people), State.SECURITY_REVIEW)
    waiting = advance(people, create_draft(people), State.LEGAL_REVIEW)
    asked = advance(people, create_draft(people), State.CHANGES_REQUESTED)
    expected = dict(Notification.objects.values_list("pk", "category"))
    resolved = set(Notification.objects.filter(resolved_at__isnull=False).values_list("pk", flat=True))
    # As rows were before the lifecycle: no category, nothing about the action, nothing resolved.
    Notification.objects.update(category="info", stage="", review_round=None, condition=None, resolved_at=None)

    migration = importlib.import_module("committee.migrations.0005_notice_lifecycle_indexes")
    migration.categorise_and_resolve(apps, None)

    assert dict(Notification.objects.values_list("pk", "category")) == expected
    assert set(Notification.objects.filter(resolved_at__isnull=False).values_list("pk", flat=True)) == resolved
    legal = people.reviewers["legal"]
    assert Notification.objects.get(recipient=legal, assessment=done, kind="review_requested").resolved_at
    assert Notification.objects.filter(recipient=legal, assessment=waiting).needing_action().count() == 1
    assert Notification.objects.filter(recipient=people.ben, assessment=asked, kind="decision").needing_action()


def test_a_reviewer_who_loses_the_domain_keeps_no_open_review(people):
    from django.contrib.auth.models import Group

    from accounts.signals import roles_changed

    second_legal = UserFactory(username="legal_two", roles=["legal"])
    assessment = advance(people, create_draft(people), State.LEGAL_REVIEW)
    assert about(second_legal, assessment)[0]["resolved_at"] is None

    second_legal.groups.remove(Group.objects.get(name="legal"))  # as single sign-on does, then announces it
    roles_changed.send(sender=None, user=second_legal, added=(), removed=("legal",), source="sso")

    assert about(second_legal, assessment)[0]["resolved_at"] is not None
    assert about(people.reviewers["legal"], assessment)[0]["resolved_at"] is None


def test_the_notices_api_refuses_unknown_query_parameters_by_name(people):
    assessment = advance(people, create_draft(people), State.LEGAL_REVIEW)
    legal = api(people.reviewers["legal"])
    response = legal.get(NOTICES, {"unread": "1"})
    assert response.status_code == 400 and "unread" in response.json()
    [mine] = about(people.reviewers["legal"], assessment)
    response = legal.post(f"{NOTICES}{mine['id']}/read/?all=1")
    assert response.status_code == 400 and "all" in response.json()
    assert Notification.objects.get(pk=mine["id"]).read_at is None
    assert legal.post(f"{NOTICES}abc/read/").status_code == 404


def test_the_inbox_shows_a_review_with_its_deadline_and_a_condition_without_one(people, login):
    security = people.reviewers["security"]
    at_security = advance(people, create_draft(people), State.SECURITY_REVIEW)
    assessment = act(people, at_security, "approve", conditions=[{"text": "Pen test.", "before_launch": True}])
    assessment = advance(people, assessment, State.APPROVED)
    conditions.condition_mark_met(condition=assessment.conditions.get(), by=people.alice, evidence="Report.")
    waiting = advance(people, create_draft(people, name="Waiting"), State.SECURITY_REVIEW)

    needs_you = login(security).get(reverse("inbox")).context["needs_you"]

    clocks = {item["notice"].kind: item["clock"] for item in needs_you}
    assert set(clocks) == {"condition_awaiting_confirmation", "review_requested"}
    assert clocks["condition_awaiting_confirmation"] is None
    assert clocks["review_requested"].due_at is not None and needs_you[-1]["notice"].assessment == waiting


def test_a_member_who_leaves_the_team_keeps_no_open_change_request(people):
    from accounts.signals import roles_changed

    assessment = advance(people, create_draft(people), State.CHANGES_REQUESTED)
    assert about(people.ben, assessment, kind="decision")[0]["resolved_at"] is None

    people.team.members.remove(people.ben)
    group = people.team.group.name
    roles_changed.send(sender=None, user=people.ben, added=(), removed=(group,), source="sso")

    assert about(people.ben, assessment, kind="decision")[0]["resolved_at"] is not None
    assert about(people.alice, assessment, kind="decision")[0]["resolved_at"] is None


def test_a_reviewer_who_joins_the_domain_is_asked_for_what_waits(people, login):
    from django.contrib.auth.models import Group

    from accounts.signals import roles_changed

    newcomer = UserFactory(username="legal_two")
    assessment = advance(people, create_draft(people), State.LEGAL_REVIEW)
    advance(people, create_draft(people), State.SECURITY_REVIEW)  # not Legal's

    newcomer.groups.add(Group.objects.get(name="legal"))  # as single sign-on does, then announces it
    roles_changed.send(sender=None, user=newcomer, added=("legal",), removed=(), source="sso")
    roles_changed.send(sender=None, user=newcomer, added=("legal",), removed=(), source="sso")  # again: no more

    [asked] = about(newcomer, assessment)
    assert asked["category"] == "action" and asked["resolved_at"] is None
    client = login(newcomer)
    assert client.get(reverse("inbox")).context["needing"] == len(client.get(reverse("queue")).context["rows"]) == 1
    act(people, assessment, "approve")
    assert about(newcomer, assessment)[0]["resolved_at"] is not None
