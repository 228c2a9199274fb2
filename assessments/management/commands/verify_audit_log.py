from django.core.management.base import BaseCommand, CommandError

from assessments.audit import audit_verify


class Command(BaseCommand):
    help = "Verify the hash-chained audit log; exit non-zero naming the first broken row."

    def handle(self, *args, **options):
        report = audit_verify()
        if not report.ok:
            raise CommandError(report.message)
        self.stdout.write(self.style.SUCCESS(report.message))
