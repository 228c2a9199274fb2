"""In the browser a signing act re-authenticates when the last log-in or re-authentication is too old."""

from datetime import UTC, timedelta

import pytest
import time_machine
from axes.models import AccessAttempt
from django.urls import reverse
from django.utils import timezone

from accounts.models import SecurityEvent
from assessments.models import SignOff, State
from tests.factories import PASSWORD
from tests.workflow import advance, create_draft


@pytest.fixture
def at_legal(people):
    return advance(people, create_draft(people), State.LEGAL_REVIEW)


def approve(client, assessment, **extra):
    return client.post(
        reverse("assessment_transition", args=[assessment.pk, "approve"]),
        {"expected_state": assessment.state, **extra},
    )


def test_within_the_window_signing_asks_for_nothing_more(people, login, at_legal):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        client = login(people.reviewers["legal"])
        clock.move_to(start + timedelta(seconds=300))  # the edge: exactly SIGNING_REAUTH_SECONDS later
        page = client.get(reverse("assessment_detail", args=[at_legal.pk])).content.decode()
        response = approve(client, at_legal)

    assert 'name="password"' not in page
    assert response.status_code == 302
    assert SignOff.objects.get().decision == "approved"


def test_one_second_past_the_window_signing_asks_for_the_password(people, login, at_legal):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        client = login(people.reviewers["legal"])
        clock.move_to(start + timedelta(seconds=301))
        response = approve(client, at_legal)

    assert response.status_code == 400
    assert not SignOff.objects.exists()


def test_ten_minutes_after_log_in_signing_asks_for_the_password(people, login, at_legal):
    legal = people.reviewers["legal"]
    client = login(legal)

    with time_machine.travel(timezone.now() + timedelta(minutes=10)):
        page = client.get(reverse("assessment_detail", args=[at_legal.pk])).content.decode()
        refused = approve(client, at_legal)
        wrong = approve(client, at_legal, password="guess")
        right = approve(client, at_legal, password=PASSWORD)

    assert 'name="password"' in page and "Sign with your password" in page
    assert refused.status_code == 400 and "Enter your password to sign." in refused.content.decode()
    assert wrong.status_code == 400 and "That password is not right." in wrong.content.decode()
    assert right.status_code == 302
    assert SignOff.objects.get().reviewer == legal
    assert SecurityEvent.objects.filter(kind="reauth_failed", user=legal).count() == 1
    assert SecurityEvent.objects.filter(kind="reauthenticated", user=legal).count() == 1


def test_a_wrong_password_counts_towards_the_lockout(people, login, at_legal):
    legal = people.reviewers["legal"]
    client = login(legal)
    with time_machine.travel(timezone.now() + timedelta(minutes=10)):
        approve(client, at_legal, password="guess")
    assert AccessAttempt.objects.get(username=legal.username).failures_since_start == 1


def test_the_window_is_the_setting(people, login, at_legal, settings):
    settings.SIGNING_REAUTH_SECONDS = 30
    client = login(people.reviewers["legal"])
    with time_machine.travel(timezone.now() + timedelta(seconds=31)):
        assert approve(client, at_legal).status_code == 400


def test_someone_who_may_not_sign_is_refused_not_asked_for_a_password(people, login, at_legal):
    client = login(people.alice)
    with time_machine.travel(timezone.now() + timedelta(minutes=10)):
        assert approve(client, at_legal).status_code == 403


def test_the_sign_off_shows_its_manifestation(people, login, at_legal):
    legal = people.reviewers["legal"]
    client = login(legal)
    approve(client, at_legal)

    page = client.get(reverse("assessment_detail", args=[at_legal.pk])).content.decode()
    sign_off = SignOff.objects.get()
    when = sign_off.created_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    assert "Approved as Legal reviewer by Legal_reviewer (legal_reviewer) at" in page
    assert when in page
    assert sign_off.signer_username == "legal_reviewer" and sign_off.signer_name == "Legal_reviewer"


def test_a_signer_with_a_second_factor_gives_the_password_and_a_code(people, login, at_legal):
    from tests.identity.helpers import code_for, enrol

    legal = people.reviewers["legal"]
    with time_machine.travel(timezone.now(), tick=False) as clock:
        device, _ = enrol(legal)
        client = login(legal)
        clock.shift(timedelta(minutes=10))
        page = client.get(reverse("assessment_detail", args=[at_legal.pk])).content.decode()
        no_code = approve(client, at_legal, password=PASSWORD)
        wrong_code = approve(client, at_legal, password=PASSWORD, code="000000")
        clock.shift(timedelta(seconds=30))
        right = approve(client, at_legal, password=PASSWORD, code=code_for(device))

    assert 'name="code"' in page
    assert no_code.status_code == 400 and "Enter the code from your authenticator app" in no_code.content.decode()
    assert wrong_code.status_code == 400 and "That code is not right." in wrong_code.content.decode()
    assert right.status_code == 302
    assert SignOff.objects.get().reviewer == legal
    # The wrong code counts towards the lockout like a wrong password.
    assert AccessAttempt.objects.get(username=legal.username).failures_since_start == 1


@pytest.mark.parametrize("password", [PASSWORD, "guess"], ids=["right password", "wrong password"])
def test_a_late_decision_is_a_409_before_any_password_check(people, login, at_legal, password):
    """The Security reviewer's page still shows Legal review; Legal approved since. Their sign form posts the
    old state and a password (their log-in is too old): the page says the state moved, and checks no password."""
    security = people.reviewers["security"]
    client = login(security)
    advance(people, at_legal, State.SECURITY_REVIEW)
    SecurityEvent.objects.all().delete()

    with time_machine.travel(timezone.now() + timedelta(minutes=10)):
        response = client.post(
            reverse("assessment_transition", args=[at_legal.pk, "approve"]),
            {"expected_state": State.LEGAL_REVIEW, "password": password},
        )

    assert response.status_code == 409
    assert "while you were looking at it" in response.content.decode()
    assert not SecurityEvent.objects.filter(kind__in=["reauth_failed", "reauthenticated"]).exists()
    assert not AccessAttempt.objects.filter(username=security.username).exists()
    assert not SignOff.objects.filter(stage="security").exists()


def test_a_late_decision_with_a_badly_filled_form_is_a_409_too(people, login, at_legal):
    client = login(people.reviewers["security"])
    advance(people, at_legal, State.SECURITY_REVIEW)

    response = client.post(
        reverse("assessment_transition", args=[at_legal.pk, "approve"]),
        {"expected_state": State.LEGAL_REVIEW, "password": "x" * 5000},  # over max_length: the form is invalid
    )

    assert response.status_code == 409
    assert "while you were looking at it" in response.content.decode()
