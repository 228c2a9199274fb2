"""A team starting a feature named like one it may see gets a hint linking to it, and learns nothing else."""

import pytest
from django.urls import reverse

from assessments import services
from assessments.feature_names import features_named_like, name_key
from assessments.models import State

from ..answers import complete_answers
from ..workflow import EVIDENCE, advance, bias_rows, create_draft

PREVIEW = reverse("assessment_preview_new")
NEW = reverse("assessment_new")


def preview(client, name):
    return client.post(PREVIEW, {"feature_name": name}, HTTP_HX_REQUEST="true").content.decode()


def hint(page):
    return page.split('id="feature-name-hint"', 1)[1].split("</div>", 1)[0]


def test_names_compare_without_case_or_spaces():
    assert name_key("  Session  Notes\tDrafting ") == name_key("session notes drafting") == "sessionnotesdrafting"
    assert name_key("") == name_key(None) == ""


def test_the_live_panel_brings_a_hint_linking_to_the_feature_of_that_name(people, login):
    draft = create_draft(people, name="Therapist matching")
    page = preview(login(people.alice), "  therapist   MATCHING ")
    assert 'hx-swap-oob="true"' in page
    found = hint(page)
    assert "A feature with this name exists already:" in found
    assert f'<a href="{reverse("assessment_detail", args=[draft.pk])}">Therapist matching</a>' in found
    assert "(Client Experience, v1, Draft)" in found


def test_the_hint_links_the_latest_version_and_no_hint_for_another_name(people, login):
    first = advance(people, create_draft(people, name="Therapist matching"), State.REJECTED)
    client = login(people.alice)
    assert f'href="{reverse("assessment_detail", args=[first.pk])}"' in hint(preview(client, "Therapist matching"))
    assert hint(preview(client, "Therapist matchin")).strip() == 'aria-live="polite" hx-swap-oob="true">'
    assert "exists already" not in preview(client, "")


@pytest.mark.parametrize("state", [State.DRAFT, State.LEGAL_REVIEW])
def test_another_teams_feature_is_never_named_to_someone_who_may_not_see_it(people, login, state):
    theirs = services.assessment_create(
        team=people.other_team, feature_name="Mood prediction", answers=complete_answers(), by=people.olga
    )
    if state != State.DRAFT:
        services.bias_results_add(description=EVIDENCE, assessment=theirs, rows=bias_rows(), by=people.olga)
        services.assessment_transition(assessment=theirs, name="submit", by=people.olga)
    page = preview(login(people.alice), "mood prediction")
    assert "exists already" not in page and "Mood prediction" not in page and "Growth" not in page
    # Its own team, which may see it, is told.
    assert "Mood prediction" in hint(preview(login(people.olga), "MOOD PREDICTION"))


def test_the_form_shows_the_hint_when_it_comes_back_with_errors(people, login):
    existing = create_draft(people, name="Intake summary")
    response = login(people.alice).post(NEW, {"feature_name": "intake  summary", "action": "save"})
    assert response.status_code == 400
    page = response.content.decode()
    assert f'<a href="{reverse("assessment_detail", args=[existing.pk])}">Intake summary</a>' in hint(page)


def test_one_query_finds_the_matches(people, django_assert_num_queries):
    create_draft(people, name="Intake summary")
    create_draft(people, name="Intake  Summary v2")
    with django_assert_num_queries(2):  # the user's groups, then the matches
        found = features_named_like(people.alice, "INTAKE SUMMARY")
    assert [m.feature_name for m in found] == ["Intake summary"]
