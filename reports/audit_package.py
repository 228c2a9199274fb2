"""The offline verification kit: issued dossiers with everything needed to check them without our server.

``audit_package_files`` yields ``(relative path, bytes)`` for a set of issued
assessment versions; ``manage.py export_dossiers`` writes them to a folder and
the auditor's workspace zips them (``/reports/audit-package.zip``). The package:

- ``dossiers/<document id>.pdf`` and ``dossiers/<document id>.assessment.json``
  (the JSON embedded in that PDF, extracted byte for byte);
- ``certificates/signing/*.pem`` (every trusted dossier signing certificate,
  current and earlier) and ``certificates/tsa/*.pem`` (the time-stamping
  authority's roots);
- ``audit-public-keys.pem`` and ``checkpoint.json`` (the latest signed audit checkpoint);
- ``manifest.json`` (per file: SHA-256, assessment, version, decision, the
  dossier's checkpoint) and ``manifest.json.sig`` (Ed25519, the audit key);
- ``manifest.csv`` (the same rows for a spreadsheet), ``verify.py`` and ``README.txt``.

Each dossier written is logged as a download through the export.
"""

import base64
import csv
import hashlib
import io
import json
from dataclasses import dataclass
from pathlib import Path

from asn1crypto import pem as asn1_pem
from django.conf import settings
from django.utils import timezone

from assessments import canonical
from assessments import signing as audit_signing
from assessments.audit import audit_checkpoint, trusted_public_keys

from . import certificates, services
from .csv_export import inert
from .dossier import ATTACHMENT_NAME
from .models import DossierDownload
from .pdf_attachments import embedded_file

FORMAT = "raia-audit-package/1"
VERIFY_SCRIPT = Path(__file__).resolve().parent / "offline" / "verify.py"
README = Path(__file__).resolve().parent / "offline" / "README.txt"
CSV_COLUMNS = [
    "file",
    "sha256",
    "size",
    "document_id",
    "assessment_id",
    "feature",
    "team",
    "version",
    "decision",
    "decided_at",
    "issued_at",
]


class PackageUnavailable(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class PackageEntry:
    path: str
    content: bytes


def _pem(certificate):
    return asn1_pem.armor("CERTIFICATE", certificate.dump())


def _manifest_row(result, assessment, data_path, data):
    dossier = result.dossier
    return {
        "file": f"dossiers/{result.filename}",
        "sha256": result.sha256,
        "size": len(result.content),
        "document_id": dossier.document_id,
        "assessment": assessment.pk,
        "feature": assessment.feature.name,
        "team": assessment.feature.team.name,
        "version": assessment.version,
        "decision": data["assessment"]["state"],
        "decided_at": canonical.timestamp(assessment.decided_at) if assessment.decided_at else None,
        "issued_at": canonical.timestamp(dossier.issued_at),
        "assessment_json": data_path,
        "assessment_json_sha256": hashlib.sha256(embedded_file_bytes(result.content)).hexdigest(),
        "checkpoint": dossier.checkpoint,
    }


def embedded_file_bytes(content):
    found = embedded_file(content, ATTACHMENT_NAME)
    if found is None:
        raise PackageUnavailable(f"The dossier ({hashlib.sha256(content).hexdigest()}) holds no {ATTACHMENT_NAME}.")
    return found


def audit_package_files(*, assessments, user, selection):
    """Every file of the package for ``assessments`` (issued versions), each dossier's download logged.

    ``selection`` says in words what was asked for (a date, the workspace's filters); it goes into the manifest.
    Raises PackageUnavailable when a dossier cannot be issued or the manifest cannot be signed.
    """
    signer = audit_signing.signer_from_settings()
    if signer is None:
        raise PackageUnavailable(
            "The audit package cannot be made: its manifest is signed with the audit log's key, and "
            "AUDIT_SIGNING_KEY is not configured."
        )
    rows = []
    for assessment in assessments:
        try:
            result = services.dossier_download(assessment=assessment, user=user, channel=DossierDownload.Channel.EXPORT)
        except services.DossierUnavailable as error:
            raise PackageUnavailable(f"{assessment}: {error.message}") from None
        data_bytes = embedded_file_bytes(result.content)
        data_path = f"dossiers/{result.dossier.document_id}.assessment.json"
        row = _manifest_row(result, assessment, data_path, json.loads(data_bytes))
        rows.append(row)
        yield PackageEntry(row["file"], result.content)
        yield PackageEntry(data_path, data_bytes)

    signing_certs = [_listed(c, "signing") for c in certificates.trusted_signing_certificates()]
    tsa_roots = [_listed(c, "tsa") for c in certificates.timestamp_authority_roots()]
    for listed in signing_certs + tsa_roots:
        yield PackageEntry(listed["file"], listed.pop("pem"))
    keys = trusted_public_keys()
    yield PackageEntry("audit-public-keys.pem", "".join(audit_signing.public_pem(k) for k in keys.values()).encode())
    checkpoint = audit_checkpoint()
    yield PackageEntry("checkpoint.json", json.dumps(checkpoint, indent=2, sort_keys=True).encode())

    manifest = {
        "format": FORMAT,
        "issuer": settings.DOSSIER_ISSUER,
        "created_at": canonical.timestamp(timezone.now()),
        "selection": selection,
        "checkpoint": checkpoint,
        "audit_keys": sorted(keys),
        "signing_certificates": signing_certs,
        "tsa_roots": tsa_roots,
        "files": rows,
    }
    manifest_bytes = json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=True).encode("ascii")
    yield PackageEntry("manifest.json", manifest_bytes)
    signature = base64.b64encode(signer.private_key.sign(manifest_bytes)).decode("ascii")
    yield PackageEntry(
        "manifest.json.sig",
        json.dumps({"algorithm": "Ed25519", "key_id": signer.key_id, "signature": signature}, indent=2).encode(),
    )
    yield PackageEntry("manifest.csv", _csv(rows))
    yield PackageEntry("verify.py", VERIFY_SCRIPT.read_bytes())
    yield PackageEntry("README.txt", README.read_bytes())


def _listed(certificate, kind):
    return {
        "file": f"certificates/{kind}/{certificate.sha256.hex()[:16]}.pem",
        "sha256": certificate.sha256.hex(),
        "subject": certificate.subject.human_friendly,
        "pem": _pem(certificate),
    }


def _csv(rows):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        values = [
            row["file"],
            row["sha256"],
            row["size"],
            row["document_id"],
            row["assessment"],
            row["feature"],
            row["team"],
            row["version"],
            row["decision"],
            row["decided_at"],
            row["issued_at"],
        ]
        writer.writerow([inert(value) for value in values])
    return out.getvalue().encode("utf-8")
