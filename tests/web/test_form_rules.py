"""The form: no risk level before a risk answer, exclusive choices on both sides, comments beside questions,
the edit page's query count, and the admin's way to /admin/."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments import services
from assessments.forms import field_name
from assessments.models import Assessment, State
from assessments.questionnaire import current_questionnaire

from ..answers import complete_answers
from ..workflow import act, advance, create_draft
from .posting import form_data

NEW = reverse("assessment_new")
AUDIENCE = "overview.audience"


def test_a_blank_form_shows_no_risk_level(people, login):
    response = login(people.alice).get(NEW)
    html = response.content.decode()
    assert response.context["live"]["scored"] is False
    assert "No risk level yet" in html
    assert "Low risk" not in html and "Risk level 1" not in html


def test_the_first_risk_answer_brings_the_level(people, login):
    client = login(people.alice)
    info_only = client.post(reverse("assessment_preview_new"), {field_name("overview.feature_summary"): "Notes."})
    assert info_only.context["live"]["scored"] is False
    risky = client.post(reverse("assessment_preview_new"), {field_name(AUDIENCE): ["internal"]})
    assert risky.context["live"]["scored"] is True
    assert "No risk level yet" not in risky.content.decode()


def test_the_questionnaire_declares_internal_staff_only_exclusive():
    question = current_questionnaire().questions[AUDIENCE]
    assert question.exclusive_values == ["internal"]


def test_the_form_marks_exclusive_choices_for_the_script(people, login):
    html = login(people.alice).get(NEW).content.decode()
    assert 'data-exclusive="internal"' in html


def test_the_server_refuses_internal_staff_with_other_audiences_naming_the_question(people, login):
    answers = {**complete_answers(), AUDIENCE: ["clients", "internal"]}
    response = login(people.alice).post(NEW, form_data(answers, feature_name="Mixed", team="client-experience"))
    html = response.content.decode()
    assert response.status_code == 400
    assert "Who sees the feature" in html and "excludes the other choices" in html
    assert not Assessment.objects.exists()


def test_exclusive_alone_and_the_others_together_are_fine():
    questionnaire = current_questionnaire()
    assert questionnaire.clean({AUDIENCE: ["internal"]})[1] == {}
    assert questionnaire.clean({AUDIENCE: ["clients", "therapists"]})[1] == {}
    _, errors = questionnaire.clean({AUDIENCE: ["therapists", "internal"]})
    assert AUDIENCE in errors and "Internal staff only" in errors[AUDIENCE]
    # Repeats of the exclusive choice alone are still one choice.
    assert questionnaire.clean({AUDIENCE: ["internal", "internal"]})[1] == {}


def test_the_api_refuses_the_combination_with_a_400_naming_the_question(people):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(people.alice)
    response = client.post(
        "/api/v1/assessments/",
        {"feature_name": "Mixed", "team": "client-experience", "answers": {AUDIENCE: ["clients", "internal"]}},
        format="json",
    )
    assert response.status_code == 400
    assert "Who sees the feature" in response.json()["detail"] or AUDIENCE in str(response.json())


def test_the_team_sees_comments_beside_questions_on_the_edit_page_in_bounded_queries(people, login):
    def counted(assessment):
        client = login(people.alice)
        client.get(reverse("assessment_edit", args=[assessment.pk]))  # warm caches (session, questionnaire)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("assessment_edit", args=[assessment.pk]))
        assert response.status_code == 200
        return len(queries), response.content.decode()

    def with_comments(n):
        assessment = advance(people, create_draft(people), State.LEGAL_REVIEW)
        ids = list(current_questionnaire().questions)[:n]
        for qid in ids:
            services.question_comment_add(
                assessment=assessment, question=qid, text=f"About {qid}.", by=people.reviewers["legal"]
            )
        return act(people, assessment, "request_changes", comment="See the comments.")

    few, html = counted(with_comments(1))
    many, html_many = counted(with_comments(12))
    assert few == many
    assert "About overview.feature_summary." in html
    assert html_many.count('class="q-comment"') == 12


def test_an_admin_sees_a_link_to_the_admin_site_and_others_do_not(people, login):
    assert 'href="/admin/"' in login(people.admin).get("/").content.decode()
    assert 'href="/admin/"' not in login(people.alice).get("/").content.decode()


def test_a_questionnaire_file_with_a_bad_exclusive_fails_at_load():
    import pytest
    from django.core.exceptions import ImproperlyConfigured

    from assessments.questionnaire import Questionnaire

    data = current_questionnaire().as_data()
    single = next(q for q in data["questions"] if q["type"] == "single_choice")
    single["choices"][0]["exclusive"] = True
    with pytest.raises(ImproperlyConfigured, match="only the choices of a multi_choice question can be exclusive"):
        Questionnaire.from_data(data)
    data = current_questionnaire().as_data()
    audience = next(q for q in data["questions"] if q["id"] == AUDIENCE)
    audience["choices"][2]["exclusive"] = "yes"
    with pytest.raises(ImproperlyConfigured, match="exclusive must be true or false"):
        Questionnaire.from_data(data)
