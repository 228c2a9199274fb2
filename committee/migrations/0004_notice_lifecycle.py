"""Notices with a lifecycle: a category (action or info), what an action is about, and when it was resolved.

Existing notices get their category and action fields from their stored context, and those whose
action is already done or moot are resolved, by the same rule the receivers apply from now on.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0010_reminder_schedules"),
        ("committee", "0003_notices_and_outbox"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="notification",
            name="category",
            field=models.CharField(
                choices=[("action", "Needs you"), ("info", "For your information")], default="info", max_length=10
            ),
        ),
        migrations.AddField(
            model_name="notification",
            name="condition",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="notifications",
                to="assessments.condition",
            ),
        ),
        migrations.AddField(
            model_name="notification",
            name="resolved_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="notification",
            name="review_round",
            field=models.PositiveIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="notification",
            name="stage",
            field=models.CharField(blank=True, max_length=20),
        ),
    ]
