"""Two reviewers approving the same stage at the same moment: exactly one wins (PostgreSQL)."""

import threading

import pytest
from django.db import connection

from assessments import services
from assessments.errors import DomainError
from assessments.models import Assessment, AuditEntry, SignOff, State

from .factories import UserFactory
from .workflow import advance, create_draft

pytestmark = pytest.mark.postgres


@pytest.fixture
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("row locks are exercised on PostgreSQL (CI runs the suite there too)")


def race(callables):
    barrier = threading.Barrier(len(callables))
    results = [None] * len(callables)

    def run(index, function):
        from django.db import connections

        try:
            barrier.wait(timeout=10)
            results[index] = function()
        except Exception as exc:  # noqa: BLE001 - the outcome is what the test inspects
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, f)) for i, f in enumerate(callables)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_approvals_yield_one_sign_off_and_one_transition(people, postgres_only):
    second_lawyer = UserFactory(username="second_lawyer", roles=["legal"])
    assessment = advance(people, create_draft(people), State.LEGAL_REVIEW)

    def approve(user):
        return lambda: services.assessment_transition(
            assessment=assessment, name="approve", by=user, expected_state=State.LEGAL_REVIEW
        )

    for review_round in (1, 2, 3):  # repeat to give the race several chances to interleave
        results = race([approve(people.reviewers["legal"]), approve(second_lawyer)])
        winners = [r for r in results if isinstance(r, Assessment)]
        losers = [r for r in results if isinstance(r, DomainError)]
        assert len(winners) == 1 and len(losers) == 1, results
        assert "moved to Security review" in losers[0].message or "same moment" in losers[0].message
        assert SignOff.objects.filter(assessment=assessment, stage="legal", review_round=review_round).count() == 1
        approvals = AuditEntry.objects.filter(assessment_id=assessment.pk, transition="approve")
        assert approvals.count() == review_round
        assert Assessment.objects.get(pk=assessment.pk).state == State.SECURITY_REVIEW
        # Back to Legal for the next round: changes requested, then resubmitted.
        services.assessment_transition(
            assessment=assessment, name="request_changes", by=people.reviewers["security"], comment="Once more."
        )
        services.assessment_transition(
            assessment=assessment, name="resubmit", by=people.alice, comment="Answered the change request."
        )


@pytest.mark.django_db(transaction=True)
def test_concurrent_transitions_of_different_kinds_serialise(people, postgres_only):
    assessment = advance(people, create_draft(people), State.LEGAL_REVIEW)
    results = race(
        [
            lambda: services.assessment_transition(
                assessment=assessment, name="approve", by=people.reviewers["legal"], expected_state=State.LEGAL_REVIEW
            ),
            lambda: services.assessment_transition(
                assessment=assessment, name="withdraw", by=people.alice, expected_state=State.LEGAL_REVIEW
            ),
        ]
    )
    assert sum(isinstance(r, Assessment) for r in results) == 1, results
    final = Assessment.objects.get(pk=assessment.pk).state
    assert final in (State.SECURITY_REVIEW, State.WITHDRAWN)
    assert AuditEntry.objects.filter(assessment_id=assessment.pk, action="transition").count() == 2  # submit + winner
    from assessments.audit import audit_verify

    assert audit_verify().ok
