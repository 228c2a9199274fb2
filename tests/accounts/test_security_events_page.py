"""/security/events/: auditors and the chair read the security events, newest first, filtered and paged."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from accounts.models import SecurityEvent

Kind = SecurityEvent.Kind
URL = reverse("security_events")


def event(kind, username, at, **details):
    return SecurityEvent.objects.create(kind=kind, username=username, at=at, address="198.51.100.7", details=details)


def shown(response):
    """(kind, username) of the rows on the page, in order."""
    return [(row[0].kind, row[0].username) for row in response.context["rows"]]


@pytest.fixture
def events(db):
    return [
        event(Kind.LOGIN, "alice", datetime(2026, 3, 1, 9, tzinfo=UTC)),
        event(Kind.LOGIN_FAILED, "mallory", datetime(2026, 3, 2, 9, tzinfo=UTC), method="password"),
        event(Kind.SSO_ROLES_CHANGED, "priya", datetime(2026, 3, 3, 9, tzinfo=UTC), added=[], removed=["legal"]),
        event(Kind.LOCKOUT, "mallory", datetime(2026, 3, 4, 9, tzinfo=UTC)),
    ]


@pytest.mark.parametrize("who", ["auditor", "chair"])
def test_auditors_and_the_chair_see_every_event_newest_first(client, people, events, who):
    client.force_login(getattr(people, who))
    SecurityEvent.objects.filter(username__in=["audrey", "chair"]).delete()  # their own login just now
    response = client.get(URL)
    assert response.status_code == 200
    assert shown(response) == [
        (Kind.LOCKOUT, "mallory"),
        (Kind.SSO_ROLES_CHANGED, "priya"),
        (Kind.LOGIN_FAILED, "mallory"),
        (Kind.LOGIN, "alice"),
    ]
    assert "added: none; removed: legal" in response.text
    assert 'href="/security/events/"' in response.text  # in the navigation


@pytest.mark.parametrize("who", ["alice", "nobody", "admin"])
def test_everyone_else_is_refused(client, people, events, who):
    client.force_login(getattr(people, who))
    assert client.get(URL).status_code == 403


def test_each_reviewer_is_refused(client, people, events):
    for reviewer in people.reviewers.values():
        client.force_login(reviewer)
        assert client.get(URL).status_code == 403
        assert 'href="/security/events/"' not in client.get("/").text


def test_anonymous_visitors_are_sent_to_log_in(client, events):
    response = client.get(URL)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_posting_is_not_allowed(client, people):
    client.force_login(people.auditor)
    assert client.post(URL).status_code == 405


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"kind": Kind.LOGIN_FAILED}, [(Kind.LOGIN_FAILED, "mallory")]),
        ({"user": "MALLORY"}, [(Kind.LOCKOUT, "mallory"), (Kind.LOGIN_FAILED, "mallory")]),
        (
            {"since": "2026-03-02", "until": "2026-03-03"},
            [(Kind.SSO_ROLES_CHANGED, "priya"), (Kind.LOGIN_FAILED, "mallory")],
        ),
        ({"since": "2026-03-04"}, [(Kind.LOCKOUT, "mallory")]),
        ({"until": "2026-03-01"}, [(Kind.LOGIN, "alice")]),
        ({"kind": Kind.LOCKOUT, "user": "alice"}, []),
    ],
)
def test_filters_by_kind_user_and_dates_at_their_edges(client, people, events, query, expected):
    client.force_login(people.auditor)
    SecurityEvent.objects.filter(username="audrey").delete()
    response = client.get(URL, query)
    assert response.status_code == 200
    assert shown(response) == expected


@pytest.mark.parametrize(
    "query",
    [
        {"kind": "not-a-kind"},
        {"since": "yesterday"},
        {"since": "2026-03-04", "until": "2026-03-01"},
        {"user": "x" * 151},
    ],
)
def test_bad_filters_are_a_400_with_the_reason(client, people, events, query):
    client.force_login(people.auditor)
    response = client.get(URL, query)
    assert response.status_code == 400
    assert response.context["rows"] == []
    assert 'class="field-error"' in response.text


def test_pages_hold_fifty_and_cost_the_same_queries_at_any_size(client, people, django_assert_num_queries):
    client.force_login(people.auditor)
    at = datetime(2026, 3, 1, tzinfo=UTC)

    def queries_for(count):
        SecurityEvent.objects.all().delete()
        SecurityEvent.objects.bulk_create(
            SecurityEvent(kind=Kind.LOGIN, username=f"user{i}", at=at + timedelta(seconds=i)) for i in range(count)
        )
        # session, user, roles; count, page; the navigation (teams, inbox count)
        with django_assert_num_queries(7):
            return client.get(URL, {"page": 2})

    small = queries_for(3)
    assert small.context["page"].number == 1  # an out-of-range page shows the last one
    large = queries_for(130)
    assert large.context["page"].number == 2 and len(large.context["rows"]) == 50
    assert large.context["rows"][0][0].username == "user79"
