"""Indexes matching the orderings of the list, the API, the queue, the admin and the auditor's workspace, and the
per-assessment lookup of group grants that visibility makes (``selectors.visibility_condition``), which replaces the
grant table's single-column index on the assessment."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0006_audit_reminder_sent"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="assessment",
            index=models.Index(fields=["-updated_at", "-id"], name="assessment_updated_idx"),
        ),
        migrations.AddIndex(
            model_name="assessment",
            index=models.Index(fields=["state", "-updated_at", "-id"], name="assessment_state_updated_idx"),
        ),
        migrations.AddIndex(
            model_name="assessment",
            index=models.Index(fields=["state", "stage_entered_at", "id"], name="assessment_queue_idx"),
        ),
        migrations.AddIndex(
            model_name="assessment",
            index=models.Index(fields=["-decided_at", "-updated_at", "-id"], name="assessment_decided_idx"),
        ),
        migrations.AddIndex(
            model_name="assessmentgroupobjectpermission",
            index=models.Index(fields=["content_object", "permission", "group"], name="assessment_grant_lookup_idx"),
        ),
        migrations.AlterField(
            model_name="assessmentgroupobjectpermission",
            name="content_object",
            field=models.ForeignKey(
                db_index=False, on_delete=django.db.models.deletion.CASCADE, to="assessments.assessment"
            ),
        ),
    ]
