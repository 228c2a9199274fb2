import pytest

from assessments import services
from assessments.errors import TransitionConflict
from assessments.models import Assessment, State
from assessments.questionnaire import HARD_STOP_IDS, current_questionnaire

from .workflow import act, create_draft


@pytest.mark.parametrize("question_id", HARD_STOP_IDS)
def test_each_hard_stop_blocks_submission(people, question_id):
    assessment = create_draft(people, **{question_id: True})
    with pytest.raises(TransitionConflict) as blocked:
        act(people, assessment, "submit")
    message = current_questionnaire().questions[question_id].hard_stop["message"]
    assert f"Hard stop: {message} ({question_id})" in blocked.value.reasons
    assert Assessment.objects.get(pk=assessment.pk).state == State.DRAFT


@pytest.mark.parametrize("question_id", HARD_STOP_IDS)
def test_a_hard_stop_also_blocks_resubmission(people, question_id):
    from .workflow import advance

    assessment = advance(people, create_draft(people), State.CHANGES_REQUESTED)
    services.assessment_update_answers(assessment=assessment, answers={question_id: True}, by=people.alice)
    with pytest.raises(TransitionConflict) as blocked:
        act(people, assessment, "resubmit")
    assert any(question_id in reason for reason in blocked.value.reasons)
    assert Assessment.objects.get(pk=assessment.pk).state == State.CHANGES_REQUESTED


def test_missing_required_answers_are_named(people):
    assessment = create_draft(people, **{"impact.rollback_plan": None, "overview.purpose": None})
    with pytest.raises(TransitionConflict) as blocked:
        act(people, assessment, "submit")
    reasons = " ".join(blocked.value.reasons)
    assert "(impact.rollback_plan)" in reasons and "(overview.purpose)" in reasons


@pytest.mark.parametrize("audience", [["clients"], ["therapists"], ["internal", "therapists"]])
def test_client_or_therapist_facing_features_need_a_disclosure(people, audience):
    assessment = create_draft(people, **{"overview.audience": audience, "transparency.disclosure_text": None})
    with pytest.raises(TransitionConflict) as blocked:
        act(people, assessment, "submit")
    assert any("(transparency.disclosure_text)" in reason for reason in blocked.value.reasons)


def test_internal_features_need_no_disclosure(people):
    assessment = create_draft(people, **{"overview.audience": ["internal"], "transparency.disclosure_text": None})
    assert act(people, assessment, "submit").state == State.LEGAL_REVIEW


def test_a_disclosure_must_be_plain_language(people):
    dense = (
        "Algorithmic personalisation methodologies, operationalised through probabilistic inferential "
        "architectures, facilitate individualised therapeutic-adjacent recommendations notwithstanding "
        "considerable interindividual heterogeneity."
    )
    assessment = create_draft(people, **{"transparency.disclosure_text": dense})
    with pytest.raises(TransitionConflict) as blocked:
        act(people, assessment, "submit")
    assert any("plain language means grade 8 or lower" in reason for reason in blocked.value.reasons)


def test_data_ai_approval_needs_bias_evidence_for_race_religion_gender_and_marked_dimensions(people):
    from .workflow import bias_rows

    assessment = create_draft(people, **{"bias.relevant_dimensions": ["age"]})
    services.bias_results_add(assessment=assessment, rows=bias_rows(["race", "gender"]), by=people.alice)
    assessment = act(people, assessment, "submit")
    while assessment.state != State.DATA_AI_REVIEW:
        assessment = act(people, assessment, "approve")
    with pytest.raises(TransitionConflict) as blocked:
        act(people, assessment, "approve")
    assert blocked.value.reasons == ["Bias evidence is missing for: religion, age."]
    services.bias_results_add(
        assessment=assessment, rows=bias_rows(["religion", "age"]), by=people.reviewers["data_ai"]
    )
    assert act(people, assessment, "approve").state == State.APPROVED
