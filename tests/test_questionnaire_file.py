"""The questionnaires are real: sections, fixed ids, hard stops, scores and NIST ids (v2 adds a section)."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from assessments.questionnaire import HARD_STOP_IDS, Questionnaire, current_questionnaire, get_questionnaire

SECTIONS = ["overview", "clinical", "data", "security", "bias", "transparency", "oversight", "impact"]
SECTIONS_OF = {"v1": SECTIONS, "v2": [*SECTIONS, "rights"]}


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_it_has_35_or_more_questions_across_its_sections(version):
    questionnaire = get_questionnaire(version)
    assert len(questionnaire.questions) >= 35
    assert list(questionnaire.sections) == SECTIONS_OF[version]
    assert all(questionnaire.sections[s].questions for s in SECTIONS_OF[version])


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_the_fixed_ids_have_their_types(version):
    questions = get_questionnaire(version).questions
    assert questions["overview.audience"].type == "multi_choice"
    assert questions["overview.audience"].choice_values == ["clients", "therapists", "internal"]
    for qid in (*HARD_STOP_IDS, "data.processes_phi"):
        assert questions[qid].type == "boolean"
    for qid in HARD_STOP_IDS:
        assert questions[qid].hard_stop["when"] is True and questions[qid].required
    assert questions["transparency.disclosure_text"].type == "long_text"


def test_it_covers_all_four_nist_functions_and_scores_risk_and_mitigation():
    questionnaire = current_questionnaire()
    functions = {ref.split()[0] for ref in questionnaire.all_nist_subcategories()}
    assert functions == {"GOVERN", "MAP", "MEASURE", "MANAGE"}
    kinds = [q.kind for q in questionnaire.questions.values()]
    assert kinds.count("risk") >= 10 and kinds.count("mitigation") >= 5
    assert sum(1 for q in questionnaire.questions.values() if q.show_if) >= 4


def test_nist_coverage_lists_subcategories_of_answered_questions():
    questionnaire = current_questionnaire()
    coverage = questionnaire.nist_coverage({"overview.purpose": "x"})
    covered = {ref for refs in coverage.values() for ref in refs}
    assert covered == set(questionnaire.questions["overview.purpose"].nist)


@pytest.mark.parametrize(
    ("mutation", "message"),
    [
        (lambda d: d["questions"].append(dict(d["questions"][0])), "defined twice"),
        (lambda d: d["questions"][0].update(type="slider"), "type must be one of"),
        (lambda d: d["questions"][0].update(nist=["MEASURE eleven"]), "not a NIST AI RMF subcategory"),
        (lambda d: d["questions"][0].update(show_if={"question": "impact.rollback_plan", "equals": 1}), "earlier"),
        (lambda d: d["questions"][0].update(colour="red"), "unknown keys"),
    ],
)
def test_a_malformed_questionnaire_fails_loudly(mutation, message):
    import copy

    import yaml

    from assessments.questionnaire import QUESTIONNAIRE_DIR

    data = copy.deepcopy(yaml.safe_load((QUESTIONNAIRE_DIR / "v1.yaml").read_text()))
    mutation(data)
    with pytest.raises(ImproperlyConfigured, match=message):
        Questionnaire.from_data(data)
