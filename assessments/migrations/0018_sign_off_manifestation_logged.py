"""A sign-off's manifestation is in the audit log's records (assessments.audit_records.COVERED).

Decisions made since migration 0016 state their manifestation in their audit entry, which the replay reads as
their record; this enters, once, what no entry states: the time of signing of the sign-offs made before 0016
(assessments.audit_backfill, trust on first use, as 0013). On an installation made since 0016 it appends
nothing. Run it with AUDIT_SIGNING_KEY set, like every process that appends.
"""

from django.db import migrations

from assessments.audit_backfill import record_unlogged_rows


def record_existing_manifestations(apps, schema_editor):
    appended = record_unlogged_rows(apps)
    if appended:
        print(f"\n  Recorded the existing sign-offs' manifestations in {appended} audit entries.")


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0017_condition_edited_action"),
    ]

    operations = [
        # Nothing to undo: the entries stay in the append-only log.
        migrations.RunPython(record_existing_manifestations, migrations.RunPython.noop, elidable=False),
    ]
