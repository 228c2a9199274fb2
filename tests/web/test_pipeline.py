"""The chair's pipeline: every card and chip is a link to the list it counts, and it counts only what the chair sees."""

import html
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments import services
from assessments.models import Assessment, State

from ..answers import complete_answers
from ..workflow import advance, create_draft

HOME = reverse("home")
LIST = reverse("assessment_list")


def pipeline_section(page):
    start = page.index('aria-labelledby="pipeline-h"')
    return page[start : page.index("</section>", start)]


def list_links(section):
    return [html.unescape(href) for href in re.findall(r'href="(/assessments/\?[^"]*)"', section)]


@pytest.fixture
def pipeline(people):
    advance(people, create_draft(people, name="At legal"), State.LEGAL_REVIEW)
    late = advance(people, create_draft(people, name="Late at clinical"), State.CLINICAL_REVIEW)
    Assessment.objects.filter(pk=late.pk).update(stage_entered_at=timezone.now() - timedelta(days=40))
    advance(people, create_draft(people, name="On time at clinical"), State.CLINICAL_REVIEW)
    advance(people, create_draft(people, name="Sent back"), State.CHANGES_REQUESTED)
    advance(people, create_draft(people, name="Turned down"), State.REJECTED)
    create_draft(people, name="A team's draft")
    return people


def test_every_link_of_the_pipeline_is_a_valid_filter_listing_what_it_counts(pipeline, login):
    client = login(pipeline.chair)
    response = client.get(HOME)
    p = response.context["pipeline"]
    links = list_links(pipeline_section(response.content.decode()))
    expected = {f"{LIST}?stage={s['domain']}": s["count"] for s in p["stages"]}
    expected |= {f"{LIST}?stage={s['domain']}&overdue=true": s["overdue"] for s in p["stages"] if s["overdue"]}
    expected |= {f"{LIST}?state={s['state']}": s["count"] for s in p["others"] + p["closed"]}
    expected[f"{LIST}?overdue=true"] = p["overdue_total"]
    assert set(links) == set(expected)
    for link, count in expected.items():
        listed = client.get(link)
        assert listed.status_code == 200, link
        assert not listed.context["form"].errors, link
        assert listed.context["page"].paginator.count == count, link
    assert expected[f"{LIST}?stage=clinical"] == 2
    assert expected[f"{LIST}?stage=clinical&overdue=true"] == 1


def test_stage_cards_are_links_and_overdue_counts_link_to_the_overdue_ones(pipeline, login):
    section = pipeline_section(login(pipeline.chair).get(HOME).content.decode())
    assert f'<a class="stage-link" href="{LIST}?stage=legal">' in section
    assert f'href="{LIST}?stage=clinical&amp;overdue=true">1 overdue' in section


def test_a_chair_outside_every_team_is_not_shown_a_draft_count(pipeline, login):
    response = login(pipeline.chair).get(HOME)
    section = pipeline_section(response.content.decode())
    assert "state=draft" not in section
    assert "Drafts are visible only to their teams" in section
    assert State.DRAFT not in [s["state"] for s in response.context["pipeline"]["others"]]


def test_a_chair_on_a_team_sees_the_drafts_of_their_teams_only(pipeline, login):
    pipeline.team.members.add(pipeline.chair)
    services.assessment_create(
        team=pipeline.other_team, feature_name="Another team's draft", answers=complete_answers(), by=pipeline.olga
    )
    response = login(pipeline.chair).get(HOME)
    others = {s["state"]: (s["label"], s["count"]) for s in response.context["pipeline"]["others"]}
    assert others[State.DRAFT] == ("Drafts of your teams", 1)
    assert "Drafts are visible only to their teams" not in pipeline_section(response.content.decode())


def test_the_pipeline_links_to_the_analytics(pipeline, login):
    section = pipeline_section(login(pipeline.chair).get(HOME).content.decode())
    assert reverse("reports_analytics") in section
