"""Signing through the API carries the signer's password (accounts/reauth.py)."""

from datetime import UTC, timedelta

import pytest
from axes.models import AccessAttempt
from django.utils import timezone

from accounts.delegation import delegation_create
from accounts.models import SecurityEvent, SingleSignOnIdentity
from assessments.models import SignOff, State
from tests.factories import PASSWORD
from tests.workflow import advance, create_draft


def url(assessment):
    return f"/api/v1/assessments/{assessment.pk}/transitions/"


@pytest.fixture
def at_legal(people):
    return advance(people, create_draft(people), State.LEGAL_REVIEW)


@pytest.mark.parametrize(
    "name, extra", [("approve", {}), ("request_changes", {"comment": "Fix it."}), ("reject", {"comment": "No."})]
)
def test_a_signing_act_without_the_password_is_a_400_reauthentication_required(
    people, client_for, at_legal, name, extra
):
    response = client_for(people.reviewers["legal"], signs=False).post(
        url(at_legal), {"name": name, **extra}, format="json"
    )

    assert response.status_code == 400, response.content
    assert response.json()["code"] == "reauthentication_required"
    assert "password" in response.json()["detail"]
    assert not SignOff.objects.exists()


def test_a_wrong_password_is_a_403_counted_towards_the_lockout(people, client_for, at_legal):
    legal = people.reviewers["legal"]
    response = client_for(legal, signs=False).post(
        url(at_legal), {"name": "approve", "password": "guess"}, format="json"
    )

    assert response.status_code == 403, response.content
    assert "password is not right" in response.json()["detail"]
    assert response.json()["code"] == "reauthentication_failed"
    assert AccessAttempt.objects.get(username=legal.username).failures_since_start == 1
    assert SecurityEvent.objects.filter(kind="reauth_failed", user=legal).count() == 1
    assert not SignOff.objects.exists()


def test_the_right_password_signs(people, client_for, at_legal):
    legal = people.reviewers["legal"]
    response = client_for(legal, signs=False).post(
        url(at_legal), {"name": "approve", "password": PASSWORD}, format="json"
    )

    assert response.status_code == 200, response.content
    assert response.json()["state"] == State.SECURITY_REVIEW
    assert SecurityEvent.objects.filter(kind="reauthenticated", user=legal).count() == 1


def test_a_locked_out_account_cannot_sign_even_with_the_right_password(people, client_for, at_legal):
    legal = people.reviewers["legal"]
    client = client_for(legal, signs=False)
    for _ in range(5):
        client.post(url(at_legal), {"name": "approve", "password": "guess"}, format="json")

    response = client.post(url(at_legal), {"name": "approve", "password": PASSWORD}, format="json")

    assert response.status_code == 429  # django-axes: the account is locked, as after failed sign-ins
    assert not SignOff.objects.exists()


@pytest.mark.parametrize(
    "name, extra",
    [
        ("approve", {}),
        ("approve", {"password": PASSWORD}),
        ("request_changes", {"comment": "Fix it."}),
        ("reject", {"comment": "No.", "password": "anything"}),
    ],
)
def test_an_account_without_a_password_signs_in_the_browser(people, client_for, at_legal, name, extra):
    legal = people.reviewers["legal"]
    legal.set_unusable_password()
    legal.save()
    SingleSignOnIdentity.objects.create(user=legal, issuer="https://idp.example.org", subject="legal-1")

    response = client_for(legal, signs=False).post(url(at_legal), {"name": name, **extra}, format="json")

    assert response.status_code == 403, response.content
    assert response.json()["code"] == "sign_in_the_browser"
    assert "sign in the browser" in response.json()["detail"]
    assert not SignOff.objects.exists()


def test_who_may_act_is_decided_before_the_password(people, client_for, at_legal):
    response = client_for(people.alice, signs=False).post(url(at_legal), {"name": "approve"}, format="json")

    assert response.status_code == 403
    assert "code" not in response.json()


def test_acts_that_do_not_sign_need_no_password(people, client_for):
    response = client_for(people.alice, signs=False).post(url(create_draft(people)), {"name": "submit"}, format="json")

    assert response.status_code == 200, response.content


def test_sign_offs_carry_their_manifestation(people, client_for, at_legal):
    legal = people.reviewers["legal"]
    body = client_for(legal).post(url(at_legal), {"name": "approve"}, format="json").json()

    shown = body["sign_offs"][-1]["manifestation"]
    sign_off = SignOff.objects.get()
    assert shown["signer_name"] == "Legal_reviewer" and shown["signer_username"] == "legal_reviewer"
    assert shown["meaning"] == "approved" and shown["domain"] == "legal" and shown["acting_for"] is None
    assert shown["signed_at"].endswith("Z")
    assert shown["text"].startswith("Approved as Legal reviewer by Legal_reviewer (legal_reviewer) at ")
    assert shown["text"].endswith(sign_off.created_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC"))


def test_a_delegates_sign_off_says_whom_they_acted_for(people, client_for):
    clinical = people.reviewers["clinical"]
    delegation_create(
        by=people.chair,
        delegate=clinical,
        domain="security",
        reason="Leave.",
        ends_at=timezone.now() + timedelta(days=3),
    )
    at_security = advance(people, create_draft(people), State.SECURITY_REVIEW)

    body = client_for(clinical).post(url(at_security), {"name": "approve"}, format="json").json()

    acting = body["sign_offs"][-1]["manifestation"]["acting_for"]
    assert acting["domain"] == "security" and acting["delegated_by"] == "chair"
    assert acting["text"].startswith("acting for Security, delegated by Chair until ")


# -- a late decision: the state moved on since the client read it -------------------------------------------------


@pytest.fixture
def moved_on(people, client_for, at_legal):
    """Legal approved; the Security reviewer's client still shows Legal review."""
    response = client_for(people.reviewers["legal"]).post(
        url(at_legal), {"name": "approve", "expected_state": State.LEGAL_REVIEW}, format="json"
    )
    assert response.status_code == 200, response.content
    SecurityEvent.objects.all().delete()
    return at_legal


def _no_password_was_checked(user):
    assert not SecurityEvent.objects.filter(kind__in=["reauth_failed", "reauthenticated"]).exists()
    assert not AccessAttempt.objects.filter(username=user.username).exists()


@pytest.mark.parametrize("password", [PASSWORD, "guess"], ids=["right password", "wrong password"])
def test_a_late_decision_is_a_409_stale_state_before_any_password_check(people, client_for, moved_on, password):
    security = people.reviewers["security"]
    response = client_for(security, signs=False).post(
        url(moved_on),
        {"name": "approve", "expected_state": State.LEGAL_REVIEW, "password": password},
        format="json",
    )

    assert response.status_code == 409, response.content
    assert [reason["code"] for reason in response.json()["reasons"]] == ["stale_state"]
    _no_password_was_checked(security)
    assert not SignOff.objects.filter(stage="security").exists()


def test_a_late_decision_with_a_malformed_body_is_a_409_stale_state_too(people, client_for, moved_on):
    security = people.reviewers["security"]
    response = client_for(security, signs=False).post(
        url(moved_on),
        {"name": "approve", "expected_state": State.LEGAL_REVIEW, "conditions": "not a list", "password": "guess"},
        format="json",
    )

    assert response.status_code == 409, response.content
    assert [reason["code"] for reason in response.json()["reasons"]] == ["stale_state"]
    _no_password_was_checked(security)


def test_a_malformed_expected_state_is_the_body_s_fault(people, client_for, moved_on):
    response = client_for(people.reviewers["security"]).post(
        url(moved_on), {"name": "approve", "expected_state": ["legal_review"]}, format="json"
    )

    assert response.status_code == 400, response.content
