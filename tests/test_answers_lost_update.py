"""Editing answers from a version someone else has since saved over is refused, and the comparison is made under
the assessment's row lock: a save that was still in progress when the second began is seen (PostgreSQL)."""

import threading
import time

import pytest
from django.db import connection, connections, transaction

from assessments import services
from assessments.errors import TransitionConflict
from assessments.models import Assessment

from .workflow import create_draft

pytestmark = pytest.mark.postgres


@pytest.fixture
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("row locks are exercised on PostgreSQL (CI runs the suite there too)")


def waiting_on_a_lock():
    with connection.cursor() as cursor:
        # Inside a transaction the activity view is a snapshot taken once; drop it to see the other thread now.
        cursor.execute("select pg_stat_clear_snapshot()")
        cursor.execute(
            "select count(*) from pg_stat_activity where wait_event_type = 'Lock' and datname = current_database()"
        )
        return cursor.fetchone()[0]


def test_a_stale_version_is_refused(people):
    assessment = create_draft(people)
    opened_at = assessment.content_hash
    services.assessment_update_answers(
        assessment=assessment, answers={"impact.benefits": "First."}, by=people.alice, expected_content_hash=opened_at
    )
    with pytest.raises(TransitionConflict) as refused:
        services.assessment_update_answers(
            assessment=assessment,
            answers={"impact.benefits": "Second."},
            by=people.ben,
            expected_content_hash=opened_at,
        )
    assert refused.value.reasons[0].code == "stale_content"
    assert Assessment.objects.get(pk=assessment.pk).answers["impact.benefits"] == "First."


@pytest.mark.django_db(transaction=True)
def test_the_version_is_compared_under_the_row_lock(people, postgres_only):
    assessment = create_draft(people)
    opened_at = assessment.content_hash
    outcome = {}

    def second_save():
        try:
            outcome["value"] = services.assessment_update_answers(
                assessment=assessment,
                answers={"impact.benefits": "Ben's words."},
                by=people.ben,
                expected_content_hash=opened_at,
            )
        except Exception as exc:  # noqa: BLE001 - the outcome is what the test inspects
            outcome["value"] = exc
        finally:
            connections.close_all()

    with transaction.atomic():
        # The first save is made and not yet committed: it holds the row lock.
        services.assessment_update_answers(
            assessment=assessment,
            answers={"impact.benefits": "Alice's words."},
            by=people.alice,
            expected_content_hash=opened_at,
        )
        thread = threading.Thread(target=second_save)
        thread.start()
        deadline = time.monotonic() + 10
        while not waiting_on_a_lock():
            assert time.monotonic() < deadline, ("the second save never waited for the row lock", outcome)
            time.sleep(0.02)
        # Before the lock, the second save saw the version it was opened at; it must look again under the lock.
        assert "value" not in outcome
    thread.join(timeout=30)

    assert isinstance(outcome["value"], TransitionConflict), outcome
    assert outcome["value"].reasons[0].code == "stale_content"
    assert Assessment.objects.get(pk=assessment.pk).answers["impact.benefits"] == "Alice's words."
