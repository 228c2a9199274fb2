"""Migration 0010 fills the reminder schedules of existing rows as saving them would have."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from assessments.deadlines import stage_due_at
from assessments.models import Assessment, Condition, State

from ..workflow import act, advance, create_draft

BEFORE = [("assessments", "0009_question_comments")]
AFTER = [("assessments", "0010_reminder_schedules")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


def schedules():
    return (
        dict(Assessment.objects.values_list("pk", "next_reminder_at")),
        dict(Condition.objects.values_list("pk", "next_reminder_on")),
    )


@pytest.mark.django_db(transaction=True)
def test_the_backfill_sets_what_saving_sets(people):
    advance(people, create_draft(people), State.SECURITY_REVIEW)
    advance(people, create_draft(people), State.APPROVED)
    approved = advance(people, create_draft(people), State.CLINICAL_REVIEW)
    due = (timezone.localdate() + timedelta(days=30)).isoformat()
    at_product = act(
        people, approved, "approve", conditions=[{"text": "A model card.", "owner": "ben", "due_date": due}]
    )
    rejected = advance(people, create_draft(people), State.CLINICAL_REVIEW)
    rejected = act(people, rejected, "approve", conditions=[{"text": "Logs.", "owner": "ben", "due_date": due}])
    act(people, rejected, "reject")
    # An old stage, overdue long ago: scheduled at its deadline (the first sweep looks at it once).
    Assessment.objects.filter(pk=at_product.pk).update(stage_entered_at=timezone.now() - timedelta(days=40))
    expected = schedules()
    expected[0][at_product.pk] = stage_due_at(Assessment.objects.get(pk=at_product.pk))
    assert any(expected[0].values()) and any(expected[1].values())
    try:
        migrate(BEFORE)
        migrate(AFTER)
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    stages, conditions = schedules()
    assert stages == expected[0]
    # The rejected assessment's condition is cleaned at once (the sweep would clean it when due).
    assert conditions == {**expected[1], rejected.conditions.get().pk: None}
