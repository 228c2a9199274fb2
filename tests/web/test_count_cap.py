"""Lists count at most LIST_COUNT_CAP rows and say "1,000+" beyond it, so their cost is bounded at any size."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments import paging
from assessments.models import Assessment

from .bulk import bulk_assessments

LIST = reverse("assessment_list")


def test_a_capped_count_is_exact_up_to_the_cap_and_cap_plus_one_beyond(people):
    bulk_assessments(people, 6)
    everything = Assessment.objects.all()

    assert paging.capped_count(everything, cap=6) == 6
    assert paging.capped_count(everything, cap=7) == 6
    assert paging.capped_count(everything, cap=5) == 6  # cap + 1: "more than 5"
    assert paging.capped_count(everything, cap=2) == 3


def test_the_count_reads_at_most_cap_plus_one_rows(people):
    bulk_assessments(people, 6)
    queryset = Assessment.objects.order_by("-updated_at")

    with CaptureQueriesContext(connection) as queries:
        paging.capped_count(queryset, cap=3)
    (count_sql,) = [q["sql"] for q in queries.captured_queries]
    assert "LIMIT 4" in count_sql.upper()
    assert "ORDER BY" not in count_sql.upper()  # nothing to sort: the database stops after 4 rows


def test_the_label_shows_the_number_up_to_the_cap_and_a_plus_beyond():
    assert paging.count_label(0, cap=1000) == "0"
    assert paging.count_label(999, cap=1000) == "999"
    assert paging.count_label(1000, cap=1000) == "1,000"
    assert paging.count_label(1001, cap=1000) == "1,000+"


def test_many_capped_counts_are_one_query_and_agree_with_single_ones(people, django_assert_num_queries):
    bulk_assessments(people, 10)
    visible = Assessment.objects.all()
    querysets = {
        "all": visible,
        "legal": visible.filter(state="legal_review"),
        "nothing": visible.filter(pk__in=[]),
        "none": Assessment.objects.none(),
    }
    with django_assert_num_queries(1):
        counts = paging.capped_counts(querysets, cap=5)

    assert counts == {"all": 6, "legal": 2, "nothing": 0, "none": 0}
    assert counts["all"] == paging.capped_count(visible, cap=5)


@pytest.mark.parametrize(("rows", "shown"), [(1, "1 assessment."), (5, "5 assessments."), (6, "5+ assessments.")])
def test_the_list_shows_the_count_at_the_cap_and_a_plus_one_past_it(people, login, settings, rows, shown):
    settings.LIST_COUNT_CAP = 5
    bulk_assessments(people, rows)

    response = login(people.alice).get(LIST)

    assert response.status_code == 200
    text = " ".join(response.content.decode().split())
    assert shown in text
    assert response.context["page"].paginator.capped is (rows > 5)


def test_pages_past_the_cap_still_open_and_the_last_has_no_next(people, login, settings, monkeypatch):
    settings.LIST_COUNT_CAP = 3
    monkeypatch.setattr("assessments.views.lists.PAGE_SIZE", 2)
    made = bulk_assessments(people, 7)
    client = login(people.alice)

    pages = [client.get(LIST, {"page": n}).context["page"] for n in (1, 2, 3, 4)]

    assert [p.number for p in pages] == [1, 2, 3, 4]
    assert [len(p.object_list) for p in pages] == [2, 2, 2, 1]
    assert [p.has_next() for p in pages] == [True, True, True, False]
    seen = [a.pk for p in pages for a in p.object_list]
    assert sorted(seen) == sorted(a.pk for a in made)
    assert "Page 3</span>" in client.get(LIST, {"page": 3}).content.decode()  # no "of N": N is not counted


def test_a_page_past_the_end_or_not_a_number_falls_back_like_before(people, login, settings, monkeypatch):
    settings.LIST_COUNT_CAP = 3
    monkeypatch.setattr("assessments.views.lists.PAGE_SIZE", 2)
    bulk_assessments(people, 7)
    client = login(people.alice)

    assert client.get(LIST, {"page": "x"}).context["page"].number == 1
    assert client.get(LIST, {"page": "0"}).status_code == 200
    beyond = client.get(LIST, {"page": 99}).context["page"]
    assert beyond.object_list  # the last page the capped count knows of, never an empty page


@pytest.mark.parametrize(("extra", "shown"), [(0, "2"), (1, "2+")])
def test_the_pipeline_counts_are_capped_per_stage(people, login, settings, extra, shown):
    settings.LIST_COUNT_CAP = 2
    bulk_assessments(people, 10)  # two at Legal review
    if extra:
        bulk_assessments(people, 1)  # a third

    pipeline = login(people.chair).get(reverse("home")).context["pipeline"]

    legal = next(s for s in pipeline["stages"] if s["domain"] == "legal")
    assert legal["count_label"] == shown


@pytest.mark.parametrize(("extra", "shown"), [(0, "2"), (1, "2+")])
def test_the_reviewers_queue_total_is_capped(people, login, settings, extra, shown):
    settings.QUEUE_COUNT_CAP = 2
    settings.LIST_COUNT_CAP = 1000  # the queue has its own cap
    bulk_assessments(people, 10, team=people.other_team)
    if extra:
        bulk_assessments(people, 1, team=people.other_team)

    queue = login(people.reviewers["legal"]).get(reverse("home")).context["queue_home"]

    assert queue["total_label"] == shown


def test_the_queue_counts_to_its_own_cap_in_its_own_order(people, login, settings, monkeypatch):
    settings.QUEUE_COUNT_CAP = 3
    settings.LIST_COUNT_CAP = 1000
    monkeypatch.setattr("committee.views.PAGE_SIZE", 2)
    bulk_assessments(people, 30, team=people.other_team)  # six at Legal review
    client = login(people.reviewers["legal"])

    with CaptureQueriesContext(connection) as queries:
        first = client.get(reverse("queue"))
    page = first.context["page"]
    assert page.paginator.capped and page.paginator.label == "3+"
    (count_sql,) = [
        q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"].upper() and "LIMIT 4" in q["sql"]
    ]
    # In the queue's order, read from its index (state, stage_entered_at, id), stopping at the cap.
    assert "ORDER BY" in count_sql.upper()
    # Every page past the cap still opens; the third is the last.
    pages = [client.get(reverse("queue"), {"page": n}).context["page"] for n in (1, 2, 3)]
    assert [len(p.object_list) for p in pages] == [2, 2, 2]
    assert [p.has_next() for p in pages] == [True, True, False]
    assert len({a.pk for p in pages for a in p.object_list}) == 6
    assert "Page 2</span>" in client.get(reverse("queue"), {"page": 2}).content.decode()  # no "of N"


# -- the unfiltered list's count, from the grants alone --------------------------------------------------------


def _two_group_user(people):
    """Legal reviewer and member of the team: two groups whose view grants overlap on submitted assessments."""
    user = people.reviewers["legal"]
    user.groups.add(people.team.group)
    return user


@pytest.mark.parametrize("cap", [1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 30])
def test_visible_count_agrees_with_counting_the_visible_assessments(people, cap):
    from django.contrib.auth import get_user_model

    from assessments.selectors import assessments_visible_to, visible_count

    bulk_assessments(people, 10)  # the team's: one draft, nine submitted
    bulk_assessments(people, 3, team=people.other_team)  # another team's: submitted ones the committee sees
    inactive = get_user_model().objects.create_user("gone", is_active=False)
    inactive.groups.add(people.team.group)
    users = [people.alice, people.chair, _two_group_user(people), people.admin, people.nobody, inactive, people.olga]
    for user in users:
        expected = paging.capped_count(assessments_visible_to(user), cap)
        assert visible_count(user, cap) == expected, (user.username, cap)


def test_visible_count_is_one_query_whatever_the_branch(people, django_assert_num_queries):
    from assessments.selectors import visible_count

    bulk_assessments(people, 10)
    user = _two_group_user(people)
    user.groups.all()  # warm
    from accounts import roles

    roles.group_ids(user)
    with django_assert_num_queries(1):
        assert visible_count(user, 3) == 4  # one group alone holds more than 3: "more than 3"
    with django_assert_num_queries(1):
        assert visible_count(user, 50) == 10  # counted exactly, without double-counting the overlap


def test_the_unfiltered_list_counts_from_the_grants_and_a_filtered_one_from_the_list(people, login):
    bulk_assessments(people, 10)
    client = login(people.alice)

    with CaptureQueriesContext(connection) as unfiltered:
        assert client.get(LIST).context["page"].paginator.count == 10
    with CaptureQueriesContext(connection) as filtered:
        assert client.get(LIST, {"state": "legal_review"}).context["page"].paginator.count == 2
    assert [q for q in unfiltered.captured_queries if "DISTINCT" in q["sql"] and "CASE WHEN" in q["sql"]]
    assert not [q for q in filtered.captured_queries if "CASE WHEN" in q["sql"]]
