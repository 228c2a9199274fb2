"""Team membership has one store, the team's group; conditions are due by a date or before launch,
and have a status (open, met, superseded)."""

from django.db import migrations, models


def members_into_groups(apps, schema_editor):
    Team = apps.get_model("assessments", "Team")
    for team in Team.objects.all():
        users = list(team.members.all())
        if users:
            team.group.user_set.add(*users)


def met_into_status(apps, schema_editor):
    Condition = apps.get_model("assessments", "Condition")
    Condition.objects.filter(met=True).update(status="met", closed_at=models.F("met_at"))


def status_into_met(apps, schema_editor):
    Condition = apps.get_model("assessments", "Condition")
    Condition.objects.filter(status="met").update(met=True, met_at=models.F("closed_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0003_direct_object_permissions"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.RunPython(members_into_groups, migrations.RunPython.noop),
        migrations.RemoveField(model_name="team", name="members"),
        migrations.AddField(
            model_name="condition",
            name="before_launch",
            field=models.BooleanField(default=False, help_text="Must be met before the feature launches."),
        ),
        migrations.AddField(
            model_name="condition",
            name="status",
            field=models.CharField(
                choices=[("open", "Open"), ("met", "Met"), ("superseded", "Superseded")], default="open", max_length=20
            ),
        ),
        migrations.AddField(
            model_name="condition", name="closed_at", field=models.DateTimeField(blank=True, null=True)
        ),
        migrations.RunPython(met_into_status, status_into_met),
        migrations.RemoveField(model_name="condition", name="met"),
        migrations.RemoveField(model_name="condition", name="met_at"),
        migrations.AlterField(model_name="condition", name="due_date", field=models.DateField(blank=True, null=True)),
        migrations.AddConstraint(
            model_name="condition",
            constraint=models.CheckConstraint(
                condition=models.Q(due_date__isnull=False) | models.Q(before_launch=True),
                name="condition_has_a_due_date_or_before_launch",
            ),
        ),
    ]
