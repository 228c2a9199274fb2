"""Notices with a lifecycle: a category (action or info), what an action is about, and when it was resolved.

Existing notices get their category and action fields from their stored context, and those whose
action is already done or moot are resolved, by the same rule the receivers apply from now on.
"""

from django.db import migrations, models
from django.db.models import BigIntegerField, PositiveIntegerField, Q, Value
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone

from committee.lifecycle import ACTION, ACTION_KINDS, CHANGE_REQUEST_KIND, notices_resolve


def categorise_and_resolve(apps, schema_editor):
    Notification = apps.get_model("committee", "Notification")
    Condition = apps.get_model("assessments", "Condition")
    actions = Notification.objects.filter(
        Q(kind__in=ACTION_KINDS) | Q(kind=CHANGE_REQUEST_KIND, context__decision="changes_requested")
    )
    actions.update(category=ACTION)
    actions.filter(context__has_key="stage").update(stage=Coalesce(KT("context__stage"), Value("")))
    actions.filter(context__has_key="round").update(
        review_round=Cast(KT("context__round"), output_field=PositiveIntegerField())
    )
    with_condition = actions.filter(context__has_key="condition_id")
    existing = Condition.objects.values("pk")
    with_condition.update(condition_id=Cast(KT("context__condition_id"), output_field=BigIntegerField()))
    # A condition id that names no row (none should) is dropped rather than left dangling.
    Notification.objects.filter(condition_id__isnull=False).exclude(condition_id__in=existing).update(condition_id=None)
    assessment_ids = actions.filter(assessment__isnull=False).values("assessment_id")
    notices_resolve(Notification.objects, assessment_ids=assessment_ids, now=timezone.now())


class Migration(migrations.Migration):
    # Apart from 0004's new columns: on PostgreSQL an index cannot be built in the transaction that added a
    # foreign key column to a table holding rows ("pending trigger events").
    dependencies = [
        ("committee", "0004_notice_lifecycle"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="notification",
            index=models.Index(
                condition=models.Q(("category", "action"), ("resolved_at__isnull", True)),
                fields=["recipient", "created_at"],
                name="notification_open_action",
            ),
        ),
        migrations.AddIndex(
            model_name="notification",
            index=models.Index(
                condition=models.Q(("category", "action"), ("resolved_at__isnull", True)),
                fields=["assessment"],
                name="notification_open_per_assess",
            ),
        ),
        migrations.RunPython(categorise_and_resolve, migrations.RunPython.noop),
    ]
