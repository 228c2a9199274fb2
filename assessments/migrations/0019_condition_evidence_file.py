"""A file as evidence that a condition is met: its name, kind, size and SHA-256 on the condition's row, in the
audit log's records (assessments.audit_records.COVERED), and its bytes in ``ConditionEvidenceFile``.

The existing conditions' new fields (empty: no file) are entered in the log once (assessments.audit_backfill, as
0018); on an installation without conditions it appends nothing. Run it with AUDIT_SIGNING_KEY set.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

from assessments.audit_backfill import record_unlogged_rows


def record_existing_conditions(apps, schema_editor):
    appended = record_unlogged_rows(apps)
    if appended:
        print(f"\n  Recorded the existing conditions' evidence files (none) in {appended} audit entries.")


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0018_sign_off_manifestation_logged"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="condition",
            name="evidence_file_name",
            field=models.CharField(blank=True, db_default="", default="", max_length=255),
        ),
        migrations.AddField(
            model_name="condition",
            name="evidence_file_sha256",
            field=models.CharField(blank=True, db_default="", default="", max_length=64),
        ),
        migrations.AddField(
            model_name="condition",
            name="evidence_file_size",
            field=models.PositiveIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="condition",
            name="evidence_file_type",
            field=models.CharField(blank=True, db_default="", default="", max_length=100),
        ),
        migrations.CreateModel(
            name="ConditionEvidenceFile",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("sha256", models.CharField(max_length=64)),
                ("name", models.CharField(max_length=255)),
                ("content_type", models.CharField(max_length=100)),
                ("size", models.PositiveIntegerField()),
                ("data", models.BinaryField()),
                ("uploaded_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "condition",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="evidence_files",
                        to="assessments.condition",
                    ),
                ),
                (
                    "uploaded_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(fields=("condition", "sha256"), name="condition_evidence_file_once")
                ],
            },
        ),
        # Nothing to undo: the entries stay in the append-only log.
        migrations.RunPython(record_existing_conditions, migrations.RunPython.noop, elidable=False),
    ]
