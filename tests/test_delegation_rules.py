"""Delegation's rules at their edges: the end moment to the microsecond, separation of duties across delegations,
the expiry on Celery beat (recorded once), and the security events auditors filter for delegation."""

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts import roles
from accounts.delegation import delegation_change_end, delegation_create, delegation_end
from accounts.models import Delegation, SecurityEvent
from assessments import services
from assessments.errors import NotPermitted
from assessments.models import State
from committee import tasks

from .signing_client import SigningClient
from .workflow import act, advance, create_draft

US = timedelta(microseconds=1)


def delegate(people, to, domain=roles.SECURITY, days=2):
    return delegation_create(
        by=people.chair, delegate=to, domain=domain, reason="On leave.", ends_at=timezone.now() + timedelta(days=days)
    )


@pytest.fixture
def at_security(people):
    return advance(people, create_draft(people), State.SECURITY_REVIEW)


# -- the end, to the microsecond: active from its start while the moment is before its end --------------------


@pytest.mark.parametrize(("offset", "signs"), [(-US, True), (timedelta(0), False), (US, False)])
def test_the_delegate_signs_until_the_microsecond_before_the_end(people, at_security, offset, signs):
    auditor = people.auditor  # no domain of their own: only the delegation lets them act
    delegation = delegate(people, auditor)

    with time_machine.travel(delegation.ends_at + offset, tick=False):
        if signs:
            assert services.assessment_transition(assessment=at_security, name="approve", by=auditor).state == (
                State.CLINICAL_REVIEW
            )
        else:
            with pytest.raises(NotPermitted):
                services.assessment_transition(assessment=at_security, name="approve", by=auditor)


@pytest.mark.parametrize(("offset", "status"), [(-US, 200), (timedelta(0), 403), (US, 403)])
def test_through_the_api_an_expired_delegate_gets_403(people, at_security, offset, status):
    auditor = people.auditor
    delegation = delegate(people, auditor)
    client = SigningClient()
    client.force_authenticate(auditor)

    with time_machine.travel(delegation.ends_at + offset, tick=False):
        response = client.post(f"/api/v1/assessments/{at_security.pk}/transitions/", {"name": "approve"}, format="json")

    assert response.status_code == status, response.content


def test_a_delegation_ended_early_stops_at_the_moment_it_was_ended(people, at_security):
    auditor = people.auditor
    delegation = delegate(people, auditor)
    ended = delegation_end(by=people.chair, delegation=delegation).ended_at

    for moment, signs in ((ended - US, True), (ended, False)):
        at_security = at_security.__class__.objects.get(pk=at_security.pk)  # no clock left from the last transition
        with time_machine.travel(moment, tick=False):
            refused = services.transition_refusal(assessment=at_security, name="approve", by=auditor)
            assert (refused is None) is signs


def test_a_moved_end_moves_the_last_moment(people, at_security):
    auditor = people.auditor
    delegation = delegate(people, auditor)
    sooner = timezone.now() + timedelta(hours=1)
    delegation_change_end(by=people.chair, delegation=delegation, ends_at=sooner)

    with time_machine.travel(sooner, tick=False), pytest.raises(NotPermitted):
        services.assessment_transition(assessment=at_security, name="approve", by=auditor)
    assert SecurityEvent.objects.filter(kind="delegation_changed").count() == 1


def test_a_non_chair_cannot_change_or_end_a_delegation(people):
    from accounts.delegation import DelegationRefused

    delegation = delegate(people, people.reviewers[roles.CLINICAL])
    legal = people.reviewers[roles.LEGAL]
    with pytest.raises(DelegationRefused) as refused:
        delegation_change_end(by=legal, delegation=delegation, ends_at=timezone.now() + timedelta(days=9))
    assert refused.value.status == 403
    with pytest.raises(DelegationRefused) as refused:
        delegation_end(by=legal, delegation=delegation)
    assert refused.value.status == 403
    client = Client()
    client.force_login(legal)
    assert client.post(reverse("delegation_stop", args=[delegation.pk])).status_code == 403
    delegation.refresh_from_db()
    assert delegation.ended_at is None


# -- separation of duties across delegations -------------------------------------------------------------------


def test_the_security_reviewer_who_signed_legal_by_delegation_cannot_sign_security(people):
    security = people.reviewers[roles.SECURITY]
    delegate(people, security, domain=roles.LEGAL)
    in_legal = advance(people, create_draft(people), State.LEGAL_REVIEW)
    at_security = act(people, in_legal, "approve", by=security)
    assert at_security.sign_offs.get(stage=roles.LEGAL).delegation is not None

    with pytest.raises(NotPermitted) as refused:
        services.assessment_transition(assessment=at_security, name="approve", by=security)

    assert refused.value.code == "signed_other_stage"


def test_a_delegate_on_the_assessments_team_neither_comments_nor_signs(people, at_security):
    auditor = people.auditor
    people.team.members.add(auditor)
    delegate(people, auditor)

    with pytest.raises(NotPermitted) as refused:
        services.question_comment_add(assessment=at_security, question="overview.audience", text="Mine.", by=auditor)
    assert refused.value.code == "own_team"
    with pytest.raises(NotPermitted):
        services.assessment_transition(assessment=at_security, name="reject", by=auditor, comment="No.")


# -- the expiry on Celery beat -----------------------------------------------------------------------------------


def test_beat_runs_the_expiry_task():
    entries = [e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "committee.tasks.delegations_expire"]
    assert len(entries) == 1 and entries[0]["schedule"] == settings.DELEGATION_EXPIRY_SECONDS
    assert tasks.delegations_expire.name == "committee.tasks.delegations_expire"


def test_the_task_ends_expired_delegations_and_records_each_once(people):
    running = delegate(people, people.reviewers[roles.CLINICAL], days=5)
    expired = delegate(people, people.auditor, days=1)

    with time_machine.travel(expired.ends_at + timedelta(minutes=1), tick=False):
        assert tasks.delegations_expire.apply().get() == 1
        assert tasks.delegations_expire.apply().get() == 0

    expired.refresh_from_db()
    running.refresh_from_db()
    assert expired.ended_at == expired.ends_at and running.ended_at is None
    events = SecurityEvent.objects.filter(kind="delegation_ended", details__how="expired")
    assert [(e.details["delegation"], e.username) for e in events] == [(expired.pk, "audrey")]


def test_the_task_does_not_record_a_delegation_the_chair_ended_as_expired(people):
    delegation = delegate(people, people.auditor, days=1)
    delegation_end(by=people.chair, delegation=delegation)

    with time_machine.travel(delegation.ends_at + timedelta(minutes=1), tick=False):
        assert tasks.delegations_expire.apply().get() == 0
    assert SecurityEvent.objects.filter(kind="delegation_ended").count() == 1


# -- what the chair and the auditors read ------------------------------------------------------------------------


def test_the_chair_sees_current_delegations_not_ended_ones(people):
    running = delegate(people, people.reviewers[roles.CLINICAL], days=3)
    ended = delegate(people, people.auditor, domain=roles.LEGAL)
    delegation_end(by=people.chair, delegation=ended)
    client = Client()
    client.force_login(people.chair)

    current = client.get(reverse("delegations")).context["current"]

    assert current == [running]


@pytest.mark.parametrize("kind", ["delegation_created", "delegation_changed", "delegation_ended"])
def test_auditors_filter_the_security_events_by_delegation_kind(people, kind):
    delegation = delegate(people, people.reviewers[roles.CLINICAL], days=3)
    delegation_change_end(by=people.chair, delegation=delegation, ends_at=timezone.now() + timedelta(days=1))
    delegation_end(by=people.chair, delegation=delegation)
    SecurityEvent.objects.create(kind="login", username="chair", at=timezone.now(), details={})
    client = Client()
    client.force_login(people.auditor)

    response = client.get(reverse("security_events"), {"kind": kind})

    assert response.status_code == 200
    rows = [event for event, _ in response.context["rows"]]
    assert [(e.kind, e.details["delegation"]) for e in rows] == [(kind, delegation.pk)]
    assert Delegation.objects.count() == 1
