from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from assessments import signing
from assessments.audit import audit_verify, load_checkpoint


class Command(BaseCommand):
    help = (
        "Verify the audit log: every row's hash and link, the signed head, the given checkpoints, and each "
        "assessment's state, sign-offs and grants and every record a decision rests on (bias evidence, notes, flags, "
        "conditions, comments) against the log. Lists every problem; exits 0 only when all hold."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--checkpoint",
            action="append",
            default=[],
            metavar="FILE",
            help="A checkpoint printed by audit_checkpoint and kept outside the database (repeatable).",
        )
        parser.add_argument(
            "--public-key",
            action="append",
            default=[],
            metavar="FILE",
            help="A published public key (PEM) to trust besides the configured ones (repeatable).",
        )

    def handle(self, *args, **options):
        try:
            return self._verify(**options)
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from None

    def _verify(self, *, checkpoint, public_key, **options):
        keys = []
        for path in public_key:
            try:
                with open(path, "rb") as handle:
                    keys.extend(signing.load_public_keys(handle.read(), source=path).values())
            except OSError as error:
                raise CommandError(f"Cannot read the public key {path}: {error.strerror}") from None
        report = audit_verify(checkpoints=[load_checkpoint(path) for path in checkpoint], public_keys=keys)
        for problem in report.problems:
            self.stdout.write(f"PROBLEM [{problem.kind}] {problem.message}")
        if not report.ok:
            raise CommandError(report.summary())
        self.stdout.write(self.style.SUCCESS(report.summary()))
