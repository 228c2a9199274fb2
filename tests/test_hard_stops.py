import pytest

from assessments import services
from assessments.errors import Reason, TransitionConflict
from assessments.models import Assessment, State
from assessments.questionnaire import HARD_STOP_IDS, current_questionnaire

from .workflow import EVIDENCE, act, create_draft


@pytest.mark.parametrize("question_id", HARD_STOP_IDS)
def test_each_hard_stop_blocks_submission(people, question_id):
    assessment = create_draft(people, **{question_id: True})
    with pytest.raises(TransitionConflict) as blocked:
        act(people, assessment, "submit")
    message = current_questionnaire().questions[question_id].hard_stop["message"]
    assert Reason("hard_stop", f"Hard stop: {message}", question_id) in blocked.value.reasons
    assert Assessment.objects.get(pk=assessment.pk).state == State.DRAFT


@pytest.mark.parametrize("question_id", HARD_STOP_IDS)
def test_a_hard_stop_also_blocks_resubmission(people, question_id):
    from .workflow import advance

    assessment = advance(people, create_draft(people), State.CHANGES_REQUESTED)
    services.assessment_update_answers(assessment=assessment, answers={question_id: True}, by=people.alice)
    with pytest.raises(TransitionConflict) as blocked:
        act(people, assessment, "resubmit")
    assert question_id in [r.question for r in blocked.value.reasons if r.code == "hard_stop"]
    assert Assessment.objects.get(pk=assessment.pk).state == State.CHANGES_REQUESTED


def test_missing_required_answers_are_named(people):
    assessment = create_draft(people, **{"impact.rollback_plan": None, "overview.purpose": None})
    with pytest.raises(TransitionConflict) as blocked:
        act(people, assessment, "submit")
    required = {r.question: r.message for r in blocked.value.reasons if r.code == "answer_required"}
    questions = current_questionnaire().questions
    assert required == {
        qid: f"Answer required: {questions[qid].text}" for qid in ("impact.rollback_plan", "overview.purpose")
    }


@pytest.mark.parametrize("audience", [["clients"], ["therapists"], ["clients", "therapists"]])
def test_client_or_therapist_facing_features_need_a_disclosure(people, audience):
    assessment = create_draft(people, **{"overview.audience": audience, "transparency.disclosure_text": None})
    with pytest.raises(TransitionConflict) as blocked:
        act(people, assessment, "submit")
    assert ("answer_required", "transparency.disclosure_text") in [(r.code, r.question) for r in blocked.value.reasons]


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
    (reason,) = [r for r in blocked.value.reasons if r.code == "disclosure_too_hard"]
    assert reason.question == "transparency.disclosure_text"
    assert "plain language means grade 8 or lower" in reason.message


def test_data_ai_approval_needs_bias_evidence_for_race_religion_gender_and_marked_dimensions(people):
    from .workflow import bias_rows

    assessment = create_draft(people, **{"bias.relevant_dimensions": ["age"]})
    services.bias_results_add(
        description=EVIDENCE, assessment=assessment, rows=bias_rows(["race", "gender"]), by=people.alice
    )
    assessment = act(people, assessment, "submit")
    while assessment.state != State.DATA_AI_REVIEW:
        assessment = act(people, assessment, "approve")
    with pytest.raises(TransitionConflict) as blocked:
        act(people, assessment, "approve")
    assert [(r.code, r.params) for r in blocked.value.reasons] == [
        ("bias_evidence_missing", {"dimension": "religion"}),
        ("bias_evidence_missing", {"dimension": "age"}),
    ]
    assert blocked.value.reasons[0].message.startswith("Bias evidence is missing for religion:")
    services.bias_results_add(
        description=EVIDENCE, assessment=assessment, rows=bias_rows(["religion", "age"]), by=people.reviewers["data_ai"]
    )
    assert act(people, assessment, "approve").state == State.APPROVED


# Flesch-Kincaid grade 8.0 exactly (computed offline by assessments.readability).
AT_GRADE_8 = (
    "We use a computer program to suggest therapists who match the concerns you describe. "
    "A person on our care team reviews every suggestion before you see it."
)
# Grade 8.4: one sentence ends sooner, with a longer word.
ABOVE_GRADE_8 = (
    "We use a computer program to suggest therapists who fit the needs you describe. "
    "Our care coordinators review each suggestion."
)


def test_a_disclosure_at_exactly_the_grade_limit_passes(people):
    from assessments.readability import flesch_kincaid_grade

    assert flesch_kincaid_grade(AT_GRADE_8) == 8.0
    assessment = create_draft(people, **{"transparency.disclosure_text": AT_GRADE_8})
    assert act(people, assessment, "submit").state == State.LEGAL_REVIEW


def test_a_disclosure_just_above_the_grade_limit_is_refused_with_its_grade(people):
    from assessments.readability import flesch_kincaid_grade

    assert flesch_kincaid_grade(ABOVE_GRADE_8) == 8.4
    assessment = create_draft(people, **{"transparency.disclosure_text": ABOVE_GRADE_8})
    with pytest.raises(TransitionConflict) as blocked:
        act(people, assessment, "submit")
    (reason,) = [r for r in blocked.value.reasons if r.code == "disclosure_too_hard"]
    assert reason.message.startswith("The plain-language disclosure reads at grade 8.4;")
