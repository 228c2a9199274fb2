"""Five different people sign the five stages of one round: a reviewer of two domains signs only one."""

import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from accounts import roles
from assessments import services
from assessments.errors import NotPermitted
from assessments.models import Assessment, SignOff, State
from assessments.selectors import available_transitions

from .factories import UserFactory
from .workflow import act, advance, create_draft


@pytest.fixture
def two_hats(people):
    """Lee reviews for both Legal and Security."""
    return UserFactory(username="lee", roles=[roles.LEGAL, roles.SECURITY])


def test_a_two_domain_reviewer_cannot_sign_two_stages_of_one_round(people, two_hats):
    assessment = advance(people, create_draft(people), State.LEGAL_REVIEW)
    assessment = act(people, assessment, "approve", by=two_hats)
    assert assessment.state == State.SECURITY_REVIEW

    with pytest.raises(NotPermitted) as refused:
        act(people, assessment, "approve", by=two_hats)

    assert refused.value.code == "signed_other_stage"
    assert refused.value.message == (
        "Separation of duties: you already signed Legal review in this round; another person must sign Security review."
    )
    assert Assessment.objects.get(pk=assessment.pk).state == State.SECURITY_REVIEW
    assert list(SignOff.objects.filter(assessment=assessment).values_list("stage", "reviewer__username")) == [
        ("legal", "lee")
    ]


def test_the_refusal_covers_every_decision_at_the_later_stage(people, two_hats):
    assessment = act(people, advance(people, create_draft(people), State.LEGAL_REVIEW), "approve", by=two_hats)
    for name in ("request_changes", "reject"):
        with pytest.raises(NotPermitted):
            act(people, assessment, name, by=two_hats, comment="Not for me to say.")
    assert Assessment.objects.get(pk=assessment.pk).state == State.SECURITY_REVIEW


def test_another_security_reviewer_signs_the_next_stage(people, two_hats):
    assessment = act(people, advance(people, create_draft(people), State.LEGAL_REVIEW), "approve", by=two_hats)
    assert act(people, assessment, "approve", by=people.reviewers["security"]).state == State.CLINICAL_REVIEW


def test_in_a_new_round_the_two_domain_reviewer_may_sign_either_stage_once(people, two_hats):
    assessment = act(people, advance(people, create_draft(people), State.LEGAL_REVIEW), "approve", by=two_hats)
    assessment = act(people, assessment, "request_changes", by=people.reviewers["security"])
    assessment = act(people, assessment, "resubmit")
    assessment = act(people, assessment, "approve", by=people.reviewers["legal"])
    # Round 2: Lee has signed nothing in it yet, so Security is theirs to sign.
    assert act(people, assessment, "approve", by=two_hats).state == State.CLINICAL_REVIEW


def test_the_api_does_not_offer_approve_and_the_page_says_why(people, two_hats):
    assessment = act(people, advance(people, create_draft(people), State.LEGAL_REVIEW), "approve", by=two_hats)
    assert available_transitions(two_hats, Assessment.objects.get(pk=assessment.pk)) == []
    api = APIClient()
    api.force_authenticate(two_hats)
    assert api.get(reverse("api-assessment-transitions", args=[assessment.pk])).json() == []
    browser = Client()
    browser.force_login(two_hats)
    page = browser.get(reverse("assessment_detail", args=[assessment.pk])).content.decode()
    assert "Approve (sign off), Request changes, Reject: not now" in page
    assert "you already signed Legal review in this round" in page


# Fifty connections each: PostgreSQL allows a hundred, so two such tests on two workers at once would run out
# (an OperationalError, "too many clients"). One group runs them one after the other on one worker.
@pytest.mark.xdist_group("fifty_connections")
@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_approvals_by_a_two_domain_reviewer_sign_one_stage(people, two_hats):
    if connection.vendor != "postgresql":
        pytest.skip("row locks are exercised on PostgreSQL (CI runs the suite there too)")
    assessment = advance(people, create_draft(people), State.LEGAL_REVIEW)
    barrier = threading.Barrier(50)
    outcomes, messages = [], []

    def approve():
        from django.db import connections

        try:
            barrier.wait(timeout=20)
            services.assessment_transition(assessment=assessment, name="approve", by=two_hats)
            outcomes.append("signed")
        except Exception as error:  # noqa: BLE001 - the outcome is what the test inspects
            outcomes.append(type(error).__name__)
            messages.append(str(error)[:200])
        finally:
            connections.close_all()

    threads = [threading.Thread(target=approve) for _ in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert outcomes.count("signed") == 1, outcomes
    assert set(outcomes) <= {"signed", "NotPermitted", "TransitionConflict"}, set(messages)
    assert SignOff.objects.filter(assessment=assessment).count() == 1
    assert Assessment.objects.get(pk=assessment.pk).state == State.SECURITY_REVIEW
