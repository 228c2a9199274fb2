"""Conditions carried and confirmed: statuses proposed, open, awaiting_confirmation, met, dropped.

Existing rows: open and met stay. A "superseded" condition (its round ended with a change request) becomes
``proposed`` while its domain has yet to sign the assessment's current or coming round, so its reviewer keeps
or drops it; otherwise (the domain signed again, or the assessment ended) it is ``dropped``, keeping its
closing time.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

REVIEW_STATES = ("legal_review", "security_review", "clinical_review", "product_review", "data_ai_review")


def carry_superseded(apps, schema_editor):
    Condition = apps.get_model("assessments", "Condition")
    SignOff = apps.get_model("assessments", "SignOff")
    for condition in Condition.objects.filter(status="superseded").select_related("assessment", "sign_off"):
        assessment = condition.assessment
        stage = condition.sign_off.stage if condition.sign_off_id else None
        proposed = False
        if stage and assessment.state == "changes_requested":
            proposed = condition.sign_off.review_round == assessment.review_round
        elif stage and assessment.state in REVIEW_STATES:
            signed_again = SignOff.objects.filter(
                assessment_id=assessment.pk, review_round=assessment.review_round, stage=stage
            ).exists()
            proposed = condition.sign_off.review_round == assessment.review_round - 1 and not signed_again
        if proposed:
            Condition.objects.filter(pk=condition.pk).update(status="proposed", closed_at=None, next_reminder_on=None)
        else:
            Condition.objects.filter(pk=condition.pk).update(status="dropped", next_reminder_on=None)


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0011_bias_batch_provenance"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="condition",
            name="evidence",
            field=models.TextField(blank=True, db_default="", default=""),
        ),
        migrations.AddField(
            model_name="condition",
            name="marked_met_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="condition",
            name="marked_met_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="condition",
            name="review_comment",
            field=models.TextField(blank=True, db_default="", default=""),
        ),
        migrations.AddField(
            model_name="condition",
            name="reviewed_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="condition",
            name="reviewed_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
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
                    ("condition_marked_met", "Condition marked met"),
                    ("condition_confirmed", "Condition confirmed met"),
                    ("condition_reopened", "Condition reopened"),
                    ("condition_dropped", "Condition dropped"),
                    ("sign_off_invalidated", "Sign-off invalidated"),
                    ("reminder_sent", "Reminder sent"),
                    ("bias_justified", "Bias dimension justified"),
                    ("bias_mitigated", "Bias flag mitigated"),
                    ("bias_flags_raised", "Bias flags raised by monitoring"),
                    ("question_comment", "Question comment"),
                ],
                max_length=30,
            ),
        ),
        migrations.AlterField(
            model_name="condition",
            name="status",
            field=models.CharField(
                choices=[
                    ("proposed", "Proposed"),
                    ("open", "Open"),
                    ("awaiting_confirmation", "Awaiting confirmation"),
                    ("met", "Met"),
                    ("dropped", "Dropped"),
                ],
                default="open",
                max_length=30,
            ),
        ),
        migrations.RunPython(carry_superseded, migrations.RunPython.noop),
    ]
