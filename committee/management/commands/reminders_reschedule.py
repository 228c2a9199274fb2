from django.core.management.base import BaseCommand

from committee.sweeps import reminders_reschedule


class Command(BaseCommand):
    help = (
        "Put the stored reminder schedules (overdue stages, dated conditions) right for the current settings "
        "(REVIEW_DEADLINE_DAYS, STAGE_REMINDER_EVERY_HOURS, STAGE_ESCALATION_AFTER_DAYS, CONDITION_*). "
        "Beat runs it daily; run it after changing one of them for the change to apply at once."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--restart",
            action="store_true",
            help="Put every open schedule back to its start (after rows were changed behind the services); "
            "the next sweep looks at everything overdue once and sends only what was not sent.",
        )

    def handle(self, *args, restart=False, **options):
        changed = reminders_reschedule(restart=restart)
        self.stdout.write(f"{changed} reminder schedules changed.")
