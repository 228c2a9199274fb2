from django.core.management.base import BaseCommand, CommandError

from assessments import signing
from assessments.models import AuditSigningKey


class Command(BaseCommand):
    help = (
        "Print the public half of the configured audit signing key (PEM), to publish; with --all, every key that "
        "has signed the log, each with its period of use."
    )

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="Every recorded key, with its validity period.")

    def handle(self, *args, all, **options):
        if all:
            for record in AuditSigningKey.objects.order_by("valid_from"):
                until = record.valid_until.isoformat() if record.valid_until else "now"
                self.stdout.write(f"# key {record.key_id}, in use from {record.valid_from.isoformat()} to {until}")
                self.stdout.write(record.public_key.strip())
            return
        signer = signing.signer_from_settings()
        if signer is None:
            raise CommandError("No AUDIT_SIGNING_KEY is configured.")
        self.stdout.write(signing.public_pem(signer.public_key), ending="")
