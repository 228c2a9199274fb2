"""Bulk export for audit requests: every approved version's issued dossier since a date, with a manifest.

    python manage.py export_dossiers --since 2026-01-01 OUT_DIR

Writes one PDF per approved assessment version decided on or after the date
(issuing any not issued yet) and ``manifest.csv`` with each file's SHA-256.
Each file written is logged as a download through the export.
"""

import csv
import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from assessments.models import Assessment
from reports import services
from reports.csv_export import inert
from reports.dossier import issued_states
from reports.models import DossierDownload

MANIFEST_COLUMNS = [
    "file",
    "sha256",
    "size",
    "document_id",
    "assessment_id",
    "feature",
    "team",
    "version",
    "decided_at",
    "issued_at",
]


def _date(text):
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--since must be a date as YYYY-MM-DD, not {text!r}.") from None


class Command(BaseCommand):
    help = "Write the issued dossier of every approved assessment version decided since DATE into OUT_DIR."

    def add_arguments(self, parser):
        parser.add_argument("--since", required=True, type=_date, help="First decision date, YYYY-MM-DD.")
        parser.add_argument("out_dir", help="Folder for the PDFs and manifest.csv (created if missing).")

    def handle(self, *args, since, out_dir, **options):
        folder = Path(out_dir)
        if folder.exists() and not folder.is_dir():
            raise CommandError(f"{folder} exists and is not a folder.")
        folder.mkdir(parents=True, exist_ok=True)
        assessments = (
            Assessment.objects.filter(state__in=issued_states(), decided_at__date__gte=since)
            .select_related("feature__team")
            .order_by("decided_at", "pk")
        )
        rows = []
        for assessment in assessments:
            try:
                result = services.dossier_download(
                    assessment=assessment, user=None, channel=DossierDownload.Channel.EXPORT
                )
            except services.DossierUnavailable as error:
                raise CommandError(f"{assessment}: {error.message}") from None
            path = folder / result.filename
            path.write_bytes(result.content)
            dossier = result.dossier
            rows.append(
                [
                    result.filename,
                    result.sha256,
                    len(result.content),
                    dossier.document_id,
                    assessment.pk,
                    assessment.feature.name,
                    assessment.feature.team.name,
                    assessment.version,
                    assessment.decided_at,
                    dossier.issued_at,
                ]
            )
        with open(folder / "manifest.csv", "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(MANIFEST_COLUMNS)
            writer.writerows([inert(value) for value in row] for row in rows)
        self.stdout.write(f"{len(rows)} dossier{'s' if len(rows) != 1 else ''} written to {folder}, with manifest.csv.")
