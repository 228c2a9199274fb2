"""Questionnaire version 2: every question mapped to a framework, the mapping keys checked, and the answer
mapping from version 1 checked against both questionnaires."""

import copy

import pytest
import yaml
from django.core.exceptions import ImproperlyConfigured

from assessments.frameworks import listed_frameworks
from assessments.questionnaire import QUESTIONNAIRE_DIR, Questionnaire, get_questionnaire
from assessments.questionnaire_upgrade import UPGRADES_DIR, Upgrade, get_upgrade, upgrade_answers

V2 = QUESTIONNAIRE_DIR / "v2.yaml"
ARTICLE_27_POINTS = [f"27(1)({p})" for p in "abcdef"]


def v2_data():
    return copy.deepcopy(yaml.safe_load(V2.read_text()))


def test_every_version_2_question_maps_to_at_least_one_framework():
    for question in get_questionnaire("v2").questions.values():
        assert question.nist or question.iso42005 or question.eu_ai_act, question.id


def required_or_conditionally_required(questionnaire, ref_key, ref):
    """Questions mapped to ``ref`` that a complete assessment must answer whenever they are shown."""
    return [q.id for q in questionnaire.questions.values() if q.required and ref in getattr(q, ref_key)]


@pytest.mark.parametrize("point", ARTICLE_27_POINTS)
def test_every_article_27_point_is_asked_by_a_required_question(point):
    assert required_or_conditionally_required(get_questionnaire("v2"), "eu_ai_act", point), point


def test_every_listed_iso_42005_element_is_asked_by_a_required_question():
    questionnaire = get_questionnaire("v2")
    for element in listed_frameworks()["iso42005"].elements:
        assert required_or_conditionally_required(questionnaire, "iso42005", element.id), element.id


def test_docs_list_exactly_the_elements_the_coverage_checks():
    text = (QUESTIONNAIRE_DIR.parents[1] / "docs" / "standards.md").read_text()
    for framework in listed_frameworks().values():
        for element in framework.elements:
            assert f"| {element.id} | {element.label} |" in text, element.id


def test_the_questionnaire_api_data_carries_the_new_keys():
    data = get_questionnaire("v2").as_data()
    disclosure = next(q for q in data["questions"] if q["id"] == "overview.care_process")
    assert disclosure["iso42005"] == ["6.6"] and disclosure["eu_ai_act"] == ["27(1)(a)"]


@pytest.mark.parametrize(
    ("mutation", "message"),
    [
        (lambda d: d["questions"][0].update(iso42005=["9.9"]), "not a ISO/IEC 42005:2025"),
        (lambda d: d["questions"][0].update(eu_ai_act=["27(1)(g)"]), "not a EU AI Act"),
        (lambda d: d["questions"][0].update(eu_ai_act="27(1)(a)"), "eu_ai_act must be a list"),
        (lambda d: d["questions"][0].update(iso42005=[6.4]), "iso42005 must be a list of texts"),
    ],
)
def test_a_malformed_version_2_mapping_fails_loudly(mutation, message):
    data = v2_data()
    mutation(data)
    with pytest.raises(ImproperlyConfigured, match=message):
        Questionnaire.from_data(data)


def test_version_1_stays_readable_and_maps_only_to_nist():
    v1 = get_questionnaire("v1")
    assert v1.version == "v1"
    assert all(q.nist and not q.iso42005 and not q.eu_ai_act for q in v1.questions.values())


# -- the answer mapping from version 1 -------------------------------------------------------------------


def upgrade_data():
    return yaml.safe_load((UPGRADES_DIR / "v1-v2.yaml").read_text())


def test_every_version_1_question_has_a_place_in_version_2():
    upgrade = get_upgrade("v1", "v2")
    assert set(upgrade.answers) == set(get_questionnaire("v1").questions)
    assert all(target in get_questionnaire("v2").questions for target in upgrade.answers.values())


@pytest.mark.parametrize(
    ("mutation", "message"),
    [
        (lambda d: d["answers"].pop("overview.purpose"), "map it to a new question or list it under dropped"),
        (lambda d: d["answers"].update({"overview.purpose": "overview.nothing"}), "not a question of v2"),
        (lambda d: d["answers"].update({"overview.purpose": "overview.feature_summary"}), "two old answers"),
        (lambda d: d["answers"].update({"overview.purpose": "overview.audience"}), "is long_text but"),
        (lambda d: d["answers"].update({"transparency.opt_out": "rights.deployer_type"}), "has no choice"),
        (lambda d: d["dropped"].update({"overview.purpose": ""}), "say why"),
        (lambda d: d.update({"to": "v3"}), "from and to must be"),
    ],
)
def test_a_malformed_answer_mapping_fails_loudly(mutation, message):
    data = upgrade_data()
    data["dropped"] = dict(data.get("dropped") or {})
    mutation(data)
    with pytest.raises(ImproperlyConfigured, match=message):
        Upgrade.from_data(data, get_questionnaire("v1"), get_questionnaire("v2"))


def test_a_dropped_question_with_a_reason_is_accepted_and_not_carried():
    data = upgrade_data()
    data["answers"].pop("overview.vendor")
    data["dropped"] = {"overview.vendor": "Asked differently now."}
    upgrade = Upgrade.from_data(data, get_questionnaire("v1"), get_questionnaire("v2"))
    assert upgrade.carry({"overview.vendor": "Acme", "overview.purpose": "P"}) == {"overview.purpose": "P"}


def test_upgrading_answers_carries_the_mapped_ones_and_asks_the_new_ones():
    from tests.answers import complete_answers_for

    upgraded = upgrade_answers(answers=complete_answers_for("v1"), source="v1", target="v2")
    assert set(upgraded.carried) == set(complete_answers_for("v1"))
    assert "overview.intended_uses" in upgraded.asked and "rights.annex_iii_use" in upgraded.asked
    assert not set(upgraded.asked) & set(upgraded.carried)
