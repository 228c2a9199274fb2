"""A delegate's notices: they say for whom the delegate acts (inbox, e-mail, API), a delegation that begins after
the stage arrived asks the delegate for what waits, and one that ends resolves what is no longer theirs."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts import roles
from accounts.delegation import delegation_change_end, delegation_end, delegations_expire
from assessments import conditions
from assessments.models import State
from committee.mail import email_message
from committee.models import Notification, OutboxEmail

from ..workflow import act, advance, create_draft, delegate

pytestmark = pytest.mark.django_db


def open_actions(user, assessment, kind="review_requested"):
    return Notification.objects.filter(recipient=user, assessment=assessment, kind=kind).needing_action()


@pytest.fixture
def at_security(people):
    return advance(people, create_draft(people), State.SECURITY_REVIEW)


def test_a_delegation_that_begins_at_the_stage_asks_the_delegate_and_says_for_whom(people, at_security, login):
    clinical = people.reviewers[roles.CLINICAL]
    assert not open_actions(clinical, at_security).exists()

    delegate(people, clinical)

    [asked] = open_actions(clinical, at_security)
    assert asked.subject.endswith("(acting for Security)")
    assert asked.body.startswith("You receive this acting for Security, by the committee chair's delegation.")
    page = login(clinical).get(reverse("inbox")).content.decode()
    assert "acting for Security" in page
    api = APIClient()
    api.force_authenticate(clinical)
    [listed] = [n for n in api.get("/api/v1/notices/").json() if n["id"] == asked.pk]
    assert listed["message"].endswith("(acting for Security)") and listed["category"] == "action"
    # A second look (the end moved) asks nothing twice.
    delegation_count = Notification.objects.filter(recipient=clinical).count()
    delegation_change_end(
        by=people.chair, delegation=clinical.delegations.get(), ends_at=timezone.now() + timedelta(days=3)
    )
    assert Notification.objects.filter(recipient=clinical).count() == delegation_count


def test_the_email_to_a_delegate_says_for_whom(people, at_security):
    clinical = people.reviewers[roles.CLINICAL]
    delegate(people, clinical)
    sent = email_message(OutboxEmail.objects.get(recipient=clinical))
    assert "(acting for Security)" in sent.subject
    assert "You receive this acting for Security" in sent.body


def test_the_domains_own_reviewer_reads_no_acting_for(people, at_security):
    delegate(people, people.reviewers[roles.CLINICAL])
    [own] = open_actions(people.reviewers[roles.SECURITY], at_security)
    assert "acting for" not in own.subject and "acting for" not in own.body


def test_the_delegates_notice_resolves_when_the_domains_reviewer_signs(people, at_security):
    clinical = people.reviewers[roles.CLINICAL]
    delegate(people, clinical)
    act(people, at_security, "approve")  # by the Security reviewer
    assert not open_actions(clinical, at_security).filter(stage=roles.SECURITY).exists()
    # Now at Clinical review: their own domain's, asked afresh.
    [own] = open_actions(clinical, at_security)
    assert own.stage == roles.CLINICAL and "acting for" not in own.subject


def test_notices_at_arrival_say_for_whom_too(people):
    clinical = people.reviewers[roles.CLINICAL]
    delegate(people, clinical)
    assessment = advance(people, create_draft(people), State.SECURITY_REVIEW)
    [asked] = open_actions(clinical, assessment)
    assert asked.context["acting_for"] == roles.SECURITY and "(acting for Security)" in asked.subject


def test_ending_a_delegation_resolves_the_delegates_notices_and_leaves_the_reviewers(people, at_security):
    clinical = people.reviewers[roles.CLINICAL]
    delegation = delegate(people, clinical)
    at_clinical = advance(people, create_draft(people, name="Clinical's own"), State.CLINICAL_REVIEW)
    assert open_actions(clinical, at_security).exists() and open_actions(clinical, at_clinical).exists()

    delegation_end(by=people.chair, delegation=delegation)

    assert not open_actions(clinical, at_security).exists()
    assert open_actions(clinical, at_clinical).exists()  # their own domain's review still waits
    assert open_actions(people.reviewers[roles.SECURITY], at_security).exists()


def test_an_expired_delegation_resolves_the_delegates_notices(people, at_security):
    clinical = people.reviewers[roles.CLINICAL]
    delegation = delegate(people, clinical, days=1)
    assert open_actions(clinical, at_security).exists()
    with time_machine.travel(delegation.ends_at + timedelta(minutes=1), tick=False):
        assert delegations_expire() == 1
    assert not open_actions(clinical, at_security).exists()


def test_a_delegate_is_asked_to_confirm_the_domains_condition_and_loses_it_at_the_end(people, at_security):
    clinical = people.reviewers[roles.CLINICAL]
    assessment = act(people, at_security, "approve", conditions=[{"text": "Pen test.", "before_launch": True}])
    assessment = advance(people, assessment, State.APPROVED)
    condition = conditions.condition_mark_met(
        condition=assessment.conditions.get(), by=people.alice, evidence="Report attached."
    )
    assert not open_actions(clinical, assessment, "condition_awaiting_confirmation").exists()

    delegation = delegate(people, clinical)
    [asked] = open_actions(clinical, assessment, "condition_awaiting_confirmation")
    assert asked.condition_id == condition.pk and "(acting for Security)" in asked.subject

    delegation_end(by=people.chair, delegation=delegation)
    assert not open_actions(clinical, assessment, "condition_awaiting_confirmation").exists()
    assert open_actions(people.reviewers[roles.SECURITY], assessment, "condition_awaiting_confirmation").exists()


def test_a_delegate_in_force_when_the_team_marks_met_is_asked_and_the_confirmation_resolves_it(people, at_security):
    clinical = people.reviewers[roles.CLINICAL]
    assessment = act(people, at_security, "approve", conditions=[{"text": "Pen test.", "before_launch": True}])
    assessment = advance(people, assessment, State.APPROVED)
    delegate(people, clinical)
    condition = conditions.condition_mark_met(
        condition=assessment.conditions.get(), by=people.alice, evidence="Report attached."
    )
    assert open_actions(clinical, assessment, "condition_awaiting_confirmation").exists()

    conditions.condition_confirm(condition=condition, by=people.reviewers[roles.SECURITY])
    assert not open_actions(clinical, assessment, "condition_awaiting_confirmation").exists()
