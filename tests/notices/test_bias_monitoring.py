"""Bias monitoring after launch: a new flag tells Data/AI and the team, and without a Data/AI mitigation
within 14 days the system moves the feature to re-assessment."""

from datetime import timedelta

import pytest
from django.core import mail

from assessments import services
from assessments.audit import audit_verify
from assessments.errors import NotPermitted, TransitionConflict
from assessments.models import AuditEntry, BiasResult, MonitoringFlag, State
from committee import sweeps, tasks
from committee.models import Notification

from ..workflow import EVIDENCE, advance, bias_rows, create_draft
from .conftest import received

SKEWED = [
    {"dimension": "race", "group": "a", "n": 400, "metric": "selection_rate", "value": 0.30},
    {"dimension": "race", "group": "b", "n": 380, "metric": "selection_rate", "value": 0.60},
]
RACE_FLAG = "ratio_below_four_fifths:race:selection_rate"


@pytest.fixture
def launched(people, clock):
    return advance(people, create_draft(people), State.LAUNCHED)


def monitor(people, assessment, rows=SKEWED, by=None):
    return services.bias_results_add(description=EVIDENCE, assessment=assessment, rows=rows, by=by or people.alice)


def test_monitoring_results_are_kept_apart_and_dated(people, launched):
    monitor(people, launched, bias_rows())

    kinds = set(BiasResult.objects.filter(assessment=launched).values_list("kind", flat=True))
    assert kinds == {"approval", "monitoring"}
    assert not MonitoringFlag.objects.exists()


def test_a_new_flag_after_launch_notifies_data_ai_and_the_team(people, launched, django_capture_on_commit_callbacks):
    data_ai = people.reviewers["data_ai"]
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        monitor(people, launched, by=data_ai)

    flag = MonitoringFlag.objects.get(assessment=launched)
    assert flag.flag == RACE_FLAG and flag.due_at == flag.raised_at + timedelta(days=14)
    for user in (people.alice, people.ben, data_ai):
        assert received(user, "bias_flag_raised") == [("bias_flag_raised", launched.pk)]
    assert received(people.reviewers["legal"], "bias_flag_raised") == []
    assert AuditEntry.objects.filter(assessment_id=launched.pk, action="bias_flags_raised").count() == 1
    assert any("Bias flag after launch" in message.subject for message in mail.outbox)
    # The same flag measured again is not new: nothing more is sent.
    monitor(people, launched)
    assert Notification.objects.filter(kind="bias_flag_raised").count() == 3


def test_after_14_days_without_a_mitigation_the_system_moves_it_to_reassessment_due(people, clock, launched):
    monitor(people, launched)

    clock.shift(timedelta(days=13, hours=23, minutes=59))
    assert sweeps.bias_reassessments_due() == []
    tasks.reassessments_sweep()
    launched.refresh_from_db()
    assert launched.state == State.LAUNCHED

    clock.shift(timedelta(minutes=1))
    assert sweeps.bias_reassessments_due() == [launched.pk]
    tasks.reassessments_sweep()
    launched.refresh_from_db()
    assert launched.state == State.REASSESSMENT_DUE
    entry = AuditEntry.objects.get(assessment_id=launched.pk, transition="bias_reassessment")
    assert entry.actor_username == "system" and entry.details["flags"] == [RACE_FLAG]
    new = launched.feature.assessments.get(version=2)
    assert new.state == State.DRAFT
    assert received(people.alice, "bias_reassessment_started") == [("bias_reassessment_started", new.pk)]
    # Delivered again: nothing more happens.
    assert sweeps.bias_reassessment_start(launched.pk) is None
    assert audit_verify().ok


def test_at_13_days_nothing_moves(people, clock, launched):
    monitor(people, launched)
    clock.shift(timedelta(days=13))

    tasks.reassessments_sweep()

    launched.refresh_from_db()
    assert launched.state == State.LAUNCHED


def test_a_data_ai_mitigation_within_14_days_keeps_it_launched(people, clock, launched):
    monitor(people, launched)
    clock.shift(timedelta(days=10))
    services.bias_mitigation_record(
        assessment=launched, flag=RACE_FLAG, text="Threshold recalibrated per group.", by=people.reviewers["data_ai"]
    )
    clock.shift(timedelta(days=30))

    assert sweeps.bias_reassessments_due() == []
    tasks.reassessments_sweep()
    launched.refresh_from_db()
    assert launched.state == State.LAUNCHED
    assert audit_verify().ok


def test_only_a_data_ai_reviewer_mitigates_a_monitoring_flag(people, launched):
    monitor(people, launched)
    for user in (people.alice, people.reviewers["legal"], people.auditor):
        with pytest.raises(NotPermitted):
            services.bias_mitigation_record(assessment=launched, flag=RACE_FLAG, text="Done.", by=user)
    with pytest.raises(TransitionConflict):
        services.bias_mitigation_record(
            assessment=launched, flag="ratio_below_four_fifths:gender:x", text="Done.", by=people.reviewers["data_ai"]
        )


def test_nobody_takes_the_bias_reassessment_by_hand(people, launched):
    from assessments.errors import InputError as Refused

    with pytest.raises(Refused):
        services.assessment_transition(assessment=launched, name="bias_reassessment", by=people.alice)


def test_the_system_cannot_take_it_while_no_flag_is_overdue(people, launched):
    with pytest.raises(TransitionConflict):
        services.assessment_transition(assessment=launched, name="bias_reassessment", by=services.SYSTEM)


def test_the_reassessment_guard_judges_at_the_transitions_clock_not_the_wall_clock(people, clock, launched):
    monitor(people, launched)
    due = MonitoringFlag.objects.get(assessment=launched).due_at

    # The wall clock is past the deadline, the sweep's clock a second before it: nothing is overdue yet.
    clock.move_to(due + timedelta(minutes=1))
    assert sweeps.bias_reassessment_start(launched.pk, now=due - timedelta(seconds=1)) is None
    launched.refresh_from_db()
    assert launched.state == State.LAUNCHED

    # The other way round: the sweep's clock has reached the deadline though the wall clock has not.
    clock.move_to(due - timedelta(minutes=1))
    new = sweeps.bias_reassessment_start(launched.pk, now=due)
    assert new is not None and new.version == 2
    entry = AuditEntry.objects.get(assessment_id=launched.pk, transition="bias_reassessment")
    assert entry.details["flags"] == [RACE_FLAG]
