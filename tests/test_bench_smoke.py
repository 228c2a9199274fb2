"""The benchmark's seeder makes the rows the workflow makes (bench/seed.py).

A tiny seed, checked three ways: the spread (every state, every team in several
states, years of ages); the grants against the one grants function; and the whole
story against the services themselves: stories replayed through
``assessments.services`` write the same audit rows, sign-offs and grants, and
``audit_verify`` finds the seeded log and tables consistent.
"""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from assessments import services
from assessments.audit import audit_verify
from assessments.grants import grant_rows, grants_sync
from assessments.models import (
    Assessment,
    AssessmentGroupObjectPermission,
    AuditEntry,
    Condition,
    SignOff,
    State,
    Team,
)
from bench.seed import seed

pytestmark = pytest.mark.django_db(transaction=False)

SIZE = 60


@pytest.fixture
def seeded(db):
    counts = seed(SIZE)
    return counts


def _grants(assessment):
    return set(
        AssessmentGroupObjectPermission.objects.filter(content_object=assessment).values_list(
            "group__name", "permission__codename"
        )
    )


def test_every_state_every_team_in_several_states_and_years_of_ages(seeded):
    assert seeded["assessment"] == SIZE == Assessment.objects.count()
    assert set(Assessment.objects.values_list("state", flat=True)) == set(State.values)
    for team in Team.objects.filter(slug__startswith="bench-team-"):
        states = set(Assessment.objects.filter(feature__team=team).values_list("state", flat=True))
        assert len(states) >= 4, (team.slug, states)
    oldest = Assessment.objects.order_by("created_at").first().created_at
    assert oldest < timezone.now() - timedelta(days=365)
    assert SignOff.objects.filter(invalidated_at__isnull=False).exists()
    assert Assessment.objects.filter(version=2).exists()


def test_grants_are_the_grants_function_s(seeded):
    sample = list(Assessment.objects.select_related("feature__team__group").order_by("pk")[::3])
    for assessment in sample:
        before = _grants(assessment)
        expected = {(row.group.name, row.permission.codename) for row in grant_rows([assessment])}
        assert before == expected, assessment.pk
        grants_sync(assessment)  # adds what is missing, removes what is extra: nothing to do
        assert _grants(assessment) == before


def test_the_log_replays_to_the_tables(seeded):
    report = audit_verify()
    assert report.ok, [p.message for p in report.problems[:5]]
    assert report.rows == seeded["audit"] == AuditEntry.objects.count()


def test_reminder_schedules_are_the_ones_saving_would_set(seeded):
    for row in [*Assessment.objects.order_by("pk"), *Condition.objects.order_by("pk")]:
        stored = row.next_reminder_at if isinstance(row, Assessment) else row.next_reminder_on
        row.schedule_start()
        assert stored == (row.next_reminder_at if isinstance(row, Assessment) else row.next_reminder_on), row.pk
    assert Assessment.objects.filter(next_reminder_at__isnull=False).exists()
    assert Condition.objects.filter(next_reminder_on__isnull=False).exists()


def _shape(entry, names):
    """An audit row without what differs between two runs (ids, moments, hashes, the feature's name)."""
    details = {k: v for k, v in entry.details.items() if k not in ("sign_off_id", "team", "signed_hash")}
    if "next_review_due" in details:  # a date counted from the moment of launch
        details["next_review_due"] = True
    if "manifestation" in details:  # the moment of signing differs between the runs
        details["manifestation"] = {k: v for k, v in details["manifestation"].items() if k != "signed_at"}
    if "batch" in details:  # one measurement's random id
        details["batch"] = True
    if "records" in details:  # the rows recorded: their tables, fields and number (ids and moments differ)
        details["records"] = {t: (block["fields"], len(block["rows"])) for t, block in details["records"].items()}
    if "provenance" in details:  # its row's id and token, who and when
        details["provenance"] = {
            k: v for k, v in details["provenance"].items() if k not in ("id", "token", "created_at", "created_by_id")
        }
        details["rows"] = [{k: v for k, v in row.items() if k != "id"} for row in details["rows"]]
    return (
        entry.action,
        entry.transition,
        entry.from_state,
        entry.to_state,
        names.get(entry.actor_username, entry.actor_username),
        entry.comment,
        details,
    )


def test_stories_replayed_through_the_services_write_the_same_rows(seeded):
    """Every single-version story without conditions, taken again step by step through the services."""
    users = {u.pk: u for u in get_user_model().objects.all()}
    stories = (
        Assessment.objects.filter(version=1, feature__assessments__version=1)
        .exclude(feature__assessments__version=2)
        .exclude(conditions__isnull=False)
        .select_related("feature__team")
        .order_by("pk")
    )
    replayed = 0
    for original in stories:
        rows = list(AuditEntry.objects.filter(assessment_id=original.pk).order_by("seq"))
        first_purpose = original.answers["overview.purpose"].split(" (revision ")[0]
        owner = original.feature.owner
        copy = services.assessment_create(
            team=original.feature.team,
            feature_name=f"{original.feature.name} replayed",
            answers={**original.answers, "overview.purpose": first_purpose},
            by=owner,
        )
        for row in rows[1:]:
            actor = users[row.actor_id]
            if row.action == AuditEntry.Action.ANSWERS_CHANGED:
                services.assessment_update_answers(
                    assessment=copy, answers={q: c["to"] for q, c in row.details["changed"].items()}, by=actor
                )
            elif row.action == AuditEntry.Action.BIAS_EVIDENCE_ADDED:
                services.bias_results_add(
                    description=row.details["provenance"]["description"],
                    assessment=copy,
                    rows=[{**r, "n": r["sample_size"]} for r in row.details["rows"]],
                    by=actor,
                )
            elif row.action == AuditEntry.Action.TRANSITION:
                services.assessment_transition(assessment=copy, name=row.transition, by=actor, comment=row.comment)
        copy.refresh_from_db()
        again = list(AuditEntry.objects.filter(assessment_id=copy.pk).order_by("seq"))
        assert [_shape(e, {}) for e in again] == [_shape(e, {}) for e in rows], original.pk
        assert (copy.state, copy.review_round) == (original.state, original.review_round)
        assert bool(copy.stage_entered_at) == bool(original.stage_entered_at)
        if original.next_reminder_at or copy.next_reminder_at:  # the same time after entering the stage
            assert copy.next_reminder_at - copy.stage_entered_at == (
                original.next_reminder_at - original.stage_entered_at
            )
        assert bool(copy.decided_at) == bool(original.decided_at)
        assert bool(copy.launched_at) == bool(original.launched_at)

        def sign_offs(a):
            return [
                (s.stage, s.review_round, s.reviewer_id, s.decision, s.comment, s.invalidated_at is None)
                for s in a.sign_offs.order_by("review_round", "created_at", "pk")
            ]

        assert sign_offs(copy) == sign_offs(original)
        assert _grants(copy) == _grants(original)
        assert copy.bias_results.count() == original.bias_results.count()
        replayed += 1
    assert replayed >= 10
    assert audit_verify().ok
