"""Committee analytics: numbers checked by hand against a history with known dates, access, CSV, query counts."""

import csv
import io
import re
from datetime import datetime, timedelta
from xml.etree import ElementTree

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts import roles
from assessments.models import State
from reports import analytics
from reports.analytics import committee_analytics, percentile

from ..web.bulk import bulk_assessments
from ..workflow import act, advance, create_draft

pytestmark = pytest.mark.usefixtures("fast_render")

ANALYTICS = reverse("reports_analytics")
ANALYTICS_CSV = reverse("reports_analytics_csv")
# Day 0 of the story; "now" is day 20 (30 March 2027), so the 90-day window starts on day -70.
DAY0 = timezone.make_aware(datetime(2027, 3, 10, 9, 30))
NOW = DAY0 + timedelta(days=20)


def day(n):
    return DAY0 + timedelta(days=n)


@pytest.fixture
def history(people):
    """Seven assessments moved through the real services at known moments.

    Stage visits (days at the stage, the day it was left):
      A: legal 2 (d2), security 3 (d5), clinical 1 (d6), product 4 (d10), data/AI 1 (d11) -> approved d11
      B: legal 3 (d4) -> changes requested d4; resubmitted d6; legal 1 (d7), security 10 (d17) -> rejected d17
      C: submitted d18, waits at legal
      D: legal 20 days, left on d-100 (before the window); waits at security since d-100
      E: legal 5 days, left on d-70 (exactly the window's start, so it counts); waits at security since d-70
      F: legal 2 days -> rejected d-38 (31 January 2027)
      G: legal 1 day -> rejected d-400 (outside both windows)
    and one draft, which counts nowhere.
    """
    with time_machine.travel(day(-401), tick=False) as clock:

        def at(n, assessment, name, by=None):
            clock.move_to(day(n))
            return act(people, assessment, name, by=by)

        g = advance(people, create_draft(people, name="G"), State.LEGAL_REVIEW)
        at(-400, g, "reject")
        d = create_draft(people, name="D")
        clock.move_to(day(-120))
        d = advance(people, d, State.LEGAL_REVIEW)
        d = at(-100, d, "approve")
        clock.move_to(day(-75))
        e = advance(people, create_draft(people, name="E"), State.LEGAL_REVIEW)
        e = at(-70, e, "approve")
        clock.move_to(day(-40))
        f = advance(people, create_draft(people, name="F"), State.LEGAL_REVIEW)
        at(-38, f, "reject")
        clock.move_to(day(0))
        a = advance(people, create_draft(people, name="A"), State.LEGAL_REVIEW)
        clock.move_to(day(1))
        b = advance(people, create_draft(people, name="B"), State.LEGAL_REVIEW)
        a = at(2, a, "approve")
        b = at(4, b, "request_changes")
        a = at(5, a, "approve")
        a = at(6, a, "approve")
        b = at(6, b, "resubmit")
        b = at(7, b, "approve")
        a = at(10, a, "approve")
        a = at(11, a, "approve")
        assert a.state == State.APPROVED
        b = at(17, b, "reject")
        clock.move_to(day(18))
        advance(people, create_draft(people, name="C"), State.LEGAL_REVIEW)
        create_draft(people, name="Still a draft")
    return people


def test_percentiles_interpolate_between_ranks():
    assert percentile([1, 2, 3, 4, 10], 0.5) == 3
    assert percentile([1, 2, 3, 4, 10], 0.9) == pytest.approx(7.6)
    assert percentile([4], 0.9) == 4
    assert percentile([], 0.5) is None


def test_days_per_stage_equal_the_hand_computed_figures(history):
    data = committee_analytics(user=history.chair, now=NOW)
    times = {s.domain: (s.visits, s.median_days, s.p90_days) for s in data.stage_times}
    # legal: A 2, B 3, B 1, E 5 (exactly at the window's start), F 2; D's 20 days ended before the window.
    # sorted 1 2 2 3 5: median 2; 90th percentile at rank 3.6: 3 + 0.6 x (5 - 3) = 4.2
    assert times[roles.LEGAL] == (5, pytest.approx(2), pytest.approx(4.2))
    # security: A 3, B 10: median 6.5; rank 0.9: 3 + 0.9 x 7 = 9.3
    assert times[roles.SECURITY] == (2, pytest.approx(6.5), pytest.approx(9.3))
    assert times[roles.CLINICAL] == (1, pytest.approx(1), pytest.approx(1))
    assert times[roles.PRODUCT] == (1, pytest.approx(4), pytest.approx(4))
    assert times[roles.DATA_AI] == (1, pytest.approx(1), pytest.approx(1))
    assert data.since == NOW - timedelta(days=90)


def test_a_visit_that_ended_a_second_before_the_window_does_not_count(history):
    data = committee_analytics(user=history.chair, now=NOW + timedelta(seconds=1))
    legal = data.stage_times[0]
    assert legal.visits == 4  # E's visit left at the old window's first moment: now one second outside
    assert legal.median_days == pytest.approx(2)


def test_waiting_and_overdue_per_stage(history):
    data = committee_analytics(user=history.auditor, now=NOW)
    loads = {s.domain: (s.waiting, s.overdue) for s in data.stage_loads}
    # C has waited 2 days at legal (every deadline is at least 3 days); D and E wait at security for months.
    assert loads == {
        roles.LEGAL: (1, 0),
        roles.SECURITY: (2, 2),
        roles.CLINICAL: (0, 0),
        roles.PRODUCT: (0, 0),
        roles.DATA_AI: (0, 0),
    }


def test_decisions_per_month(history):
    data = committee_analytics(user=history.chair, now=NOW)
    months = {m.month: m.counts for m in data.months}
    assert list(months)[0] == "2026-04" and list(months)[-1] == "2027-03"
    assert len(months) == 12
    assert months["2027-03"] == {State.APPROVED: 1, State.CHANGES_REQUESTED: 1, State.REJECTED: 1}
    assert months["2027-01"] == {State.APPROVED: 0, State.CHANGES_REQUESTED: 0, State.REJECTED: 1}
    # G's rejection (February 2026) is older than the twelve months shown.
    assert data.decisions_total == 4


def test_the_page_shows_the_numbers_in_charts_and_tables(history, login):
    with time_machine.travel(NOW, tick=False):
        response = login(history.chair).get(ANALYTICS)
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count('role="img"') == 3
    for chart in ("stage-days", "stage-load", "decisions"):
        assert f'aria-labelledby="{chart}-title {chart}-desc"' in page
    assert "Legal: median 2 days, 90th percentile 4.2 days, 5 finished visits" in page
    assert "Security: 2 waiting, 2 overdue" in page
    assert "In total 1 approved, 1 changes requested, 2 rejected." in page
    assert f"{reverse('assessment_list')}?stage=security&amp;overdue=true" in page


def test_the_csv_has_the_same_numbers(history, login):
    with time_machine.travel(NOW, tick=False):
        response = login(history.auditor).get(ANALYTICS_CSV)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["measure", "group", "series", "value", "unit", "from", "to"]
    cells = {(r[0], r[1], r[2]): r[3] for r in rows[1:]}
    assert cells[("stage_days", "Legal", "median")] == "2.00"
    assert cells[("stage_days", "Legal", "p90")] == "4.20"
    assert cells[("stage_days", "Security", "p90")] == "9.30"
    assert cells[("stage_days", "Security", "finished_visits")] == "2"
    assert cells[("stage_now", "Security", "overdue")] == "2"
    assert cells[("decisions", "2027-03", "rejected")] == "1"
    assert cells[("decisions", "2027-01", "rejected")] == "1"


def test_the_csv_cannot_carry_a_formula(people, login, monkeypatch):
    # Every cell goes through the same neutraliser as the assessment export, labels included.
    monkeypatch.setitem(roles.DOMAIN_LABELS, roles.LEGAL, '=HYPERLINK("http://evil.example","x")')
    rows = list(csv.reader(io.StringIO(login(people.chair).get(ANALYTICS_CSV).content.decode("utf-8-sig"))))
    legal = [r for r in rows if r[0] == "stage_days" and r[2] == "median"][0]
    assert legal[1].startswith("'=")
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


@pytest.mark.parametrize("who", ["chair", "auditor", "legal", "data_ai", "admin"])
def test_the_committee_and_auditors_may_see_analytics(people, login, who):
    user = people.reviewers[who] if who in people.reviewers else getattr(people, who)
    client = login(user)
    assert client.get(ANALYTICS).status_code == 200
    assert client.get(ANALYTICS_CSV).status_code == 200


@pytest.mark.parametrize("who", ["alice", "olga", "nobody"])
def test_team_members_and_people_without_a_role_may_not(people, login, who):
    client = login(getattr(people, who))
    for url in (ANALYTICS, ANALYTICS_CSV):
        response = client.get(url)
        assert response.status_code == 403
        assert "Committee analytics are for the committee chair" in response.content.decode()
    assert reverse("reports_analytics") not in client.get(reverse("home")).content.decode()


def test_anonymous_visitors_are_sent_to_log_in(client, db):
    for url in (ANALYTICS, ANALYTICS_CSV):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_only_get_is_allowed(people, login):
    assert login(people.chair).post(ANALYTICS).status_code == 405


def test_a_reviewer_who_is_also_on_a_team_counts_only_what_they_may_see(people, login):
    # The chair's numbers exclude drafts; a team's own drafts never have stage visits anyway.
    create_draft(people, name="Hidden draft")
    data = committee_analytics(user=people.chair)
    assert sum(s.waiting for s in data.stage_loads) == 0


def queries_for(client, url):
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries)


# Session, user, groups, then the five analytics queries (three, and the week's two); the page adds the header's
# teams and the count of notices needing the chair.
@pytest.mark.parametrize(("url", "expected"), [(ANALYTICS, 8), (ANALYTICS_CSV, 6)])
def test_the_query_count_does_not_grow_with_the_number_of_assessments(people, login, url, expected):
    client = login(people.chair)
    advance(people, create_draft(people), State.APPROVED)
    advance(people, create_draft(people), State.REJECTED)
    bulk_assessments(people, 10)
    client.get(url)  # warm per-process caches, as in a running server
    small = queries_for(client, url)
    for target in (State.APPROVED, State.CHANGES_REQUESTED, State.SECURITY_REVIEW, State.REJECTED):
        advance(people, create_draft(people), target)
    bulk_assessments(people, 150)
    large = queries_for(client, url)
    assert small == large
    print("QUERIES", small, large)
    assert small <= 11  # session, user, groups, navigation; five analytics queries


def test_the_window_and_month_constants_are_what_the_page_says():
    assert analytics.WINDOW_DAYS == 90
    assert analytics.MONTHS == 12


def test_each_chart_carries_its_title_axis_label_with_unit_values_and_words_per_bar(history, login):
    with time_machine.travel(NOW, tick=False):
        page = login(history.chair).get(ANALYTICS).content.decode()
    svgs = {}
    for markup in re.findall(r"<svg .*?</svg>", page, flags=re.S):
        svg = ElementTree.fromstring(markup)
        svgs[svg.find("title").get("id").removesuffix("-title")] = svg

    def texts(svg, css_class):
        return [t.text for t in svg.iter("text") if t.get("class") == css_class]

    days, load, decisions = svgs["stage-days"], svgs["stage-load"], svgs["decisions"]
    assert texts(days, "chart-title") == ["Days per review stage"]
    assert texts(days, "chart-axis-label") == ["Days in the stage (median, 90th percentile)"]
    assert texts(load, "chart-axis-label") == ["Assessments (count)"]
    assert texts(decisions, "chart-axis-label") == ["Decisions (count)"]
    assert texts(days, "chart-label") == ["Legal", "Security", "Clinical", "Product", "Data/AI"]
    assert texts(days, "chart-value")[:2] == ["2", "4.2"]  # Legal's median and 90th percentile
    bar_words = [rect.find("title").text for rect in days.iter("rect")]
    assert bar_words[:2] == ["Legal, median: 2 days", "Legal, 90th percentile: 4.2 days"]
    assert "Security, overdue: 2 assessments" in [rect.find("title").text for rect in load.iter("rect")]
    # Scaled to the column's width: a viewBox, no fixed size.
    assert days.get("viewBox").startswith("0 0 340 ") and days.get("width") is None
