"""Bad answers get a clear error naming the question, and nothing is saved."""

import pytest

from assessments import services
from assessments.errors import InputError
from assessments.models import AIFeature, Assessment, AuditEntry

from .workflow import EVIDENCE, create_draft

BAD = [
    ({"overview.not_a_question": "x"}, "overview.not_a_question", "Unknown question id"),
    ({"overview.purpose": 42}, "overview.purpose", "must be text"),
    ({"clinical.provides_therapy": "no"}, "clinical.provides_therapy", "must be yes or no"),
    ({"overview.ai_technique": "quantum"}, "overview.ai_technique", "'quantum' is not one of the choices"),
    ({"overview.audience": ["clients", "martians"]}, "overview.audience", "'martians' is not one of the choices"),
    ({"overview.audience": "clients"}, "overview.audience", "must be a list"),
    ({"overview.feature_summary": "x" * 151}, "overview.feature_summary", "the limit is 150"),
    ({"impact.expected_users_per_month": -5}, "impact.expected_users_per_month", "must be at least 0"),
    ({"impact.expected_users_per_month": "many"}, "impact.expected_users_per_month", "must be a number"),
    ({"impact.expected_users_per_month": True}, "impact.expected_users_per_month", "must be a number"),
]


@pytest.mark.parametrize(("answers", "question_id", "message"), BAD, ids=[b[1] for b in BAD])
def test_creating_with_a_bad_answer_names_the_question_and_saves_nothing(people, answers, question_id, message):
    with pytest.raises(InputError) as error:
        services.assessment_create(team=people.team, feature_name="Intake", answers=answers, by=people.alice)
    assert message in error.value.errors["answers"][question_id]
    assert not AIFeature.objects.exists() and not Assessment.objects.exists() and not AuditEntry.objects.exists()


@pytest.mark.parametrize(("answers", "question_id", "message"), BAD, ids=[b[1] for b in BAD])
def test_editing_with_a_bad_answer_names_the_question_and_saves_nothing(people, answers, question_id, message):
    assessment = create_draft(people)
    before = (dict(assessment.answers), assessment.content_hash, AuditEntry.objects.count())
    with pytest.raises(InputError) as error:
        services.assessment_update_answers(
            assessment=assessment, answers={"impact.benefits": "Changed", **answers}, by=people.alice
        )
    assert message in error.value.errors["answers"][question_id]
    assessment.refresh_from_db()
    assert (assessment.answers, assessment.content_hash, AuditEntry.objects.count()) == before


def test_answers_must_be_an_object(people):
    with pytest.raises(InputError) as error:
        services.assessment_create(team=people.team, feature_name="Intake", answers=["x"], by=people.alice)
    assert "object" in error.value.errors["answers"]["answers"]


def test_answers_to_hidden_questions_are_ignored(people):
    # data.phi_safeguards shows only when PHI is processed.
    assessment = create_draft(people, **{"data.processes_phi": False})
    services.assessment_update_answers(
        assessment=assessment, answers={"data.phi_safeguards": ["encrypted"]}, by=people.alice
    )
    assessment.refresh_from_db()
    assert "data.phi_safeguards" not in assessment.answers


def test_an_empty_value_clears_an_answer(people):
    assessment = create_draft(people)
    services.assessment_update_answers(assessment=assessment, answers={"overview.vendor": None}, by=people.alice)
    assessment.refresh_from_db()
    assert "overview.vendor" not in assessment.answers


def test_feature_names_are_required_unique_and_bounded(people):
    create_draft(people, name="Therapist matching")
    for name, message in (
        ("", "Give the feature a name"),
        ("x" * 201, "limit is 200"),
        ("therapist MATCHING", "already"),
    ):
        with pytest.raises(InputError) as error:
            services.assessment_create(team=people.team, feature_name=name, answers={}, by=people.alice)
        assert message in error.value.errors["feature_name"]
    assert AIFeature.objects.count() == 1


def test_answer_changes_are_audited_with_their_diff(people):
    assessment = create_draft(people, **{"impact.benefits": "Old"})
    services.assessment_update_answers(assessment=assessment, answers={"impact.benefits": "New"}, by=people.ben)
    entry = AuditEntry.objects.filter(assessment_id=assessment.pk, action="answers_changed").get()
    assert entry.details["changed"] == {"impact.benefits": {"from": "Old", "to": "New"}}
    assert entry.actor_username == "ben"


def test_huge_numbers_are_refused_not_overflowed(people):
    assessment = create_draft(people)
    for value in (10**400, 10**16, float("inf"), float("nan")):
        with pytest.raises(InputError) as error:
            services.assessment_update_answers(
                assessment=assessment, answers={"impact.expected_users_per_month": value}, by=people.alice
            )
        assert "impact.expected_users_per_month" in error.value.errors["answers"]


def test_nul_characters_are_refused_everywhere_text_is_stored(people):
    from .workflow import act, advance, bias_rows

    with pytest.raises(InputError):
        services.assessment_create(team=people.team, feature_name="Intake\x00", answers={}, by=people.alice)
    assessment = create_draft(people)
    with pytest.raises(InputError):
        services.assessment_update_answers(
            assessment=assessment, answers={"impact.benefits": "a\x00b"}, by=people.alice
        )
    rows = bias_rows(["race"])
    rows[0]["group"] = "group\x00a"
    with pytest.raises(InputError):
        services.bias_results_add(description=EVIDENCE, assessment=assessment, rows=rows, by=people.alice)
    rows = bias_rows(["race"])
    rows[0]["value"] = 10**400
    with pytest.raises(InputError):
        services.bias_results_add(description=EVIDENCE, assessment=assessment, rows=rows, by=people.alice)
    assessment = advance(people, assessment, "legal_review")
    with pytest.raises(InputError):
        act(people, assessment, "request_changes", comment="Please\x00fix")
    for condition in (
        {"text": "Do\x00it", "due_date": "2099-01-01"},
        {"text": "Do", "owner": "a\x00", "due_date": "2099-01-01"},
    ):
        with pytest.raises(InputError):
            act(people, assessment, "approve", conditions=[condition])
    assert Assessment.objects.get(pk=assessment.pk).state == "legal_review"
