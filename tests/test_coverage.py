"""Coverage per framework (NIST AI RMF, ISO/IEC 42005, EU AI Act Article 27): the rule, the API, the page and
the dossier."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from assessments import services
from assessments.coverage import article_27_applies, coverage
from assessments.questionnaire import get_questionnaire

from .answers import complete_answers, complete_answers_for
from .workflow import create_draft

ARTICLE_27_APPLIES = {"rights.deployer_type": "private_public_service", "rights.annex_iii_use": "essential_services"}
HALF = {
    "overview.feature_summary": "Sorts intake forms.",
    "overview.purpose": "Sorts intake forms for coordinators.",
    "overview.audience": ["clients"],
    **ARTICLE_27_APPLIES,
}


@pytest.fixture
def client_for():
    def make(user=None):
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return make


def by_key(frameworks):
    return {f["key"]: f for f in frameworks}


def url(assessment):
    return f"/api/v1/assessments/{assessment.pk}/coverage/"


@pytest.mark.parametrize(
    ("deployer", "use", "applies"),
    [
        ("public_body", "essential_services", True),
        ("private_public_service", "emergency_triage", True),
        ("private_public_service", "other_annex_iii", True),
        ("private_public_service", "none", False),
        ("private_only", "essential_services", False),
        ("private_only", "insurance_pricing", True),
        ("private_only", "credit_scoring", True),
        (None, "insurance_pricing", True),
        (None, "essential_services", None),
        ("public_body", None, None),
    ],
)
def test_article_27_applies_to_public_service_deployers_of_annex_iii_uses(deployer, use, applies):
    answers = {k: v for k, v in {"rights.deployer_type": deployer, "rights.annex_iii_use": use}.items() if v}
    assert article_27_applies(answers) is applies


def test_a_half_answered_assessment_lists_open_elements_per_framework(people, client_for):
    assessment = services.assessment_create(team=people.team, feature_name="Half", answers=HALF, by=people.alice)

    response = client_for(people.alice).get(url(assessment))

    assert response.status_code == 200
    frameworks = by_key(response.json()["frameworks"])
    assert list(frameworks) == ["nist", "iso42005", "eu_ai_act"]
    assert frameworks["eu_ai_act"]["status"] == "applies"
    for framework in frameworks.values():
        assert framework["open"], framework["key"]
        assert framework["covered"] + len(framework["open"]) == framework["total"]
    eu = {e["id"]: e for e in frameworks["eu_ai_act"]["elements"]}
    assert eu["27(1)(a)"]["covered"] and eu["27(1)(a)"]["answered_by"] == ["overview.purpose"]
    assert not eu["27(1)(b)"]["covered"] and "27(1)(b)" in frameworks["eu_ai_act"]["open"]
    assert "overview.period_and_frequency" in eu["27(1)(b)"]["questions"]


def test_a_complete_assessment_has_no_open_element(people, client_for):
    assessment = create_draft(people, **ARTICLE_27_APPLIES)

    frameworks = by_key(client_for(people.alice).get(url(assessment)).json()["frameworks"])

    assert {key: f["open"] for key, f in frameworks.items()} == {"nist": [], "iso42005": [], "eu_ai_act": []}
    assert all(f["total"] > 0 and f["status"] == "applies" for f in frameworks.values())


def test_where_article_27_does_not_apply_it_says_so_instead_of_listing_gaps(people, client_for):
    answers = {**HALF, "rights.annex_iii_use": "none"}
    assessment = services.assessment_create(team=people.team, feature_name="Not high", answers=answers, by=people.alice)

    eu = by_key(client_for(people.alice).get(url(assessment)).json()["frameworks"])["eu_ai_act"]

    assert eu["status"] == "not_applicable" and eu["elements"] == [] and eu["open"] == []
    assert "does not apply" in eu["note"]


def test_before_the_applicability_questions_are_answered_article_27_is_undetermined():
    answers = {k: v for k, v in HALF.items() if not k.startswith("rights.")}
    eu = coverage(get_questionnaire("v2"), answers)[2]
    assert eu.status == "undetermined" and "27(1)" in eu.open


def test_a_version_1_assessment_says_it_does_not_map_to_the_new_frameworks():
    frameworks = coverage(get_questionnaire("v1"), complete_answers_for("v1"))
    assert [f.status for f in frameworks] == ["applies", "not_mapped", "not_mapped"]
    assert frameworks[0].open == [] and frameworks[1].elements == ()


def test_questions_hidden_by_the_answers_leave_their_elements_unasked():
    answers = complete_answers(**ARTICLE_27_APPLIES)
    assert "data.vendor_data_retention" not in answers  # the feature uses no vendor
    nist = coverage(get_questionnaire("v2"), answers)[0]
    assert all("data.vendor_data_retention" not in e.questions for e in nist.elements)


@pytest.mark.parametrize("who", ["olga", "nobody"])
def test_coverage_of_an_assessment_the_caller_may_not_see_is_not_found(people, client_for, who):
    assessment = create_draft(people)
    response = client_for(getattr(people, who)).get(url(assessment))
    assert response.status_code == 404


def test_coverage_needs_a_signed_in_caller(people, client_for):
    assessment = create_draft(people)
    assert client_for().get(url(assessment)).status_code in (401, 403)


def test_the_assessment_page_shows_coverage_and_open_elements(people, client):
    assessment = services.assessment_create(team=people.team, feature_name="Half", answers=HALF, by=people.alice)
    client.force_login(people.alice)

    page = client.get(reverse("assessment_detail", args=[assessment.pk])).content.decode()

    assert "Coverage per framework" in page
    assert "ISO/IEC 42005:2025" in page and "EU AI Act, Article 27" in page
    assert "Period of time and frequency of use" in page and "<strong>Open</strong>" in page


def test_the_dossier_of_a_version_2_assessment_carries_coverage_and_a_version_1_one_does_not(people):
    from reports.dossier import dossier_record, record_context
    from reports.dossier_data import record_data

    v2 = create_draft(people, **ARTICLE_27_APPLIES)
    v1 = services.assessment_create(
        team=people.team,
        feature_name="Old",
        answers=complete_answers_for("v1"),
        by=people.alice,
        questionnaire_version="v1",
    )
    record = dossier_record(v2)
    assert [row["framework"].key for row in record_context(record)["coverage"]] == ["nist", "iso42005", "eu_ai_act"]
    assert [f["open"] for f in record_data(record)["framework_coverage"]] == [[], [], []]
    old = dossier_record(v1)
    assert record_context(old)["coverage"] == [] and "framework_coverage" not in record_data(old)


def test_the_page_of_a_version_1_assessment_says_it_does_not_map_to_the_new_frameworks(people, client):
    old = services.assessment_create(
        team=people.team,
        feature_name="Old",
        answers=complete_answers_for("v1"),
        by=people.alice,
        questionnaire_version="v1",
    )
    client.force_login(people.alice)

    page = client.get(reverse("assessment_detail", args=[old.pk])).content.decode()

    assert page.count("Questionnaire v1 does not map its questions to") == 2
    assert "New in this version of the questionnaire" not in page
