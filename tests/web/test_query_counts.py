"""Pages cost the same number of SQL queries with 10 assessments as with 200.

Each test measures one page at 10 and again at 200 assessments and asserts both
counts equal the expected number, so an N+1 query fails here at once.
"""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessments import services
from committee.models import Notification

from ..workflow import advance, create_draft
from .bulk import bulk_assessments


def queries_for(client, url):
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(context.captured_queries)


def counts_at_10_and_200(people, client, url):
    bulk_assessments(people, 10)
    client.get(url)  # warm per-process caches (content types), as in a running server
    at_10 = queries_for(client, url)
    bulk_assessments(people, 190)
    at_200 = queries_for(client, url)
    return at_10, at_200


LIST_PAGES = [
    # (who, url, expected queries)
    ("alice", reverse("assessment_list"), 8),
    ("alice", reverse("assessment_list") + "?state=legal_review&risk_level=1&overdue=on&q=Bulk", 8),
    ("chair", reverse("assessment_list"), 8),
    ("auditor", reverse("assessment_list") + "?stage=legal&team=client-experience", 8),
    ("legal", reverse("queue"), 8),  # one of them reads the delegations the reviewer holds now
    ("auditor", reverse("audit_trail"), 7),
]


def user_named(people, who):
    return people.reviewers[who] if who in people.reviewers else getattr(people, who)


@pytest.mark.parametrize(("who", "url", "expected"), LIST_PAGES)
def test_lists_and_the_queue(people, login, who, url, expected):
    client = login(user_named(people, who))
    # A few real ones too, so the audit trail has rows.
    advance(people, create_draft(people), "legal_review")
    assert counts_at_10_and_200(people, client, url) == (expected, expected)


# The chair's pipeline counts in one query. A committee member's home reads the delegations they hold now (one
# query): a delegate's queue holds the delegated domain's stage.
HOME_PAGES = [("alice", 10), ("legal", 9), ("chair", 9), ("auditor", 9)]


@pytest.mark.parametrize(("who", "expected"), HOME_PAGES)
def test_home_pages(people, login, who, expected):
    client = login(user_named(people, who))
    due = (timezone.localdate() + timedelta(days=9)).isoformat()
    assessment = advance(people, create_draft(people), "data_ai_review")
    services.assessment_transition(
        assessment=assessment,
        name="approve",
        by=people.reviewers["data_ai"],
        conditions=[{"text": "Check monthly.", "owner": "alice", "due_date": due}],
    )
    assert counts_at_10_and_200(people, client, reverse("home")) == (expected, expected)


# The reviewer of the current stage costs a little more: whether they may decide (their grants, whether they
# edited it, what they signed this round) is read once for all three decisions, and the guards run once.
# The bias section reads its rows, justifications, mitigations and monitoring flags: four queries.
# The chair and the auditor hold no domain: one query asks whether a delegation lets them act at the stage.
DETAIL_VIEWERS = [("alice", 18), ("legal", 22), ("auditor", 18), ("chair", 18)]
DETAIL = dict(DETAIL_VIEWERS)


def test_the_current_reviewer_costs_at_most_four_queries_more_than_the_team():
    assert DETAIL["legal"] - DETAIL["alice"] <= 4


@pytest.mark.parametrize(("who", "expected"), DETAIL_VIEWERS)
def test_the_assessment_page(people, login, who, expected):
    # A second round, so the page has sign-offs, an invalidation, a diff and a long timeline.
    assessment = advance(people, create_draft(people), "clinical_review")
    assessment = services.assessment_transition(
        assessment=assessment, name="request_changes", by=people.reviewers["clinical"], comment="Explain more."
    )
    services.assessment_update_answers(
        assessment=assessment, answers={"impact.benefits": "Shorter waits."}, by=people.alice
    )
    assessment = services.assessment_transition(
        assessment=assessment, name="resubmit", by=people.alice, comment="Answered the change request."
    )
    client = login(user_named(people, who))
    url = reverse("assessment_detail", args=[assessment.pk])
    assert counts_at_10_and_200(people, client, url) == (expected, expected)


def test_the_inbox(people, login):
    client = login(people.alice)
    assessment = create_draft(people)
    url = reverse("inbox")

    def notify(count):
        Notification.objects.bulk_create(
            Notification(
                recipient=people.alice,
                assessment=assessment,
                kind="decision",
                key=f"decision:{count}:{i}",
                context={"feature": "Intake", "version": 1, "decision": "rejected", "by": "Lena", "comment": "Why."},
            )
            for i in range(count)
        )

    notify(10)
    client.get(url)
    at_10 = queries_for(client, url)
    notify(190)
    at_200 = queries_for(client, url)
    # The page also says which email preference applies; it lists what needs the user, then counts both lists at once.
    assert (at_10, at_200) == (10, 10)


# Session, user, the filtered count (capped), the page's rows (feature joined), the team filter's choices; the
# risk level filter has fixed choices (no DISTINCT over the table).
ADMIN_CHANGELIST = 5


def test_the_admin_changelist_of_assessments(people, login):
    client = login(people.admin)
    url = reverse("admin:assessments_assessment_changelist")
    assert counts_at_10_and_200(people, client, url) == (ADMIN_CHANGELIST, ADMIN_CHANGELIST)
    assert counts_at_10_and_200(people, client, url + "?state__exact=legal_review") == (
        ADMIN_CHANGELIST,
        ADMIN_CHANGELIST,
    )


def test_the_admin_changelist_counts_the_filtered_rows_once_not_the_whole_table_again(people, login):
    bulk_assessments(people, 10)
    client = login(people.admin)
    url = reverse("admin:assessments_assessment_changelist") + "?state__exact=legal_review"
    client.get(url)
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    counts = [q["sql"] for q in context.captured_queries if "COUNT(" in q["sql"].upper()]
    assert len(counts) == 1, counts


def test_the_audit_trail_costs_the_same_with_2_or_12_reviewer_comments(people, login):
    """The team sees reviewers' comments on its assessments withheld until a change request: one query for all."""
    client = login(people.alice)
    assessments = [advance(people, create_draft(people), "legal_review") for _ in range(3)]

    def comment(count):
        for i in range(count):
            services.question_comment_add(
                assessment=assessments[i % 3],
                question="impact.benefits",
                text=f"Comment {i}: say more.",
                by=people.reviewers["legal"],
            )

    url = reverse("audit_trail")
    comment(2)
    client.get(url)  # warm per-process caches (content types), as in a running server
    at_2 = queries_for(client, url)
    comment(10)
    at_12 = queries_for(client, url)
    # The auditor's 7 (LIST_PAGES), and one for which of the comments are still withheld.
    assert (at_2, at_12) == (8, 8)
    assert "kept with the committee until a change request" in client.get(url).content.decode()
