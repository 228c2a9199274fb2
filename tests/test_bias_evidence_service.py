import pytest

from assessments import services
from assessments.errors import InputError, NotPermitted, TransitionConflict
from assessments.models import AuditEntry, BiasResult, State

from .workflow import EVIDENCE, advance, bias_rows, create_draft


def test_the_team_adds_rows_and_the_addition_is_audited(people):
    assessment = create_draft(people)
    created = services.bias_results_add(
        description=EVIDENCE, assessment=assessment, rows=bias_rows(["race"]), by=people.alice
    )
    assert len(created) == 2
    entry = AuditEntry.objects.get(assessment_id=assessment.pk, action="bias_evidence_added")
    assert entry.details["rows"][0]["dimension"] == "race"


def test_a_data_ai_reviewer_may_add_rows_during_review(people):
    assessment = advance(people, create_draft(people), State.PRODUCT_REVIEW)
    services.bias_results_add(
        description=EVIDENCE, assessment=assessment, rows=bias_rows(["age"]), by=people.reviewers["data_ai"]
    )
    assert BiasResult.objects.filter(assessment=assessment, dimension="age").count() == 2


@pytest.mark.parametrize("who", ["legal", "chair", "auditor", "olga"])
def test_others_may_not_add_rows(people, who):
    assessment = advance(people, create_draft(people), State.LEGAL_REVIEW)
    user = {"chair": people.chair, "auditor": people.auditor, "olga": people.olga}.get(who) or people.reviewers[who]
    before = BiasResult.objects.count()
    with pytest.raises(NotPermitted):
        services.bias_results_add(description=EVIDENCE, assessment=assessment, rows=bias_rows(["age"]), by=user)
    assert BiasResult.objects.count() == before


def test_rows_cannot_be_added_after_data_ai_review(people):
    assessment = advance(people, create_draft(people), State.APPROVED)
    with pytest.raises(TransitionConflict):
        services.bias_results_add(description=EVIDENCE, assessment=assessment, rows=bias_rows(["age"]), by=people.alice)


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({"dimension": "race", "group": "a", "n": 10, "metric": "selection_rate"}, "Missing value"),
        ({"dimension": "Race Group!", "group": "a", "n": 10, "metric": "selection_rate", "value": 1}, "dimension"),
        ({"dimension": "race", "group": "a", "n": 0, "metric": "selection_rate", "value": 1}, "sample size"),
        ({"dimension": "race", "group": "a", "n": 10, "metric": "selection_rate", "value": "high"}, "must be a number"),
        ({"dimension": "race", "group": "", "n": 10, "metric": "selection_rate", "value": 1}, "group"),
        ("not a row", "Each row"),
    ],
)
def test_a_bad_row_saves_nothing_and_says_which_row(people, row, message):
    assessment = create_draft(people)
    with pytest.raises(InputError) as error:
        services.bias_results_add(
            description=EVIDENCE, assessment=assessment, rows=[*bias_rows(["race"]), row], by=people.alice
        )
    assert message in error.value.errors["rows[3]"]
    assert not BiasResult.objects.exists()


def test_conditions_travel_with_the_approval_and_can_be_met(people):
    from datetime import timedelta

    from django.utils import timezone

    from assessments.models import Condition

    from .workflow import act

    assessment = advance(people, create_draft(people), State.LEGAL_REVIEW)
    due = (timezone.localdate() + timedelta(days=30)).isoformat()
    act(people, assessment, "approve", conditions=[{"text": "Publish the disclosure", "owner": "ben", "due_date": due}])
    condition = Condition.objects.get(assessment=assessment)
    assert condition.owner == people.ben and condition.sign_off.stage == "legal"
    with pytest.raises(NotPermitted):
        services.condition_mark_met(condition=condition, by=people.reviewers["security"], evidence="x")
    services.condition_mark_met(condition=condition, by=people.ben, evidence="Published on the site.")
    condition.refresh_from_db()
    assert condition.awaits_confirmation and AuditEntry.objects.filter(action="condition_marked_met").exists()


@pytest.mark.parametrize(
    ("condition", "message"),
    [
        ({"text": "", "due_date": "2099-01-01"}, "Say what the team must do"),
        ({"text": "Do it", "due_date": "tomorrow"}, "YYYY-MM-DD"),
        ({"text": "Do it", "due_date": "2000-01-01"}, "in the past"),
        ({"text": "Do it", "owner": "olga", "due_date": "2099-01-01"}, "member of the team"),
    ],
)
def test_bad_conditions_are_refused_and_nothing_moves(people, condition, message):
    from assessments.models import Assessment

    from .workflow import act

    assessment = advance(people, create_draft(people), State.LEGAL_REVIEW)
    with pytest.raises(InputError) as error:
        act(people, assessment, "approve", conditions=[condition])
    assert message in error.value.errors["conditions[1]"]
    assert Assessment.objects.get(pk=assessment.pk).state == State.LEGAL_REVIEW


@pytest.mark.parametrize("description", ["", "   ", None, 7, "x" * 2001])
def test_evidence_without_a_description_of_its_model_and_data_is_refused(people, description):
    from assessments.models import BiasBatch

    assessment = create_draft(people)

    with pytest.raises(InputError) as refused:
        services.bias_results_add(
            assessment=assessment, rows=bias_rows(["race"]), by=people.alice, description=description
        )

    assert "description" in refused.value.errors
    assert not BiasResult.objects.exists() and not BiasBatch.objects.exists()


def test_an_unknown_metric_is_refused_naming_it_and_the_known_ones(people):
    assessment = create_draft(people)
    row = {"dimension": "race", "group": "a", "n": 40, "metric": "top3_acceptance", "value": 0.5}

    with pytest.raises(InputError) as refused:
        services.bias_results_add(assessment=assessment, rows=[row], by=people.alice, description=EVIDENCE)

    assert refused.value.message.startswith("Unknown metric “top3_acceptance”; the known metrics are: accuracy,")
