"""Every record a decision rests on is in the audit log (assessments.audit_records).

Rows made before this change are entered into the chain once, as they are now (assessments.audit_backfill):
hashed, signed with AUDIT_SIGNING_KEY and appended under the head lock, so an existing installation verifies.
Run it with the signing key set; without it the entries are appended unsigned and verify_audit_log reports an
unsigned head until the next signed append.
"""

from django.db import migrations, models

from assessments.audit_backfill import record_unlogged_rows


def record_existing_rows(apps, schema_editor):
    appended = record_unlogged_rows(apps)
    if appended:
        print(f"\n  Recorded the existing evidence, notes, conditions and comments in {appended} audit entries.")


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0012_conditions_confirmed"),
    ]

    operations = [
        migrations.AlterField(
            model_name="auditentry",
            name="action",
            field=models.CharField(
                choices=[
                    ("created", "Created"),
                    ("transition", "Transition"),
                    ("answers_changed", "Answers changed"),
                    ("bias_evidence_added", "Bias evidence added"),
                    ("condition_met", "Condition met"),
                    ("sign_off_invalidated", "Sign-off invalidated"),
                    ("reminder_sent", "Reminder sent"),
                    ("bias_justified", "Bias dimension justified"),
                    ("bias_mitigated", "Bias flag mitigated"),
                    ("bias_flags_raised", "Bias flags raised by monitoring"),
                    ("question_comment", "Question comment"),
                    ("records_logged", "Existing records entered in the log"),
                ],
                max_length=30,
            ),
        ),
        # Nothing to undo: the entries stay in the append-only log.
        migrations.RunPython(record_existing_rows, migrations.RunPython.noop, elidable=False),
    ]
