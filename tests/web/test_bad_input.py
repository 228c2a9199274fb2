"""No input reaches a 500: odd, huge or hostile values get a 4xx and a message, and change nothing."""

import pytest
from django.urls import reverse

from assessments.forms import field_name
from assessments.models import AIFeature, Assessment, State

from ..answers import complete_answers
from ..workflow import advance, create_draft
from .posting import form_data

ODD_VALUES = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "x" * 20000,
    "<script>alert(1)</script>",
    "1e309",
    "NaN",
    "-0",
    "١٢٣",
    "💥",
    "true",
    "[]",
    "{}",
]


@pytest.mark.parametrize("value", ODD_VALUES)
def test_odd_values_in_every_question_never_break_the_form(people, login, value):
    assessment = create_draft(people)
    before = dict(assessment.answers)
    data = {field_name(qid): value for qid in assessment.answers}
    data["base_hash"] = assessment.content_hash
    response = login(people.alice).post(reverse("assessment_edit", args=[assessment.pk]), data)
    assert response.status_code in (302, 400)
    if response.status_code == 400:
        assessment.refresh_from_db()
        assert assessment.answers == before
    preview = login(people.alice).post(reverse("assessment_preview", args=[assessment.pk]), data)
    assert preview.status_code == 200


@pytest.mark.parametrize("value", ODD_VALUES)
def test_odd_values_in_the_new_form_never_break_it(people, login, value):
    data = form_data(complete_answers(), feature_name=value, team=value)
    response = login(people.alice).post(reverse("assessment_new"), data)
    assert response.status_code in (302, 400)


def test_user_text_is_escaped_on_every_page(people, login):
    hostile = "<script>alert('x')</script>"
    assessment = create_draft(people, name=hostile, **{"impact.benefits": hostile})
    for url in (reverse("assessment_detail", args=[assessment.pk]), reverse("assessment_list"), reverse("home")):
        page = login(people.alice).get(url).content.decode()
        assert hostile not in page
        assert "&lt;script&gt;" in page


@pytest.mark.parametrize(
    "data",
    [
        {"comment": "x" * 6000},
        {"comment": "\x00"},
        {"expected_state": "nonsense"},
        {"conditions-TOTAL_FORMS": "x"},
        {"conditions-TOTAL_FORMS": "5", "conditions-INITIAL_FORMS": "0", "conditions-0-due_date": "99999-99-99"},
        {"conditions-TOTAL_FORMS": "1000", "conditions-INITIAL_FORMS": "0"},
    ],
)
def test_odd_transition_posts_are_4xx_and_change_nothing(people, login, data):
    assessment = advance(people, create_draft(people), State.LEGAL_REVIEW)
    url = reverse("assessment_transition", args=[assessment.pk, "approve"])
    response = login(people.reviewers["legal"]).post(url, data)
    assert 400 <= response.status_code < 500
    assessment.refresh_from_db()
    assert assessment.state == State.LEGAL_REVIEW


@pytest.mark.parametrize(
    "url",
    [
        "/assessments/999999/",
        "/assessments/0/edit/",
        "/assessments/abc/",
        "/assessments/1/transitions/%00/",
        "/conditions/123/met/",
        "/committee/inbox/99/read/",
        "/assessments/?page=-1",
        "/assessments/?page=1e9",
        "/audit/?page=%00",
    ],
)
def test_odd_addresses_are_4xx_or_handled(people, login, url):
    client = login(people.alice)
    response = client.get(url)
    assert response.status_code in (200, 404, 405)
    response = client.post(url)
    assert response.status_code in (200, 400, 403, 404, 405)


def test_the_404_page_does_not_reveal_a_draft(people, login):
    draft = create_draft(people, name="Confidential plan")
    response = login(people.olga).get(reverse("assessment_detail", args=[draft.pk]))
    assert response.status_code == 404
    assert "Confidential plan" not in response.content.decode()
    assert Assessment.objects.count() == AIFeature.objects.count() == 1
