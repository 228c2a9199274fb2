"""The chair delegates a domain's sign-off: the delegate acts for it until the end, and separation of duties holds."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from accounts import roles
from accounts.delegation import DelegationRefused, delegation_create, delegation_end, delegations_expire
from accounts.models import SecurityEvent
from assessments import services
from assessments.errors import NotPermitted, TransitionConflict
from assessments.manifestation import manifestation_line
from assessments.models import AuditEntry, SignOff, State
from tests.factories import UserFactory
from tests.workflow import act, advance, create_draft


@pytest.fixture
def at_security(people):
    return advance(people, create_draft(people), State.SECURITY_REVIEW)


def delegate_security(people, to, days=7):
    return delegation_create(
        by=people.chair,
        delegate=to,
        domain=roles.SECURITY,
        reason="Security reviewer on leave.",
        ends_at=timezone.now() + timedelta(days=days),
    )


def test_the_delegate_signs_securitys_stage_while_delegated(people, at_security):
    clinical = people.reviewers[roles.CLINICAL]
    delegation = delegate_security(people, clinical)

    moved = act(people, at_security, "approve", by=clinical)

    assert moved.state == State.CLINICAL_REVIEW
    sign_off = SignOff.objects.get(stage=roles.SECURITY)
    assert sign_off.reviewer == clinical and sign_off.delegation == delegation
    assert "acting for Security, delegated by Chair until" in manifestation_line(sign_off)
    entry = AuditEntry.objects.filter(transition="approve").latest("seq")
    assert entry.details["manifestation"]["delegation"]["delegated_by"] == "chair"
    assert SecurityEvent.objects.filter(kind="delegation_created", user=people.chair).count() == 1


def test_the_delegate_is_refused_after_the_end_date(people, at_security):
    clinical = people.reviewers[roles.CLINICAL]
    delegation = delegate_security(people, clinical, days=2)

    # At the end, a Clinical reviewer again, at Security's stage: not now.
    with time_machine.travel(delegation.ends_at, tick=False), pytest.raises(TransitionConflict):
        services.assessment_transition(assessment=at_security, name="approve", by=clinical)
    with time_machine.travel(delegation.ends_at - timedelta(seconds=1), tick=False):
        assert services.assessment_transition(assessment=at_security, name="approve", by=clinical).state == (
            State.CLINICAL_REVIEW
        )


def test_a_delegate_with_no_role_of_their_own_is_refused_after_the_end(people, at_security):
    auditor = people.auditor
    delegation = delegate_security(people, auditor, days=1)

    with time_machine.travel(delegation.ends_at + timedelta(minutes=1), tick=False), pytest.raises(NotPermitted):
        services.assessment_transition(assessment=at_security, name="approve", by=auditor)


def test_the_legal_signer_cannot_also_sign_security_by_delegation(people, at_security):
    legal = people.reviewers[roles.LEGAL]  # signed Legal's stage of this round on the way here
    delegate_security(people, legal)

    with pytest.raises(NotPermitted) as refused:
        services.assessment_transition(assessment=at_security, name="approve", by=legal)

    assert refused.value.code == "signed_other_stage"


def test_a_delegate_for_two_domains_signs_only_one_stage_of_a_round(people):
    clinical = people.reviewers[roles.CLINICAL]
    for domain in (roles.LEGAL, roles.SECURITY):
        delegation_create(
            by=people.chair,
            delegate=clinical,
            domain=domain,
            reason="Both away.",
            ends_at=timezone.now() + timedelta(days=3),
        )
    assessment = act(people, advance(people, create_draft(people), State.LEGAL_REVIEW), "approve", by=clinical)

    with pytest.raises(NotPermitted):
        services.assessment_transition(assessment=assessment, name="approve", by=clinical)


def test_a_delegate_never_signs_an_assessment_of_their_own_team(people, at_security):
    clinical = people.reviewers[roles.CLINICAL]
    people.team.members.add(clinical)
    delegate_security(people, clinical)

    with pytest.raises(NotPermitted) as refused:
        services.assessment_transition(assessment=at_security, name="approve", by=clinical)

    assert refused.value.code == "own_team"


def test_an_ended_delegation_stops_at_once_and_is_recorded(people, at_security):
    clinical = people.reviewers[roles.CLINICAL]
    delegation = delegate_security(people, clinical)

    delegation_end(by=people.chair, delegation=delegation)

    with pytest.raises(TransitionConflict):
        services.assessment_transition(assessment=at_security, name="approve", by=clinical)
    assert SecurityEvent.objects.filter(kind="delegation_ended", details__how="ended").count() == 1


def test_expiry_is_recorded_once(people):
    delegation = delegate_security(people, people.reviewers[roles.CLINICAL], days=1)

    with time_machine.travel(delegation.ends_at + timedelta(hours=1), tick=False):
        assert delegations_expire() == 1
        assert delegations_expire() == 0
    assert SecurityEvent.objects.filter(kind="delegation_ended", details__how="expired").count() == 1


@pytest.mark.parametrize("who", ["legal", "alice", "auditor"])
def test_only_the_chair_delegates(people, who):
    user = people.reviewers["legal"] if who == "legal" else getattr(people, who)

    with pytest.raises(DelegationRefused) as refused:
        delegate_security(people.__class__(**{**vars(people), "chair": user}), people.reviewers[roles.CLINICAL])

    assert refused.value.status == 403


def test_a_delegate_must_be_on_the_committee(people):
    with pytest.raises(DelegationRefused, match="member of the committee"):
        delegate_security(people, people.alice)


# -- the chair's page --------------------------------------------------------------------------


def test_a_non_chair_gets_403_from_the_delegations_page(people, client):
    client.force_login(people.reviewers["legal"])
    assert client.get(reverse("delegations")).status_code == 403
    response = client.post(reverse("delegations"), {"domain": "security"})
    assert response.status_code == 403


def test_the_chair_delegates_sees_and_ends_through_the_page(people, client):
    client.force_login(people.chair)
    clinical = people.reviewers[roles.CLINICAL]
    until = (timezone.localtime() + timedelta(days=5)).strftime("%Y-%m-%dT%H:%M")

    response = client.post(
        reverse("delegations"),
        {"domain": "security", "delegate": clinical.pk, "ends_at": until, "reason": "On leave."},
    )

    assert response.status_code == 302
    page = client.get(reverse("delegations")).content.decode()
    assert "clinical_reviewer" in page and "On leave." in page
    delegation = clinical.delegations.get()
    assert client.post(reverse("delegation_stop", args=[delegation.pk])).status_code == 302
    delegation.refresh_from_db()
    assert delegation.ended_at is not None
    assert "No delegation is in force." in client.get(reverse("delegations")).content.decode()


def test_a_past_end_date_is_a_form_error(people, client):
    client.force_login(people.chair)
    past = (timezone.localtime() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        reverse("delegations"),
        {"domain": "security", "delegate": people.reviewers["clinical"].pk, "ends_at": past, "reason": "x"},
    )
    assert response.status_code == 400
    assert "in the future" in response.content.decode()


def test_a_named_person_outside_the_committee_cannot_be_chosen(people, client):
    client.force_login(people.chair)
    outsider = UserFactory(username="outsider")
    until = (timezone.localtime() + timedelta(days=5)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        reverse("delegations"), {"domain": "security", "delegate": outsider.pk, "ends_at": until, "reason": "x"}
    )
    assert response.status_code == 400
