"""A file the team gives as evidence that a condition is met: read, checked and named, for the browser and the API.

The size is checked before a byte is read (``EVIDENCE_FILE_MAX_BYTES``: 413 over it); the kind is told from the
file's first bytes, never from its name or the type the client claims, and must be one of ``KINDS`` (400
otherwise); the name is kept as given, within 255 storable characters. What is stored (``ConditionEvidenceFile``)
is the bytes with their SHA-256, which the condition's row and its audit entry record; a download
(``download_response``, for the browser's route and the API's) serves the bytes only while they still hash to it.
"""

import hashlib
import re
from dataclasses import dataclass

from django.conf import settings
from django.http import Http404, HttpResponse
from django.utils.http import content_disposition_header

from . import canonical
from .errors import FileRefused, TransitionConflict
from .models import ConditionEvidenceFile
from .uploads import read_capped

# The kinds accepted, by what their bytes start with (text: UTF-8 without NUL), and the extension each is saved with.
KINDS = {
    "application/pdf": ".pdf",
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "text/plain": ".txt",
    "text/csv": ".csv",
}
ACCEPTED = "PDF, PNG, JPEG, plain text or CSV"
ACCEPT_ATTRIBUTE = ".pdf,.png,.jpg,.jpeg,.txt,.csv,application/pdf,image/png,image/jpeg,text/plain,text/csv"
_SIGNATURES = ((b"%PDF-", "application/pdf"), (b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff", "image/jpeg"))
_UNSAFE_NAME = re.compile(r'[\x00-\x1f\x7f"\\/]')
SHA256 = re.compile(r"[0-9a-f]{64}")


class EvidenceFileRefused(FileRefused):
    """A condition's file of evidence refused as a whole: 413 (too large) or 400 (empty, not a file, a kind not
    accepted)."""


class EvidenceFileAltered(TransitionConflict):
    """The stored bytes no longer hash to the SHA-256 recorded for them: not served (409)."""

    def __init__(self):
        super().__init__("The stored file no longer matches the SHA-256 recorded for it.", code="evidence_file_altered")


@dataclass(frozen=True)
class EvidenceFile:
    """An accepted file: its name as given, its kind, its bytes and their SHA-256."""

    name: str
    content_type: str
    data: bytes
    sha256: str

    @property
    def size(self):
        return len(self.data)


def limit_text():
    return f"{settings.EVIDENCE_FILE_MAX_BYTES // (1024 * 1024)} MB"


def too_large():
    return EvidenceFileRefused(f"The file is over the limit of {limit_text()}; nothing was saved.", 413)


def read_evidence_file(upload):
    """An uploaded file (a Django UploadedFile) as an ``EvidenceFile``, or ``EvidenceFileRefused``."""
    missing = EvidenceFileRefused("Choose a file.")
    data = read_capped(upload, settings.EVIDENCE_FILE_MAX_BYTES, missing=missing, too_large=too_large)
    if not data:
        raise EvidenceFileRefused("The file is empty.")
    content_type = kind_of(data, str(getattr(upload, "name", "") or ""))
    if content_type is None:
        raise EvidenceFileRefused(f"This kind of file is not accepted as evidence; give a {ACCEPTED} file.")
    return EvidenceFile(
        name=clean_name(getattr(upload, "name", ""), content_type),
        content_type=content_type,
        data=data,
        sha256=hashlib.sha256(data).hexdigest(),
    )


def kind_of(data, name):
    """The media type ``data`` is, by its first bytes (a text file ending in .csv is CSV), or None."""
    for signature, content_type in _SIGNATURES:
        if data.startswith(signature):
            return content_type
    if b"\x00" in data:
        return None
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return "text/csv" if name.lower().endswith(".csv") else "text/plain"


def clean_name(name, content_type):
    """The name as given, without path, quotes or control characters, at most 255 characters; else a plain one."""
    name = str(name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE_NAME.sub("", name).strip()[:255]
    if not name or not canonical.is_storable_text(name):
        return "evidence" + KINDS[content_type]
    return name


def download_response(condition, sha256):
    """The file given as evidence for ``condition`` under ``sha256``, as an attachment of its kind, named as given
    (RFC 5987 when not plain ASCII), with nosniff and never cached. Who may see the condition is the caller's to
    decide first. Http404 when it has no file of that hash; ``EvidenceFileAltered`` when its bytes no longer hash
    to it."""
    # A hash that is not one is looked up nowhere (a NUL in a string is an error to PostgreSQL).
    stored = (
        ConditionEvidenceFile.objects.filter(condition=condition, sha256=sha256).first()
        if SHA256.fullmatch(sha256)
        else None
    )
    if stored is None:
        raise Http404("No such file of evidence for this condition.")
    data = bytes(stored.data)
    if hashlib.sha256(data).hexdigest() != stored.sha256:
        raise EvidenceFileAltered
    response = HttpResponse(data, content_type=stored.content_type)
    response["Content-Disposition"] = content_disposition_header(True, clean_name(stored.name, stored.content_type))
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
