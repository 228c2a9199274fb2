import os

from django.core.management.base import BaseCommand, CommandError

from assessments import signing


class Command(BaseCommand):
    help = (
        "Create a new Ed25519 audit signing key as a PEM file readable by its owner only, and print its public half. "
        "Point AUDIT_SIGNING_KEY at the file."
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True, metavar="FILE", help="Where to write the private key.")
        parser.add_argument(
            "--if-missing", action="store_true", help="Do nothing when FILE exists (for make run's demo key)."
        )

    def handle(self, *args, out, if_missing, **options):
        if os.path.exists(out):
            if if_missing:
                return
            raise CommandError(f"{out} exists; a signing key is never overwritten.")
        directory = os.path.dirname(os.path.abspath(out))
        os.makedirs(directory, mode=0o700, exist_ok=True)
        pem = signing.new_private_key_pem()
        descriptor = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(pem)
        public_key = signing.load_private_key(pem).public_key()
        self.stderr.write(f"Wrote the private key {out} (key id {signing.key_id_of(public_key)}). Its public key:")
        self.stdout.write(signing.public_pem(public_key), ending="")
