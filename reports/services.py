"""Issuing, downloading and verifying dossiers.

- ``dossier_request`` runs inside the deciding transaction (an approval, a
  rejection, a withdrawal) and writes the dossier's row: document id, audit
  checkpoint of that moment, and the snapshot of what it shows (its HTML and
  ``assessment.json``), so the request commits or rolls back with the decision
  and nothing changed later reaches it.
- ``dossier_freeze`` renders the snapshot, signs and stores the dossier once,
  holding the row's lock: the Celery task and a download that arrives first
  both call it, and whoever comes second finds it issued. The unique constraint
  on the assessment keeps one dossier per decided version whatever happens.
- ``dossier_download`` gives the issued bytes of a decided version (freezing
  it first if needed) or a DRAFT render of an unfinished one (cached by its
  content's hash, renders limited per user), and logs the download with who,
  when and the bytes' SHA-256, in the download log and in the audit chain.

Verifying a file (for anyone, without an account) is ``reports.verification``.
"""

import hashlib
import logging
from dataclasses import dataclass

from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from assessments.audit import audit_event
from assessments.models import Assessment, AuditEntry, State

from . import signing
from .dossier import audit_checkpoint_now, deciding_state, document_id, is_issuable
from .models import Dossier, DossierDownload, dossier_storage
from .rendering import (  # DraftThrottled: raised through dossier_download, for its callers to answer 429
    DRAFT_CACHE_SECONDS,
    DraftThrottled,  # noqa: F401
    dossier_render,
    dossier_snapshot,
    draft_cache_key,
    draft_render_allowed,
    template_version,
)

logger = logging.getLogger(__name__)


class DossierUnavailable(Exception):
    """The dossier cannot be issued now (signing is not configured); the message says what to do."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def sha256_hex(data):
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class DossierFile:
    content: bytes
    sha256: str
    filename: str
    draft: bool
    dossier: Dossier | None = None


def dossier_request(*, assessment, approval_entry, decision=State.APPROVED.value):
    """Record, in the deciding transaction, that this version's dossier must be issued, with its snapshot.

    ``approval_entry`` is the deciding audit entry (approval, rejection or
    withdrawal; the dossier shows the record up to it) and ``decision`` its
    target state. The row carries the audit checkpoint of this moment and the
    snapshot (HTML, ``assessment.json``, template version) the PDF is rendered
    from, whenever that happens. Idempotent: an existing row is returned as it is.
    """
    existing = Dossier.objects.filter(assessment=assessment).first()
    if existing is not None:
        return existing
    checkpoint = audit_checkpoint_now()
    dossier = Dossier.objects.create(
        assessment=assessment,
        document_id=document_id(assessment, draft=False),
        checkpoint_seq=checkpoint["seq"],
        checkpoint_hash=checkpoint["hash"],
        checkpoint_signed=checkpoint if "signature" in checkpoint else {},
        approval_seq=approval_entry.seq,
        decision=decision,
    )
    html, data = dossier_snapshot(assessment, dossier=dossier, now=approval_entry.created_at)
    dossier.snapshot_html, dossier.snapshot_data, dossier.template_version = (
        html,
        data.decode("ascii"),
        template_version(),
    )
    dossier.save(update_fields=["snapshot_html", "snapshot_data", "template_version"])
    return dossier


def _deciding_entry(assessment, decision):
    return (
        AuditEntry.objects.filter(assessment_id=assessment.pk, action=AuditEntry.Action.TRANSITION, to_state=decision)
        .order_by("-seq")
        .first()
    )


def _requested(assessment):
    """The dossier row of a decided version, written now when the decision predates dossiers."""
    dossier = Dossier.objects.filter(assessment=assessment).first()
    if dossier is not None:
        return dossier
    decision = deciding_state(assessment)
    deciding = _deciding_entry(assessment, decision)
    if deciding is None:
        raise DossierUnavailable("This assessment has no recorded decision, so it has no dossier.")
    try:
        with transaction.atomic():
            return dossier_request(assessment=assessment, approval_entry=deciding, decision=decision)
    except IntegrityError:
        return Dossier.objects.get(assessment=assessment)


def dossier_freeze(*, assessment_id):
    """Issue the dossier of a decided version once: render its snapshot, sign and store it under the row's lock.

    Guarantees: at most one issued dossier per assessment version (row lock, then
    the unique constraint); once issued, its file, SHA-256 and time never change;
    a failure stores nothing and leaves the row to be issued by the next attempt.
    Returns the issued Dossier.
    """
    assessment = Assessment.objects.get(pk=assessment_id)
    if not is_issuable(assessment):
        raise DossierUnavailable("Only an approved, rejected or withdrawn assessment has an issued dossier.")
    requested = _requested(assessment)
    if requested.is_issued:
        return requested
    # The render happens under the row's lock, so a second caller waits and then finds it issued. On
    # PostgreSQL that lock is the dossier row's; on SQLite (the embedded default) it is the database's write
    # lock, held for the render's second or two, which other writers wait out (busy timeout).
    with transaction.atomic():
        dossier = Dossier.objects.select_for_update().get(pk=requested.pk)
        if dossier.is_issued:
            return dossier
        issued_at = timezone.now().replace(microsecond=0)
        try:
            pdf, _ = dossier_render(assessment, dossier=dossier, now=issued_at)
            kind = "Decision record" if dossier.is_decision_record else "Approval dossier"
            signed = signing.sign_pdf(
                pdf,
                signed_at=issued_at,
                reason=f"{kind} {dossier.document_id} of {assessment.feature.name} v{assessment.version}",
            )
            subject = signing.signer_subject()
        except signing.SigningNotConfigured as error:
            logger.error("Dossier %s not issued: %s", dossier.document_id, error)
            raise DossierUnavailable(
                "The dossier of this approved assessment cannot be issued yet: dossier signing is not configured. "
                "An administrator must set the organisation's signing key and certificate."
            ) from error
        except signing.TimestampUnavailable as error:
            logger.error("Dossier %s not issued: %s", dossier.document_id, error)
            raise DossierUnavailable(
                "The dossier of this approved assessment cannot be issued right now: the time-stamping authority "
                "did not answer. Try again in a few minutes."
            ) from error
        dossier.file_name = dossier_storage().save(f"{assessment.pk}/{dossier.document_id}.pdf", ContentFile(signed))
        dossier.sha256 = sha256_hex(signed)
        dossier.size = len(signed)
        dossier.issued_at = issued_at
        dossier.signed_by = subject
        dossier.save(update_fields=["file_name", "sha256", "size", "issued_at", "signed_by"])
    logger.info("Dossier %s issued (sha256 %s)", dossier.document_id, dossier.sha256)
    return dossier


def stored_bytes(dossier):
    """The issued file, checked against its recorded SHA-256 (a changed file is an error, never served)."""
    try:
        with dossier_storage().open(dossier.file_name, "rb") as handle:
            content = handle.read()
    except FileNotFoundError:
        # A database restored or moved without its media folder (README: "Backups, restores and moving...").
        raise DossierUnavailable(
            f"The stored file of dossier {dossier.document_id} is missing; it is not served. "
            "Restore the media folder from the backup taken with the database."
        ) from None
    if sha256_hex(content) != dossier.sha256:
        raise DossierUnavailable(
            f"The stored file of dossier {dossier.document_id} no longer matches its recorded SHA-256; "
            "it is not served. Restore it from backup."
        )
    return content


def _draft(assessment, user):
    """``(pdf, document id)`` of an unfinished version: the cached render of the same content, or a new one.

    A new render counts against the user's draft render rate (DraftThrottled when it is spent); the same
    content (answers, evidence, sign-offs, conditions, comments, trail, template) gives the cached bytes.
    """
    key, document = draft_cache_key(assessment)
    content = cache.get(key)
    if content is None:
        draft_render_allowed(user)
        content, _ = dossier_render(assessment)
        cache.set(key, content, DRAFT_CACHE_SECONDS)
    return content, document


def dossier_download(*, assessment, user, channel):
    """The dossier of an assessment the caller may see (the caller checks visibility), logged.

    Approved versions give their issued bytes, exactly as stored; unfinished ones a
    fresh render marked DRAFT on every page, never stored. Either way one log row
    records who, when, through which door and the bytes' SHA-256.
    """
    if is_issuable(assessment):
        dossier = dossier_freeze(assessment_id=assessment.pk)
        content = stored_bytes(dossier)
        result = DossierFile(content, dossier.sha256, f"{dossier.document_id}.pdf", draft=False, dossier=dossier)
    else:
        content, document = _draft(assessment, user)
        result = DossierFile(content, sha256_hex(content), f"{document}.pdf", draft=True)
    with transaction.atomic():
        DossierDownload.objects.create(
            assessment=assessment,
            dossier=result.dossier,
            user=user if getattr(user, "is_authenticated", False) else None,
            username=user.get_username() if user is not None else "system",
            channel=channel,
            sha256=result.sha256,
            draft=result.draft,
        )
        # The download is part of the record the audit chain proves: who took which bytes, through which door.
        audit_event(
            assessment,
            actor=user,
            action=AuditEntry.Action.DOSSIER_DOWNLOADED,
            details={
                "sha256": result.sha256,
                "channel": channel,
                "draft": result.draft,
                "document_id": result.filename.removesuffix(".pdf"),
            },
        )
    return result
