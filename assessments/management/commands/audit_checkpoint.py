import json

from django.core.management.base import BaseCommand, CommandError

from assessments import signing
from assessments.audit import audit_checkpoint, trusted_public_keys


class Command(BaseCommand):
    help = (
        "Print the audit log's current signed checkpoint as JSON: {seq, hash, signed_at, key_id, signature}. "
        "Keep it outside the database (a ticket, an email, a write-once bucket); "
        "verify_audit_log --checkpoint FILE proves the log still contains it."
    )

    def handle(self, *args, **options):
        checkpoint = audit_checkpoint()
        if checkpoint is None:
            raise CommandError(
                "The audit log's head is not signed yet: configure AUDIT_SIGNING_KEY; the next append signs it."
            )
        public_key = trusted_public_keys().get(checkpoint["key_id"])
        if public_key is None or not signing.checkpoint_is_valid(checkpoint, public_key):
            raise CommandError(
                f"The head's signature (key {checkpoint['key_id']}) does not verify with a trusted key; "
                "run verify_audit_log."
            )
        self.stdout.write(json.dumps(checkpoint, sort_keys=True))
