"""The demo's history is spread over the last 120 days in time order, so the chair's analytics mean something."""

from datetime import datetime, time, timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from assessments.audit import audit_verify
from assessments.demo import HISTORY_DAYS
from assessments.demo_history import HistoryOutOfOrder, run_in_time_order
from assessments.models import Assessment, AuditEntry, SignOff, State
from reports.analytics import committee_analytics

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def seeded_once(module_db):
    """The demo, seeded once for this module's tests (each runs in a savepoint on top of it)."""
    module_db(lambda: call_command("seed_demo", "--password", "pw"))


@pytest.fixture
def seeded(seeded_once, db):
    return get_user_model().objects


def test_the_history_spans_the_last_120_days_and_runs_forward(seeded):
    now = timezone.now()
    times = list(AuditEntry.objects.order_by("seq").values_list("created_at", flat=True))
    assert times == sorted(times), "the audit chain's times go backwards somewhere"
    assert now - timedelta(days=HISTORY_DAYS + 1) < times[0] < now - timedelta(days=HISTORY_DAYS - 5)
    signed = list(SignOff.objects.order_by("created_at").values_list("created_at", flat=True))
    assert signed[0] < now - timedelta(days=100) and signed[-1] < now - timedelta(days=1)
    submitted = Assessment.objects.exclude(state=State.DRAFT).values_list("submitted_at", flat=True)
    assert len({t.date() for t in submitted}) == len(submitted)  # each on its own day
    assert audit_verify().ok


def test_stage_waits_run_from_hours_to_about_two_weeks(seeded):
    transitions = AuditEntry.objects.filter(action=AuditEntry.Action.TRANSITION).order_by("seq")
    last_by_assessment = {}
    waits = []
    for entry in transitions:
        before = last_by_assessment.get(entry.assessment_id)
        if before is not None and entry.from_state.endswith("_review"):
            waits.append(entry.created_at - before)
        last_by_assessment[entry.assessment_id] = entry.created_at
    assert len(waits) >= 15
    assert min(waits) >= timedelta(hours=3) and max(waits) <= timedelta(days=15)
    assert min(waits) < timedelta(days=1) and max(waits) > timedelta(days=7)  # both ends of the range occur


def test_the_chairs_analytics_show_real_stage_times(seeded, client):
    chair = seeded.get(username="chair")
    data = committee_analytics(user=chair)
    medians = {s.domain: s.median_days for s in data.stage_times}
    assert all(m is not None and m > 0.2 for m in medians.values()), medians
    assert data.decisions_total >= 5
    client.force_login(chair)
    page = client.get(reverse("reports_analytics")).content.decode()
    legal = next(s for s in data.stage_times if s.domain == "legal")
    assert f"Legal: median {legal.median_days:.1f} days" in page
    assert "median 0.0 days" not in page


@pytest.mark.parametrize("hour", [time(0, 20), time(23, 40)])
def test_the_last_seven_full_days_of_the_demo_have_something_to_count(db, hour):
    # Whatever the hour the demo is seeded at: the week is counted from local midnight, as the digest counts it.
    moment = timezone.make_aware(datetime.combine(timezone.localdate(), hour))
    with time_machine.travel(moment, tick=False):
        call_command("seed_demo", "--password", "pw")
        week = committee_analytics(user=get_user_model().objects.get(username="chair")).week
    assert week.submitted >= 1 and week.decided >= 1, week


def test_the_audit_log_verifies_after_seeding_twice(seeded):
    call_command("seed_demo", "--password", "pw")  # idempotent: nothing new, nothing out of order
    call_command("verify_audit_log")  # raises CommandError on any problem


def test_a_history_that_runs_backwards_is_refused():
    def forwards():
        yield 10
        yield 5

    def backwards():
        yield 4
        yield 6

    with pytest.raises(HistoryOutOfOrder):
        run_in_time_order([forwards(), backwards()])


def test_steps_run_in_time_order_across_histories():
    seen = []

    def history(name, days):
        for d in days:
            yield d
            seen.append((name, round((timezone.now() - start).total_seconds() / 86400)))

    start = timezone.now()
    run_in_time_order([history("a", [9, 3]), history("b", [7, 1])], now=start)
    assert seen == [("a", -9), ("b", -7), ("a", -3), ("b", -1)]
