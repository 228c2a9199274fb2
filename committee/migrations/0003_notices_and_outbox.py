import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def structure_free_text(apps, schema_editor):
    """Rows written before notices were structured keep their text as a "message" notice."""
    Notification = apps.get_model("committee", "Notification")
    for notification in Notification.objects.all().iterator():
        notification.kind = "message"
        notification.key = f"message:{notification.pk}"
        notification.context = {"subject": notification.subject, "body": notification.body}
        notification.save(update_fields=["kind", "key", "context"])


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0004_one_membership_store_and_condition_status"),
        ("committee", "0002_notification"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="OutboxEmail",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "kind",
                    models.CharField(
                        choices=[("notice", "Notice"), ("digest", "Daily digest")], default="notice", max_length=10
                    ),
                ),
                ("key", models.CharField(max_length=220, unique=True)),
                (
                    "digest_of",
                    models.DateField(blank=True, help_text="The day of a daily digest.", null=True),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("pending", "Waiting to be sent"),
                            ("sending", "Being sent"),
                            ("sent", "Sent"),
                            ("failed", "Gave up"),
                        ],
                        default="pending",
                        max_length=10,
                    ),
                ),
                ("attempts", models.PositiveSmallIntegerField(default=0)),
                ("next_attempt_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("claimed_until", models.DateTimeField(blank=True, null=True)),
                ("sent_at", models.DateTimeField(blank=True, null=True)),
                ("last_error", models.TextField(blank=True)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "recipient",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="outbox_emails",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "outbox email",
                "ordering": ["-created_at", "-pk"],
                "indexes": [models.Index(fields=["status", "next_attempt_at"], name="outbox_due")],
            },
        ),
        migrations.CreateModel(
            name="NoticePreference",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "email",
                    models.CharField(
                        choices=[
                            ("immediate", "An email for each notice, as it happens"),
                            ("daily_digest", "One email a day that gathers the day's notices"),
                        ],
                        default="immediate",
                        max_length=20,
                    ),
                ),
                ("updated_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "user",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="notice_preference",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
        ),
        migrations.AddField(
            model_name="notification",
            name="kind",
            field=models.CharField(default="message", max_length=40),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="notification",
            name="key",
            field=models.CharField(default="", max_length=200),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="notification",
            name="context",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.AddField(
            model_name="notification",
            name="awaits_digest",
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name="notification",
            name="email",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="notifications",
                to="committee.outboxemail",
            ),
        ),
        migrations.RunPython(structure_free_text, migrations.RunPython.noop),
        migrations.RemoveField(model_name="notification", name="subject"),
        migrations.RemoveField(model_name="notification", name="body"),
        migrations.AddIndex(
            model_name="notification",
            index=models.Index(
                condition=models.Q(("awaits_digest", True)),
                fields=["created_at"],
                name="notification_awaiting_digest",
            ),
        ),
        migrations.AddConstraint(
            model_name="notification",
            constraint=models.UniqueConstraint(fields=("key", "recipient"), name="one_notification_per_event"),
        ),
    ]
