"""The API list is walked by cursor: every row once, in order, both ways; a bad cursor or page size is a 400."""

import base64

import pytest
from django.utils import timezone

from assessments.models import Assessment

from ..web.bulk import bulk_assessments

LIST = "/api/v1/assessments/"


def walk(client, url, link="next"):
    """Every page from ``url`` following ``link``: a list of pages, each a list of ids."""
    pages = []
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content
        body = response.json()
        pages.append([row["id"] for row in body["results"]])
        url = body[link]
        assert len(pages) < 100, "the links loop"
    return pages


def expected_order():
    return list(Assessment.objects.order_by("-updated_at", "-pk").values_list("pk", flat=True))


@pytest.fixture
def many(people):
    return bulk_assessments(people, 23)


def test_next_links_visit_every_row_once_in_the_lists_order(people, client_for, many):
    pages = walk(client_for(people.admin), f"{LIST}?page_size=5")

    assert [len(page) for page in pages] == [5, 5, 5, 5, 3]
    assert [pk for page in pages for pk in page] == expected_order()


def test_previous_links_walk_back_over_the_same_pages(people, client_for, many):
    client = client_for(people.admin)
    forward = walk(client, f"{LIST}?page_size=5")
    last = client.get(f"{LIST}?page_size=5")
    for _ in range(len(forward) - 1):
        last = client.get(last.json()["next"])

    backward = walk(client, last.json()["previous"], link="previous")

    assert backward == list(reversed(forward[:-1]))
    assert client.get(last.json()["previous"]).json()["next"] is not None


def test_rows_changed_at_the_same_instant_are_neither_repeated_nor_skipped(people, client_for, many):
    # Bulk writes give many rows one timestamp; the id breaks the tie.
    Assessment.objects.update(updated_at=timezone.now())

    pages = walk(client_for(people.admin), f"{LIST}?page_size=4")
    seen = [pk for page in pages for pk in page]

    assert seen == expected_order()
    assert len(seen) == len(set(seen)) == Assessment.objects.count()


def test_the_team_walks_only_its_own_rows(people, client_for, many):
    bulk_assessments(people, 4, team=people.other_team)

    pages = walk(client_for(people.alice), f"{LIST}?page_size=10")

    assert sorted(pk for page in pages for pk in page) == sorted(a.pk for a in many)


def test_the_first_and_last_pages_say_there_is_nothing_beyond(people, client_for, many):
    client = client_for(people.admin)

    first = client.get(LIST, {"page_size": 200}).json()

    assert (first["previous"], first["next"]) == (None, None)
    assert len(first["results"]) == 23


def _cursor(text):
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


BAD_CURSORS = [
    "",
    "not a cursor",
    "!!!!",
    "A" * 121,
    _cursor("garbage"),
    _cursor("2026-11-27T13:00:00+00:00|12"),  # no direction
    _cursor("2026-11-27T13:00:00+00:00|12|x"),
    _cursor("2026-11-27T13:00:00|12|f"),  # no time zone
    _cursor("2026-13-45T13:00:00+00:00|12|f"),
    _cursor("2026-11-27T13:00:00+00:00|-12|f"),
    _cursor("2026-11-27T13:00:00+00:00|012|f"),
    _cursor("2026-11-27T13:00:00+00:00|99999999999999999999|f"),
    _cursor("2026-11-27T13:00:00+00:00|1e3|f"),
    _cursor("2026-11-27T13:00:00+00:00|12|f") + "==",  # padded: not as the server writes it
    base64.urlsafe_b64encode(b"\xff\xfe|1|f").decode(),
]


@pytest.mark.parametrize("cursor", BAD_CURSORS)
def test_a_bad_cursor_is_a_400_naming_it(people, client_for, many, cursor):
    response = client_for(people.admin).get(LIST, {"cursor": cursor})

    assert response.status_code == 400
    body = response.json()
    assert body["detail"]
    assert "cursor" in body


def test_a_cursor_as_the_server_wrote_it_is_accepted(people, client_for, many):
    cursor = _cursor(f"{timezone.now().isoformat()}|{many[0].pk}|f")

    assert client_for(people.admin).get(LIST, {"cursor": cursor}).status_code == 200


@pytest.mark.parametrize("size", ["0", "201", "-1", "1.5", "", "007", "ten", "1e2"])
def test_a_bad_page_size_is_a_400_naming_it(people, client_for, size):
    response = client_for(people.alice).get(LIST, {"page_size": size})

    assert response.status_code == 400
    assert "page_size" in response.json()


@pytest.mark.parametrize("size", ["1", "200"])
def test_page_sizes_at_the_bounds_are_accepted(people, client_for, many, size):
    response = client_for(people.admin).get(LIST, {"page_size": size})

    assert response.status_code == 200
    assert len(response.json()["results"]) == min(int(size), 23)


@pytest.mark.parametrize(
    "size, message",
    [
        ("0", "Give a whole number from 1 to 200."),
        ("201", "Give a whole number from 1 to 200."),
        ("-1", "Give a whole number from 1 to 200."),
        ("007", "Write the number with digits only, without a sign or leading zeros."),
        ("+5", "Write the number with digits only, without a sign or leading zeros."),
        ("ten", "Give a whole number, written with digits only."),
        ("1.5", "Give a whole number, written with digits only."),
        ("", "Give a whole number, written with digits only."),
    ],
)
def test_each_way_a_page_size_is_wrong_has_its_own_message(people, client_for, size, message):
    response = client_for(people.alice).get(LIST, {"page_size": size})

    assert response.status_code == 400
    assert response.json() == {"detail": message, "page_size": message}
