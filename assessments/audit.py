"""The append-only, hash-chained audit log: appending and verifying.

One chain over all rows. Appending locks the chain head row, so concurrent
appends are serialised and every row names its predecessor's hash.
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from . import canonical
from .models import AuditChainHead, AuditEntry

HEAD_PK = 1


def audit_append(
    *,
    assessment,
    actor,
    action,
    transition="",
    from_state="",
    to_state="",
    comment="",
    content_hash="",
    details=None,
):
    """Append one entry to the chain; must run inside the caller's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_append must run inside a transaction")
    AuditChainHead.objects.get_or_create(pk=HEAD_PK)
    head = AuditChainHead.objects.select_for_update().get(pk=HEAD_PK)
    entry = AuditEntry(
        seq=head.last_seq + 1,
        assessment_id=assessment.pk,
        actor=actor if actor is not None and actor.is_authenticated else None,
        actor_username=actor.get_username() if actor is not None and actor.is_authenticated else "system",
        action=action,
        transition=transition,
        from_state=from_state,
        to_state=to_state,
        comment=comment,
        content_hash=content_hash,
        details=details or {},
        created_at=timezone.now(),
        prev_hash=head.last_hash,
    )
    entry.entry_hash = entry.compute_hash()
    entry.save()
    AuditChainHead.objects.filter(pk=HEAD_PK).update(last_seq=entry.seq, last_hash=entry.entry_hash)
    return entry


@dataclass
class ChainReport:
    ok: bool
    checked: int
    message: str
    first_broken_seq: int | None = None


def audit_verify():
    """Walk the whole chain; report the first row that was altered, deleted or inserted."""
    previous_hash = canonical.GENESIS_HASH
    expected_seq = 1
    checked = 0
    for entry in AuditEntry.objects.order_by("seq").iterator(chunk_size=2000):
        if entry.seq != expected_seq:
            return ChainReport(
                False,
                checked,
                f"Row {expected_seq} is missing: the chain jumps from row {expected_seq - 1} to row {entry.seq} "
                "(a row was deleted or renumbered).",
                expected_seq,
            )
        if entry.prev_hash != previous_hash:
            return ChainReport(
                False,
                checked,
                f"Row {entry.seq} does not follow row {entry.seq - 1}: its previous-hash does not match "
                "(a row was inserted, deleted or replaced before it).",
                entry.seq,
            )
        if entry.compute_hash() != entry.entry_hash:
            return ChainReport(
                False, checked, f"Row {entry.seq} was altered: its content no longer matches its hash.", entry.seq
            )
        previous_hash = entry.entry_hash
        expected_seq += 1
        checked += 1
    head = AuditChainHead.objects.filter(pk=HEAD_PK).first()
    last_seq = head.last_seq if head else 0
    last_hash = head.last_hash if head else canonical.GENESIS_HASH
    if last_seq != checked or last_hash != previous_hash:
        if last_seq > checked:
            return ChainReport(
                False,
                checked,
                f"Row {checked + 1} is missing: the chain should end at row {last_seq} but ends at row {checked} "
                "(rows at the end were deleted).",
                checked + 1,
            )
        return ChainReport(
            False,
            checked,
            f"Row {last_seq + 1} was not appended by the system: the chain head names row {last_seq} "
            "(a row was inserted at the end, or the head was altered).",
            last_seq + 1,
        )
    return ChainReport(True, checked, f"The audit chain holds: {checked} rows verified.")
