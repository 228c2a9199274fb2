"""Editing answers from a version someone else has since saved over is refused, and the comparison is made under
the assessment's row lock: a save that was still in progress when the second began is seen (PostgreSQL)."""

import pytest

from assessments import services
from assessments.errors import TransitionConflict
from assessments.models import Assessment

from .row_locks import second_while_first_holds_the_lock
from .workflow import create_draft

pytestmark = pytest.mark.postgres


def test_a_stale_version_is_refused(people):
    assessment = create_draft(people)
    opened_at = assessment.content_hash
    services.assessment_update_answers(
        assessment=assessment, answers={"impact.benefits": "First."}, by=people.alice, expected_content_hash=opened_at
    )
    with pytest.raises(TransitionConflict) as refused:
        services.assessment_update_answers(
            assessment=assessment,
            answers={"impact.benefits": "Second."},
            by=people.ben,
            expected_content_hash=opened_at,
        )
    assert refused.value.reasons[0].code == "stale_content"
    assert Assessment.objects.get(pk=assessment.pk).answers["impact.benefits"] == "First."


@pytest.mark.django_db(transaction=True)
def test_the_version_is_compared_under_the_row_lock(people, postgres_only):
    assessment = create_draft(people)
    opened_at = assessment.content_hash

    def save(by, words):
        return lambda: services.assessment_update_answers(
            assessment=assessment, answers={"impact.benefits": words}, by=by, expected_content_hash=opened_at
        )

    # The first save is made and not yet committed: it holds the row lock. Before the lock, the second save saw
    # the version it was opened at; it must look again under the lock.
    outcome = second_while_first_holds_the_lock(save(people.alice, "Alice's words."), save(people.ben, "Ben's words."))

    assert isinstance(outcome, TransitionConflict), outcome
    assert outcome.reasons[0].code == "stale_content"
    assert Assessment.objects.get(pk=assessment.pk).answers["impact.benefits"] == "Alice's words."
