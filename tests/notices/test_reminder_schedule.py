"""The stored reminder schedules: set when a stage or condition starts, moved on by the sweeps, put right after a
setting changed; a sweep that finds nothing new reads nothing and costs the same at any size."""

from datetime import timedelta
from io import StringIO

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assessments import services
from assessments.deadlines import stage_due_at
from assessments.models import Assessment, Condition, State
from committee import sweeps
from committee.models import Notification

from ..audit_tools import verify
from ..workflow import act, advance, create_draft
from .conftest import kinds_of, received

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)
MICROSECOND = timedelta(microseconds=1)


def reload(assessment):
    return Assessment.objects.get(pk=assessment.pk)


def at_legal(people):
    return advance(people, create_draft(people), State.LEGAL_REVIEW)


def sent(kind):
    return Notification.objects.filter(kind=kind).count()


# -- stages --------------------------------------------------------------------------------------------


def test_a_stage_entering_review_is_scheduled_at_its_deadline(people, clock):
    assessment = at_legal(people)
    assert assessment.next_reminder_at == stage_due_at(assessment)
    assert reload(assessment).next_reminder_at == stage_due_at(assessment)


def test_moving_on_restarts_the_schedule_and_leaving_review_clears_it(people, clock):
    assessment = at_legal(people)
    clock.shift(timedelta(days=20))
    sweeps.stage_reminders()
    assert reload(assessment).next_reminder_at > timezone.now()  # moved on past the first reminder
    clock.shift(timedelta(hours=2))
    at_security = act(people, assessment, "approve")
    assert (
        reload(at_security).next_reminder_at
        == stage_due_at(at_security)
        == timezone.now() + timedelta(days=django_settings.REVIEW_DEADLINE_DAYS[at_security.risk_level])
    )
    changes = act(people, at_security, "request_changes")
    assert reload(changes).next_reminder_at is None
    back = act(people, changes, "resubmit")
    assert reload(back).next_reminder_at == stage_due_at(back)
    assert reload(act(people, back, "withdraw", by=people.alice)).next_reminder_at is None


@pytest.mark.parametrize("decision", ["reject", "last_approval"])
def test_a_decided_review_has_no_schedule(people, clock, decision):
    if decision == "reject":
        assessment = act(people, at_legal(people), "reject")
    else:
        assessment = advance(people, create_draft(people), State.APPROVED)
    assert reload(assessment).next_reminder_at is None


def test_saving_without_a_change_to_the_stage_keeps_the_moved_schedule(people, clock):
    assessment = at_legal(people)
    clock.shift(timedelta(days=20))
    sweeps.stage_reminders()
    moved = reload(assessment).next_reminder_at
    locked = reload(assessment)
    locked.updated_at = timezone.now()
    locked.save()
    assert reload(assessment).next_reminder_at == moved


def test_the_reminder_comes_just_after_the_deadline_to_the_microsecond(people, clock):
    assessment = at_legal(people)
    due = stage_due_at(assessment)
    clock.move_to(due - MICROSECOND)
    assert sweeps.stage_reminders() == []
    assert reload(assessment).next_reminder_at == due
    clock.move_to(due)  # due, not overdue (as the queue says): nothing yet, and the stage stays due for the next sweep
    assert sweeps.stage_reminders() == []
    assert reload(assessment).next_reminder_at == due
    clock.move_to(due + MICROSECOND)
    assert [n.kind for n in sweeps.stage_reminders()] == ["stage_overdue"]


def test_after_a_sweep_the_next_reminder_is_the_next_period_exactly_24_hours_on(people, clock):
    assessment = at_legal(people)
    due = stage_due_at(assessment)
    clock.move_to(due + timedelta(hours=5))
    assert len(sweeps.stage_reminders()) == 1
    assert reload(assessment).next_reminder_at == due + timedelta(hours=24)
    clock.move_to(due + timedelta(hours=24) - MICROSECOND)
    assert sweeps.stage_reminders() == []
    clock.move_to(due + timedelta(hours=24))
    assert [n.kind for n in sweeps.stage_reminders()] == ["stage_overdue"]
    assert reload(assessment).next_reminder_at == due + timedelta(hours=48)
    assert kinds_of(people.reviewers["legal"]).count("stage_overdue") == 2


def test_a_sweep_that_missed_periods_sends_one_reminder_and_schedules_the_next_period(people, clock):
    assessment = at_legal(people)
    due = stage_due_at(assessment)
    clock.move_to(due + timedelta(days=1, hours=23))  # the sweep did not run for two days
    assert len([n for n in sweeps.stage_reminders() if n.kind == "stage_overdue"]) == 1
    assert reload(assessment).next_reminder_at == due + timedelta(days=2)


def test_the_escalation_is_scheduled_when_it_comes_before_the_next_period(people, clock, settings):
    settings.STAGE_REMINDER_EVERY_HOURS = 48  # periods at the deadline, +48 h, +96 h; the escalation at +72 h
    assessment = at_legal(people)
    due = stage_due_at(assessment)
    escalation = due + timedelta(days=settings.STAGE_ESCALATION_AFTER_DAYS)
    clock.move_to(due + timedelta(hours=49))
    sweeps.stage_reminders()
    assert reload(assessment).next_reminder_at == escalation
    clock.move_to(escalation - MICROSECOND)
    assert sweeps.stage_reminders() == []
    assert received(people.chair) == []
    clock.move_to(escalation)
    assert [n.kind for n in sweeps.stage_reminders()] == ["stage_escalated"]
    assert received(people.chair) == [("stage_escalated", assessment.pk)]
    assert reload(assessment).next_reminder_at == due + timedelta(hours=96)


def test_a_passed_escalation_is_not_scheduled_again(people, clock):
    assessment = at_legal(people)
    due = stage_due_at(assessment)
    clock.move_to(due + timedelta(days=3, hours=1))
    assert sorted(n.kind for n in sweeps.stage_reminders()) == ["stage_escalated", "stage_overdue"]
    assert reload(assessment).next_reminder_at == due + timedelta(days=4)


def test_a_due_row_no_longer_in_review_loses_its_schedule(people, clock):
    assessment = act(people, at_legal(people), "reject")
    # A schedule left behind (a row changed behind the services): the sweep clears it and sends nothing.
    Assessment.objects.filter(pk=assessment.pk).update(next_reminder_at=timezone.now() - DAY)
    assert sweeps.stage_reminders() == []
    assert reload(assessment).next_reminder_at is None


def steady_state_queries(now):
    """The queries of a stage sweep at a moment when nothing new is due; checks nothing is due."""
    assert not Assessment.objects.filter(next_reminder_at__lte=now).exists()
    with CaptureQueriesContext(connection) as captured:
        assert sweeps.stage_reminders(now) == []
    return len(captured.captured_queries)


def test_the_steady_state_costs_the_same_with_2_and_20_overdue_stages(people, clock):
    start = timezone.now()
    for _ in range(2):
        at_legal(people)
    later = start + timedelta(days=30)
    clock.move_to(later)
    assert sent("stage_overdue") == 0
    sweeps.stage_reminders()
    assert sent("stage_overdue") == 2
    with_2 = steady_state_queries(later)
    clock.move_to(start)
    for _ in range(18):
        at_legal(people)
    clock.move_to(later)
    sweeps.stage_reminders()
    assert sent("stage_overdue") == 20
    with_20 = steady_state_queries(later)
    assert with_2 == with_20


# -- conditions ----------------------------------------------------------------------------------------------


def with_condition(people, due_in_days):
    assessment = advance(people, create_draft(people), State.CLINICAL_REVIEW)
    due = timezone.localdate() + timedelta(days=due_in_days)
    condition = {"text": "Report acceptance per language monthly.", "owner": "ben", "due_date": due.isoformat()}
    assessment = act(people, assessment, "approve", conditions=[condition])
    return assessment, assessment.conditions.get()


def on_day(clock, day):
    clock.move_to(timezone.make_aware(timezone.datetime.combine(day, clock.now().time())))


def next_day(condition):
    return Condition.objects.get(pk=condition.pk).next_reminder_on


def test_a_condition_is_scheduled_before_on_and_weekly_after_its_due_date(people, clock):
    _, condition = with_condition(people, due_in_days=20)
    due = condition.due_date
    assert next_day(condition) == due - timedelta(days=7)
    steps = [  # (day, kinds sent that day, the next day scheduled)
        (due - timedelta(days=8), [], due - timedelta(days=7)),
        (due - timedelta(days=7), ["condition_due_soon"], due),
        (due - DAY, [], due),
        (due, ["condition_due"], due + timedelta(days=7)),
        (due + timedelta(days=6), [], due + timedelta(days=7)),
        (due + timedelta(days=7), ["condition_overdue"], due + timedelta(days=14)),
        (due + timedelta(days=13), [], due + timedelta(days=14)),
        (due + timedelta(days=14), ["condition_overdue"], due + timedelta(days=21)),
    ]
    for day, kinds, scheduled in steps:
        on_day(clock, day)
        assert [n.kind for n in sweeps.condition_reminders()] == kinds, day
        assert next_day(condition) == scheduled, day


def test_closing_a_condition_stops_its_reminders(people, clock):
    _, condition = with_condition(people, due_in_days=20)
    services.condition_mark_met(condition=condition, by=people.alice, evidence="Done.")
    assert next_day(condition) is None
    on_day(clock, condition.due_date)
    assert sweeps.condition_reminders() == []


def test_a_change_request_supersedes_the_rounds_conditions_and_their_schedule(people, clock):
    at_product, condition = with_condition(people, due_in_days=3)
    act(people, at_product, "request_changes")
    assert next_day(condition) is None
    assert sweeps.condition_reminders() == []


def test_the_condition_of_an_ended_assessment_is_cleaned_by_the_sweep(people, clock):
    at_product, condition = with_condition(people, due_in_days=3)
    act(people, at_product, "reject")
    assert next_day(condition) is not None  # the transition leaves it; the sweep cleans it
    assert sweeps.condition_reminders() == []
    assert next_day(condition) is None


def test_the_steady_state_costs_the_same_with_1_and_3_conditions_due(people, clock):
    def steady():
        today = timezone.localdate()
        assert not Condition.objects.filter(next_reminder_on__lte=today).exists()
        with CaptureQueriesContext(connection) as captured:
            assert sweeps.condition_reminders() == []
        return len(captured.captured_queries)

    start = timezone.now()
    with_condition(people, due_in_days=3)
    assert len(sweeps.condition_reminders()) == 1
    with_1 = steady()
    clock.move_to(start)
    for _ in range(2):
        with_condition(people, due_in_days=3)
    assert len(sweeps.condition_reminders()) == 2
    assert steady() == with_1


# -- settings changes -----------------------------------------------------------------------------------------


def test_a_shorter_deadline_is_applied_by_the_reschedule(people, clock, settings):
    assessment = at_legal(people)
    clock.shift(timedelta(days=3, hours=1))
    assert sweeps.stage_reminders() == []
    settings.REVIEW_DEADLINE_DAYS = dict.fromkeys(settings.REVIEW_DEADLINE_DAYS, 2)
    assert sweeps.stage_reminders() == []  # the stored schedule still says the old deadline
    assert sweeps.reminders_reschedule() == 1
    assert reload(assessment).next_reminder_at == assessment.stage_entered_at + timedelta(days=2)
    assert [n.kind for n in sweeps.stage_reminders()] == ["stage_overdue"]
    assert sweeps.reminders_reschedule() == 0  # nothing to put right any more


def test_a_longer_deadline_moves_the_schedule_later(people, clock, settings):
    assessment = at_legal(people)
    old_due = stage_due_at(assessment)
    settings.REVIEW_DEADLINE_DAYS = dict.fromkeys(settings.REVIEW_DEADLINE_DAYS, 30)
    call_command("reminders_reschedule", stdout=StringIO())
    assert reload(assessment).next_reminder_at == assessment.stage_entered_at + timedelta(days=30)
    clock.move_to(old_due + DAY)
    assert sweeps.stage_reminders() == []


def test_a_shorter_reminder_interval_applies_after_the_reschedule(people, clock, settings):
    settings.STAGE_REMINDER_EVERY_HOURS = 72
    assessment = at_legal(people)
    due = stage_due_at(assessment)
    clock.move_to(due + timedelta(hours=1))
    sweeps.stage_reminders()
    assert reload(assessment).next_reminder_at == due + timedelta(hours=72)
    settings.STAGE_REMINDER_EVERY_HOURS = 24
    clock.move_to(due + timedelta(hours=24))
    assert sweeps.stage_reminders() == []  # the stored schedule still says 72 hours
    assert sweeps.reminders_reschedule() == 1
    assert [n.kind for n in sweeps.stage_reminders()] == ["stage_overdue"]
    assert reload(assessment).next_reminder_at == due + timedelta(hours=48)


def test_an_unchanged_setting_changes_no_schedule(people, clock):
    at_legal(people)
    with_condition(people, due_in_days=30)
    clock.shift(timedelta(days=12))
    sweeps.stage_reminders()
    sweeps.condition_reminders()
    assert sweeps.reminders_reschedule() == 0


def test_a_changed_condition_notice_period_is_applied_by_the_reschedule(people, clock, settings):
    _, condition = with_condition(people, due_in_days=20)
    settings.CONDITION_REMINDER_DAYS_BEFORE = 14
    assert sweeps.reminders_reschedule() == 1
    assert next_day(condition) == condition.due_date - timedelta(days=14)


def test_restart_puts_every_open_schedule_back_to_its_start_and_nothing_is_sent_twice(people, clock):
    assessment = at_legal(people)
    _, condition = with_condition(people, due_in_days=3)
    clock.shift(timedelta(days=20))
    first = len(sweeps.stage_reminders()) + len(sweeps.condition_reminders())
    assert first > 0
    out = StringIO()
    call_command("reminders_reschedule", "--restart", stdout=out)
    assert "reminder schedules changed" in out.getvalue()
    assert reload(assessment).next_reminder_at == stage_due_at(reload(assessment))
    assert next_day(condition) == condition.due_date - timedelta(days=7)
    assert sweeps.stage_reminders() == [] and sweeps.condition_reminders() == []


def test_beat_runs_the_reschedule_daily():
    entry = django_settings.CELERY_BEAT_SCHEDULE["reminders-reschedule"]
    assert entry == {"task": "committee.tasks.reminders_reschedule", "schedule": 24 * 3600}


# -- the audit log ------------------------------------------------------------------------------------------------


def test_the_audit_verifier_still_passes_after_the_sweeps_moved_schedules(people, clock):
    at_legal(people)
    with_condition(people, due_in_days=3)
    clock.shift(timedelta(days=20))
    sweeps.stage_reminders()
    sweeps.condition_reminders()
    sweeps.reminders_reschedule(restart=True)
    status, output = verify()
    assert status == 0, output


# -- two sweeps at once (PostgreSQL) ------------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_sweep_skips_the_stages_another_sweep_holds_instead_of_waiting(people):
    if connection.vendor != "postgresql":
        pytest.skip("row locks are exercised on PostgreSQL (CI runs the suite there too)")
    import threading

    from django.db import connections, transaction

    held, release = threading.Event(), threading.Event()
    first, second = at_legal(people), at_legal(people)
    now = stage_due_at(first) + timedelta(hours=1)

    def hold():
        try:
            with transaction.atomic():
                Assessment.objects.select_for_update().get(pk=first.pk)
                held.set()
                release.wait(timeout=20)
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert held.wait(timeout=10)
        assert {n.assessment_id for n in sweeps.stage_reminders(now)} == {second.pk}
    finally:
        release.set()
        holder.join(timeout=20)
    assert reload(first).next_reminder_at == stage_due_at(first)  # not taken: the next sweep does it
    assert {n.assessment_id for n in sweeps.stage_reminders(now)} == {first.pk}
