"""Only a unique constraint that means "someone did this first" is a conflict; any other integrity error is a bug.

The transition's effect is wrapped to break a real constraint in the database, inside the service's transaction.
"""

import pytest
from django.db import IntegrityError

from assessments import services
from assessments.errors import TransitionConflict
from assessments.models import AIFeature, Assessment, SignOff, State
from assessments.services import transition

from .workflow import advance, create_draft


def around_take(monkeypatch, before=None, after=None):
    take = transition._take

    def wrapped(spec, locked, **kwargs):
        if before:
            before(locked)
        result = take(spec, locked, **kwargs)
        if after:
            after(locked)
        return result

    monkeypatch.setattr(transition, "_take", wrapped)


def test_a_sign_off_written_first_by_a_concurrent_approval_is_a_conflict(people, monkeypatch):
    assessment = advance(people, create_draft(people), State.LEGAL_REVIEW)

    def concurrent_approval(locked):
        SignOff.objects.create(
            assessment=locked,
            stage="legal",
            review_round=locked.review_round,
            reviewer=people.reviewers["security"],
            decision=SignOff.Decision.APPROVED,
            content_hash=locked.content_hash,
        )

    around_take(monkeypatch, before=concurrent_approval)
    with pytest.raises(TransitionConflict) as refused:
        services.assessment_transition(assessment=assessment, name="approve", by=people.reviewers["legal"])

    assert [r.code for r in refused.value.reasons] == ["concurrent_change"]
    assert Assessment.objects.get(pk=assessment.pk).state == State.LEGAL_REVIEW


def test_any_other_integrity_error_surfaces_as_an_error_not_a_conflict(people, monkeypatch):
    assessment = advance(people, create_draft(people), State.LEGAL_REVIEW)

    def a_bug(locked):
        # A unique constraint too, but not one a concurrent transition can break: a programming error.
        AIFeature.objects.create(team=locked.feature.team, name=locked.feature.name, owner=people.alice)

    around_take(monkeypatch, after=a_bug)
    with pytest.raises(IntegrityError):
        services.assessment_transition(assessment=assessment, name="approve", by=people.reviewers["legal"])

    assert Assessment.objects.get(pk=assessment.pk).state == State.LEGAL_REVIEW
    assert not SignOff.objects.filter(assessment=assessment).exists()
