"""Risk levels on worked examples computed by hand (DESIGN section 4)."""

import pytest

from assessments.questionnaire import Questionnaire, get_questionnaire
from assessments.risk import risk_score

from .answers import complete_answers, complete_answers_for

SMALL = {
    "version": "test",
    "sections": [{"id": s, "title": s} for s in ("overview", "clinical", "transparency", "data", "r", "m")],
    "questions": [
        {
            "id": "overview.audience",
            "section": "overview",
            "text": "Audience",
            "type": "multi_choice",
            "kind": "info",
            "choices": [{"value": "clients"}, {"value": "therapists"}, {"value": "internal"}],
        },
        {"id": "transparency.disclosure_text", "section": "transparency", "text": "Disclosure", "type": "long_text"},
        *[
            {
                "id": qid,
                "section": qid.split(".")[0],
                "text": qid,
                "type": "boolean",
                "kind": "info",
                "hard_stop": {"when": True, "message": "stop"},
            }
            for qid in (
                "clinical.provides_therapy",
                "clinical.diagnoses_or_treats",
                "clinical.makes_clinical_decisions",
                "data.trained_on_therapy_conversations",
                "data.third_party_ai_in_therapy_communications",
            )
        ],
        # Risk maximum, over every risk question shown or not: 4 + 4 + 4 + 3 = 15.
        {
            "id": "r.phi",
            "section": "r",
            "text": "PHI?",
            "type": "boolean",
            "kind": "risk",
            "choices": [{"value": True, "score": 4}, {"value": False, "score": 0}],
        },
        {
            "id": "r.severity",
            "section": "r",
            "text": "Severity",
            "type": "single_choice",
            "kind": "risk",
            "choices": [{"value": "low", "score": 0}, {"value": "mid", "score": 2}, {"value": "high", "score": 4}],
        },
        {
            "id": "r.reach",
            "section": "r",
            "text": "Reach",
            "type": "multi_choice",
            "kind": "risk",
            "choices": [{"value": "a", "score": 1}, {"value": "b", "score": 1}, {"value": "c", "score": 2}],
        },
        # Shown only when r.phi is true; its score counts only then.
        {
            "id": "r.phi_shared",
            "section": "r",
            "text": "Shared?",
            "type": "boolean",
            "kind": "risk",
            "show_if": {"question": "r.phi", "equals": True},
            "choices": [{"value": True, "score": 3}, {"value": False, "score": 0}],
        },
        # Mitigation maximum: 5 + 3 = 8; 80% of it is 6.4.
        {
            "id": "m.review",
            "section": "m",
            "text": "Review?",
            "type": "boolean",
            "kind": "mitigation",
            "choices": [{"value": True, "score": 5}, {"value": False, "score": 0}],
        },
        {
            "id": "m.tests",
            "section": "m",
            "text": "Tests",
            "type": "single_choice",
            "kind": "mitigation",
            "choices": [{"value": "none", "score": 0}, {"value": "some", "score": 1}, {"value": "full", "score": 3}],
        },
    ],
}


@pytest.fixture
def small():
    return Questionnaire.from_data(SMALL)


def test_full_risk_without_mitigation_is_level_4(small):
    # raw 4 + 4 + 4 + 3 = 15 of a maximum 15: 100% -> level 4.
    score = risk_score(small, {"r.phi": True, "r.severity": "high", "r.reach": ["a", "b", "c"], "r.phi_shared": True})
    assert (score["raw"], score["raw_max"], score["mitigation"], score["adjusted"], score["level"]) == (
        15,
        15,
        0,
        15,
        4,
    )


def test_mitigation_at_80_percent_reduces_raw_by_15_percent(small):
    # raw 4 + 2 + 1 = 7 of 15: 46.7% -> level 2 either way; mitigation 5 + 3 = 8 >= 6.4 -> 7 * 0.85 = 5.95.
    answers = {"r.phi": True, "r.severity": "mid", "r.reach": ["a"], "m.review": True, "m.tests": "full"}
    score = risk_score(small, answers)
    assert score["raw"] == 7 and score["mitigation"] == 8 and score["mitigation_applied"]
    assert score["adjusted"] == 5.95 and score["level"] == 2


def test_the_reduction_can_lower_the_level(small):
    # raw 4 + 4 = 8 of 15 = 53.3% -> level 3; mitigated 6.8 = 45.3% -> level 2.
    without = risk_score(small, {"r.phi": True, "r.severity": "high", "m.review": True})
    assert (without["raw"], without["mitigation"], without["mitigation_applied"], without["level"]) == (8, 5, False, 3)
    with_mitigation = risk_score(small, {"r.phi": True, "r.severity": "high", "m.review": True, "m.tests": "full"})
    assert with_mitigation["adjusted"] == 6.8 and with_mitigation["level"] == 2


def test_mitigation_just_under_80_percent_does_not_count(small):
    # mitigation 5 + 1 = 6 < 6.4: no reduction.
    score = risk_score(small, {"r.severity": "high", "m.review": True, "m.tests": "some"})
    assert score["mitigation"] == 6 and not score["mitigation_applied"] and score["adjusted"] == 4


def test_quartile_boundaries_are_inclusive(small):
    # 15 * 25% = 3.75: raw 3 -> level 1; raw 4 (26.7%) -> level 2.
    assert risk_score(small, {"r.reach": ["a", "c"]})["level"] == 1
    assert risk_score(small, {"r.severity": "high"})["level"] == 2


def test_hidden_answers_do_not_count(small):
    # r.phi_shared is hidden when r.phi is false: its "true" scores nothing.
    score = risk_score(small, {"r.phi": False, "r.phi_shared": True})
    assert score["raw"] == 0 and score["level"] == 1


WORKED_EXAMPLE = {
    "overview.audience": ["clients", "therapists"],  # risk 3 + 2
    "data.processes_phi": True,  # risk 3
    "data.phi_safeguards": [  # mitigation 5 (shown because PHI is processed)
        "minimum_necessary",
        "deidentified_before_model",
        "encrypted",
        "need_to_know_access",
        "excluded_from_logs",
    ],
    "security.accepts_untrusted_input": True,  # risk 2
    "impact.error_severity": "harm_to_wellbeing",  # risk 4
    "impact.reversibility": "hard_to_reverse",  # risk 3
    "clinical.crisis_exposure": "likely",  # risk 3
    "clinical.crisis_escalation": "alerts_clinician",  # mitigation 3 (shown because crisis is likely)
}


def test_a_worked_example_on_the_v1_questionnaire():
    questionnaire = get_questionnaire("v1")
    answers = complete_answers_for("v1", **WORKED_EXAMPLE)
    score = risk_score(questionnaire, answers)
    # Raw: 5 + 3 + 2 + 4 + 3 + 3 = 20 of 37. Mitigation: the 16 of complete_answers (clinician review 2,
    # adversarial testing 2, bias testing 3, bias monitoring 2, human review 3, feedback 2, impact
    # monitoring 2) + 5 + 3 = 24 of 27, over 21.6 (80%): 20 * 0.85 = 17 -> 17/37 = 45.9% -> level 2.
    assert (score["raw"], score["raw_max"]) == (20, 37)
    assert (score["mitigation"], score["mitigation_max"], score["mitigation_applied"]) == (24, 27, True)
    assert score["adjusted"] == 17.0 and score["level"] == 2


def test_the_same_example_on_the_v2_questionnaire_counts_vulnerable_groups():
    answers = complete_answers(**WORKED_EXAMPLE, **{"impact.vulnerable_groups": ["people_in_crisis"]})  # risk 2
    score = risk_score(get_questionnaire("v2"), answers)
    # Version 2 adds one risk question (vulnerable groups, at most 2 + 1 + 1 + 1 = 5): raw 22 of 42; the same
    # mitigation of 24 of 27 applies the reduction: 22 * 0.85 = 18.7 -> 44.5% -> level 2.
    assert (score["raw"], score["raw_max"]) == (22, 42)
    assert (score["mitigation"], score["mitigation_max"], score["mitigation_applied"]) == (24, 27, True)
    assert score["adjusted"] == 18.7 and score["level"] == 2


# Eight risk questions scoring 1 each: a maximum of 8, so the quartile boundaries 2, 4 and 6 are whole scores.
EIGHT = {
    **SMALL,
    "questions": [
        *[q for q in SMALL["questions"] if q["section"] not in ("r", "m")],
        *[
            {
                "id": f"r.q{i}",
                "section": "r",
                "text": f"Risk {i}",
                "type": "boolean",
                "kind": "risk",
                "choices": [{"value": True, "score": 1}, {"value": False, "score": 0}],
            }
            for i in range(8)
        ],
    ],
}


@pytest.mark.parametrize(
    ("risky_answers", "level"),
    [(0, 1), (2, 1), (3, 2), (4, 2), (5, 3), (6, 3), (7, 4), (8, 4)],
)
def test_each_quartile_boundary_belongs_to_the_lower_level(risky_answers, level):
    # Exactly 25%, 50% and 75% of the maximum stay in levels 1, 2 and 3; one point more moves up.
    questionnaire = Questionnaire.from_data(EIGHT)
    answers = {f"r.q{i}": i < risky_answers for i in range(8)}
    score = risk_score(questionnaire, answers)
    assert (score["raw"], score["raw_max"], score["level"]) == (risky_answers, 8, level)


@pytest.mark.parametrize(
    ("score", "level"),
    [("3.75", 1), ("3.76", 2), ("7.5", 2), ("7.51", 3), ("11.25", 3), ("11.26", 4), ("0", 1), ("15", 4)],
)
def test_level_for_at_fractional_boundaries(score, level):
    from decimal import Decimal

    from assessments.risk import level_for

    assert level_for(Decimal(score), 15) == level


def with_mitigation_questions(*scores):
    """SMALL with its mitigation questions replaced by booleans worth ``scores`` when true."""
    mitigations = [
        {
            "id": f"m.q{i}",
            "section": "m",
            "text": f"Mitigation {i}?",
            "type": "boolean",
            "kind": "mitigation",
            "choices": [{"value": True, "score": score}, {"value": False, "score": 0}],
        }
        for i, score in enumerate(scores)
    ]
    questions = [q for q in SMALL["questions"] if q.get("kind") != "mitigation"]
    return Questionnaire.from_data({**SMALL, "questions": [*questions, *mitigations]})


def test_mitigation_exactly_at_80_percent_counts():
    # Mitigation maximum 4 + 1 = 5; 4 of 5 is exactly 80%: the reduction applies (raw 4 -> 3.4).
    questionnaire = with_mitigation_questions(4, 1)
    at = risk_score(questionnaire, {"r.severity": "high", "m.q0": True, "m.q1": False})
    assert (at["mitigation"], at["mitigation_max"], at["mitigation_applied"]) == (4, 5, True)
    assert at["adjusted"] == 3.4
    # (Just under the boundary: test_mitigation_just_under_80_percent_does_not_count, 6 of 8.)
