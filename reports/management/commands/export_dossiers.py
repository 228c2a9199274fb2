"""Bulk export for audit requests: an offline verification kit of every issued dossier since a date.

    python manage.py export_dossiers --since 2026-01-01 OUT_DIR

Writes the issued dossier of every approved assessment version decided on or
after the date (issuing any not issued yet), each one's ``assessment.json``,
the signing certificates, the audit public keys, the latest signed audit
checkpoint, a manifest signed with the audit key and ``verify.py``, which
checks all of it with pyHanko and cryptography alone (see reports/audit_package.py
and README.txt in the folder). Each dossier written is logged as a download through the export.
"""

import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from assessments.models import Assessment
from reports.audit_package import PackageUnavailable, audit_package_files
from reports.dossier import issued_states


def _date(text):
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--since must be a date as YYYY-MM-DD, not {text!r}.") from None


class Command(BaseCommand):
    help = "Write an offline verification kit of every approved assessment version decided since DATE into OUT_DIR."

    def add_arguments(self, parser):
        parser.add_argument("--since", required=True, type=_date, help="First decision date, YYYY-MM-DD.")
        parser.add_argument("out_dir", help="Folder for the package (created if missing).")

    def handle(self, *args, since, out_dir, **options):
        folder = Path(out_dir)
        if folder.exists() and not folder.is_dir():
            raise CommandError(f"{folder} exists and is not a folder.")
        assessments = (
            Assessment.objects.filter(state__in=issued_states(), decided_at__date__gte=since)
            .select_related("feature__team")
            .order_by("decided_at", "pk")
        )
        count = 0
        try:
            for entry in audit_package_files(
                assessments=assessments, user=None, selection=f"decided on or after {since.isoformat()}"
            ):
                path = folder / entry.path
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(entry.content)
                count += entry.path.endswith(".pdf")
        except PackageUnavailable as error:
            raise CommandError(error.message) from None
        self.stdout.write(
            f"{count} dossier{'s' if count != 1 else ''} written to {folder}, with manifest.json (signed), "
            "certificates, audit keys and verify.py. Check it with: python verify.py"
        )
