"""Conditions are met in two steps: the team marks one met with evidence, a reviewer of the domain that set it
(or the chair) confirms or reopens it; launch waits for confirmation; every step is in the audit log."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from assessments.audit import audit_verify
from assessments.models import AuditEntry, Condition, State
from committee.models import Notification
from tests.factories import UserFactory

from .workflow import act, advance, create_draft

pytestmark = pytest.mark.django_db
BEFORE_LAUNCH = {"text": "Publish the model card.", "before_launch": True}


@pytest.fixture
def login():
    def make(user):
        client = Client()
        client.force_login(user)
        return client

    return make


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def url(assessment, condition=None, step=None):
    base = f"/api/v1/assessments/{assessment.pk}/conditions/"
    return base if condition is None else f"{base}{condition.pk}/{step}/"


def launch(user, assessment):
    return api(user).post(f"/api/v1/assessments/{assessment.pk}/transitions/", {"name": "launch"}, format="json")


@pytest.fixture
def approved(people):
    """Approved with a before-launch condition set by Legal."""
    assessment = advance(people, create_draft(people), State.LEGAL_REVIEW)
    assessment = act(people, assessment, "approve", conditions=[BEFORE_LAUNCH])
    return advance(people, assessment, State.APPROVED)


def test_the_team_marks_met_then_legal_confirms_then_launch(people, approved):
    condition = Condition.objects.get()
    response = api(people.alice).post(
        url(approved, condition, "met"), {"evidence": "https://example.org/card"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["status"] == "awaiting_confirmation"
    assert response.json()["evidence"] == "https://example.org/card"

    refused = launch(people.alice, approved)
    assert refused.status_code == 409
    assert "Publish the model card." in refused.json()["reasons"][0]["message"]
    assert refused.json()["reasons"][0]["code"] == "condition_awaiting_confirmation"

    assert api(people.alice).post(url(approved, condition, "confirm"), {}, format="json").status_code == 403
    assert (
        api(people.reviewers["security"]).post(url(approved, condition, "confirm"), {}, format="json").status_code
        == 403
    )
    assert Condition.objects.get().status == Condition.Status.AWAITING_CONFIRMATION

    confirmed = api(people.reviewers["legal"]).post(url(approved, condition, "confirm"), {}, format="json")
    assert confirmed.status_code == 200 and confirmed.json()["status"] == "met"
    assert confirmed.json()["reviewed_by"] == "legal_reviewer"

    assert launch(people.alice, approved).status_code == 200
    assert Condition.objects.get().status == Condition.Status.MET


def test_launch_names_an_open_condition(people, approved):
    refused = launch(people.alice, approved)
    assert refused.status_code == 409
    [reason] = refused.json()["reasons"]
    assert (reason["code"], reason["message"]) == (
        "condition_open",
        "This condition must be met before launch: “Publish the model card.”.",
    )


def test_the_chair_may_confirm(people, approved):
    condition = Condition.objects.get()
    api(people.alice).post(url(approved, condition, "met"), {"evidence": "Done."}, format="json")
    assert api(people.chair).post(url(approved, condition, "confirm"), {}, format="json").status_code == 200


def test_a_reviewer_on_the_team_may_not_confirm(people, approved):
    condition = Condition.objects.get()
    api(people.alice).post(url(approved, condition, "met"), {"evidence": "Done."}, format="json")
    insider = UserFactory(username="legal_insider", roles=["legal"])
    people.team.members.add(insider)
    assert api(insider).post(url(approved, condition, "confirm"), {}, format="json").status_code == 403


def test_reopening_needs_a_comment_and_sends_it_back_to_the_team(people, approved):
    condition = Condition.objects.get()
    api(people.alice).post(url(approved, condition, "met"), {"evidence": "Done."}, format="json")
    legal = api(people.reviewers["legal"])
    assert legal.post(url(approved, condition, "reopen"), {}, format="json").status_code == 400
    assert legal.post(url(approved, condition, "reopen"), {"comment": "   "}, format="json").status_code == 400
    response = legal.post(url(approved, condition, "reopen"), {"comment": "The card lacks the metrics."}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "open"
    assert response.json()["review_comment"] == "The card lacks the metrics."
    # The owner is asked to meet it again; Legal's "confirm" notice is resolved.
    owner_notice = Notification.objects.get(kind="condition_reopened")
    assert owner_notice.recipient == people.alice and owner_notice.needs_action
    confirm_notice = Notification.objects.get(kind="condition_awaiting_confirmation")
    assert confirm_notice.recipient == people.reviewers["legal"] and confirm_notice.resolved_at is not None
    # And it may be marked met again.
    again = api(people.alice).post(url(approved, condition, "met"), {"evidence": "Metrics added."}, format="json")
    assert again.status_code == 200
    assert Notification.objects.get(kind="condition_reopened").resolved_at is not None


def test_marking_met_needs_evidence_and_an_open_condition(people, approved):
    condition = Condition.objects.get()
    alice = api(people.alice)
    assert alice.post(url(approved, condition, "met"), {}, format="json").status_code == 400
    assert alice.post(url(approved, condition, "met"), {"evidence": ""}, format="json").status_code == 400
    assert (
        api(people.reviewers["legal"])
        .post(url(approved, condition, "met"), {"evidence": "x"}, format="json")
        .status_code
        == 403
    )
    assert alice.post(url(approved, condition, "met"), {"evidence": "Done."}, format="json").status_code == 200
    assert alice.post(url(approved, condition, "met"), {"evidence": "Again."}, format="json").status_code == 409
    # Confirming what is not awaiting confirmation is a conflict.
    legal = api(people.reviewers["legal"])
    assert legal.post(url(approved, condition, "confirm"), {}, format="json").status_code == 200
    assert legal.post(url(approved, condition, "confirm"), {}, format="json").status_code == 409


def test_the_list_and_unknown_or_hidden_conditions(people, approved):
    listed = api(people.alice).get(url(approved))
    assert listed.status_code == 200
    [row] = listed.json()
    assert (row["status"], row["stage"], row["owner"]) == ("open", "legal", "alice")
    assert api(people.olga).get(url(approved)).status_code == 404
    other = advance(people, create_draft(people), State.LEGAL_REVIEW)
    condition = Condition.objects.get()
    assert api(people.alice).post(url(other, condition, "met"), {"evidence": "x"}, format="json").status_code == 404


def test_every_step_is_in_the_audit_log_with_the_whole_row(people, approved):
    condition = Condition.objects.get()
    api(people.alice).post(url(approved, condition, "met"), {"evidence": "Done."}, format="json")
    api(people.reviewers["legal"]).post(url(approved, condition, "reopen"), {"comment": "More."}, format="json")
    api(people.alice).post(url(approved, condition, "met"), {"evidence": "Done, more."}, format="json")
    api(people.reviewers["legal"]).post(url(approved, condition, "confirm"), {"comment": "Good."}, format="json")
    entries = list(AuditEntry.objects.filter(action__startswith="condition_").order_by("seq"))
    assert [(e.action, e.details["from_status"], e.details["status"]) for e in entries] == [
        ("condition_marked_met", "open", "awaiting_confirmation"),
        ("condition_reopened", "awaiting_confirmation", "open"),
        ("condition_marked_met", "open", "awaiting_confirmation"),
        ("condition_confirmed", "awaiting_confirmation", "met"),
    ]
    last = entries[-1].details
    assert (last["condition_id"], last["text"], last["evidence"], last["reviewed_by"]) == (
        condition.pk,
        "Publish the model card.",
        "Done, more.",
        "legal_reviewer",
    )
    assert audit_verify().ok


def test_a_condition_set_before_a_change_request_is_proposed_after_resubmission(people):
    assessment = advance(people, create_draft(people), State.LEGAL_REVIEW)
    due = (timezone.localdate() + timedelta(days=20)).isoformat()
    assessment = act(people, assessment, "approve", conditions=[{"text": "Retention policy.", "due_date": due}])
    assessment = act(people, assessment, "request_changes")
    assessment = act(people, assessment, "resubmit", comment="Clarified retention.")
    [row] = api(people.alice).get(url(assessment)).json()
    assert row["status"] == "proposed"


def test_the_assessment_page_offers_each_step_to_whom_it_belongs(people, approved, login):
    condition = Condition.objects.get()
    page = reverse("assessment_detail", args=[approved.pk])
    team_page = login(people.alice).get(page).content.decode()
    assert reverse("condition_met", args=[condition.pk]) in team_page
    response = login(people.alice).post(reverse("condition_met", args=[condition.pk]), {"evidence": "Published."})
    assert response.status_code == 302
    legal_page = login(people.reviewers["legal"]).get(page).content.decode()
    assert reverse("condition_confirm", args=[condition.pk]) in legal_page
    assert reverse("condition_reopen", args=[condition.pk]) in legal_page
    assert reverse("condition_confirm", args=[condition.pk]) not in login(people.alice).get(page).content.decode()
    assert (
        reverse("condition_confirm", args=[condition.pk])
        not in login(people.reviewers["security"]).get(page).content.decode()
    )
    assert login(people.alice).post(reverse("condition_confirm", args=[condition.pk])).status_code == 403
    assert login(people.reviewers["legal"]).post(reverse("condition_confirm", args=[condition.pk])).status_code == 302
    assert Condition.objects.get().status == Condition.Status.MET


def test_a_carried_condition_is_dropped_by_its_domain_at_its_stage_only(people):
    from assessments import conditions
    from assessments.errors import InputError, NotPermitted, TransitionConflict

    assessment = advance(people, create_draft(people), State.LEGAL_REVIEW)
    assessment = act(people, assessment, "approve", conditions=[BEFORE_LAUNCH])
    assessment = act(people, act(people, assessment, "request_changes"), "resubmit", comment="Fixed.")
    condition = Condition.objects.get()
    with pytest.raises(NotPermitted):
        conditions.condition_drop(condition=condition, by=people.alice, comment="No.")
    with pytest.raises(NotPermitted):
        conditions.condition_drop(condition=condition, by=people.reviewers["security"], comment="No.")
    with pytest.raises(InputError):
        conditions.condition_drop(condition=condition, by=people.reviewers["legal"], comment=" ")
    dropped = conditions.condition_drop(condition=condition, by=people.reviewers["legal"], comment="Met by design.")
    assert dropped.status == Condition.Status.DROPPED
    assert AuditEntry.objects.filter(action="condition_dropped").get().details["status"] == "dropped"
    # Legal signs without it; nothing blocks launch.
    assessment = advance(people, act(people, assessment, "approve"), State.APPROVED)
    assert launch(people.alice, assessment).status_code == 200
    with pytest.raises(TransitionConflict):
        conditions.condition_drop(condition=dropped, by=people.reviewers["legal"], comment="Again.")
