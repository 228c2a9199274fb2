"""Every sign-off binds to the content it saw; changing content invalidates it."""

import pytest

from assessments import services
from assessments.errors import TransitionConflict
from assessments.models import AuditEntry, SignOff, State

from .workflow import EVIDENCE, act, advance, create_draft


def test_a_sign_off_records_the_content_hash_it_approved(people):
    assessment = advance(people, create_draft(people), State.SECURITY_REVIEW)
    sign_off = SignOff.objects.get(assessment=assessment, stage="legal")
    assert sign_off.content_hash == assessment.compute_content_hash() == assessment.content_hash
    assert len(sign_off.content_hash) == 64


def test_changing_answers_invalidates_earlier_sign_offs_and_restarts_at_legal(people):
    assessment = advance(people, create_draft(people), State.SECURITY_REVIEW)
    assessment = act(people, assessment, "request_changes")
    old_hash = assessment.content_hash
    services.assessment_update_answers(assessment=assessment, answers={"impact.benefits": "Clearer."}, by=people.alice)
    assessment.refresh_from_db()
    assert assessment.content_hash != old_hash
    legal, security = SignOff.objects.filter(assessment=assessment).order_by("pk")
    assert legal.invalidated_at is not None and security.invalidated_at is not None
    assert AuditEntry.objects.filter(assessment_id=assessment.pk, action="sign_off_invalidated").count() == 2
    assessment = act(people, assessment, "resubmit")
    assert assessment.state == State.LEGAL_REVIEW and assessment.review_round == 2
    assessment = act(people, assessment, "approve")
    assert assessment.state == State.SECURITY_REVIEW
    assert SignOff.objects.filter(assessment=assessment, review_round=2, stage="legal", invalidated_at=None).exists()


def test_approvals_of_an_earlier_round_do_not_count_in_the_next(people):
    # Changes requested at Security, then resubmitted unchanged: round 1's Legal sign-off stays valid
    # and bound to the same content, yet round 2 needs its own.
    assessment = advance(people, create_draft(people), State.SECURITY_REVIEW)
    assessment = act(people, assessment, "request_changes")
    assessment = act(people, assessment, "resubmit")
    assessment = act(people, assessment, "approve")
    assert assessment.state == State.SECURITY_REVIEW and assessment.review_round == 2
    assert assessment.missing_sign_offs() == []
    round_one = SignOff.objects.get(assessment=assessment, review_round=1, stage="legal")
    assert round_one.invalidated_at is None and round_one.content_hash == assessment.content_hash
    SignOff.objects.filter(assessment=assessment, review_round=2, stage="legal").update(
        invalidated_at="2026-01-01T00:00:00Z"
    )
    assert assessment.missing_sign_offs() == ["legal"]


def test_unchanged_answers_keep_the_hash_and_the_sign_offs(people):
    assessment = advance(people, create_draft(people), State.SECURITY_REVIEW)
    assessment = act(people, assessment, "request_changes")
    services.assessment_update_answers(
        assessment=assessment, answers={"impact.benefits": assessment.answers["impact.benefits"]}, by=people.alice
    )
    assert not SignOff.objects.filter(assessment=assessment, invalidated_at__isnull=False).exists()


def test_approval_is_refused_when_content_no_longer_matches_the_submitted_hash(people):
    assessment = advance(people, create_draft(people), State.LEGAL_REVIEW)
    # A write that bypassed the services (e.g. a database console) changes the answers.
    type(assessment).objects.filter(pk=assessment.pk).update(
        answers={**assessment.answers, "impact.benefits": "Edited"}
    )
    with pytest.raises(TransitionConflict) as blocked:
        act(people, assessment, "approve")
    assert blocked.value.reasons[0].code == "answers_changed"
    assert "changed since they were submitted" in blocked.value.reasons[0].message


def test_data_ai_approval_needs_valid_sign_offs_of_every_earlier_stage(people):
    assessment = advance(people, create_draft(people), State.DATA_AI_REVIEW)
    SignOff.objects.filter(assessment=assessment, stage="clinical").update(invalidated_at="2026-01-01T00:00:00Z")
    with pytest.raises(TransitionConflict) as blocked:
        act(people, assessment, "approve")
    assert [r.message for r in blocked.value.reasons] == ["Valid sign-offs of this round are missing from: Clinical."]


def test_bias_evidence_does_not_change_the_content_hash(people):
    from .workflow import bias_rows

    assessment = advance(people, create_draft(people), State.CLINICAL_REVIEW)
    before = assessment.content_hash
    services.bias_results_add(description=EVIDENCE, assessment=assessment, rows=bias_rows(["age"]), by=people.alice)
    assessment.refresh_from_db()
    assert assessment.content_hash == before
    assert not SignOff.objects.filter(assessment=assessment, invalidated_at__isnull=False).exists()
