"""Writing the chain: appending a row, signing the head, and the head as a checkpoint.

One chain over all rows. Appending locks the chain head row, so concurrent
appends are serialised and every row names its predecessor's hash. After each
append the head (last row number and hash) is signed with the Ed25519 key from
``AUDIT_SIGNING_KEY``, which lives outside the database; each row also carries
its own signature of ``(seq, hash)``. A signed head is a checkpoint: printed by
``manage.py audit_checkpoint``, kept outside the database, and checked by
``verify_audit_log --checkpoint``.
"""

from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from accounts.delegation import delegation_record

from .. import canonical, signing
from ..models import AuditChainHead, AuditEntry, AuditSigningKey

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
    acting_for=None,
):
    """Append one entry to the chain and sign the new head; must run inside the caller's transaction.

    ``acting_for``: the delegation the actor acted by (``accounts.delegation.acting_by``), recorded in the
    details as ``acting_for`` so every action of a delegate says for whom they acted.

    Numbers in ``details`` are normalised (see ``canonical.normalise``) so the row
    hashes the same when read back from any database. Text that cannot be stored
    (NUL, lone surrogates) is a programming error here: the services refuse it first.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_append must run inside a transaction")
    signer = signing.signer_from_settings()
    AuditChainHead.objects.get_or_create(pk=HEAD_PK)
    head = AuditChainHead.objects.select_for_update().get(pk=HEAD_PK)
    authenticated = actor is not None and actor.is_authenticated
    if acting_for is not None:
        details = {**(details or {}), "acting_for": delegation_record(acting_for)}
    now = canonical.now()  # the row's time, the head's and a new key's period: to the millisecond
    entry = AuditEntry(
        seq=head.last_seq + 1,
        assessment_id=assessment.pk,
        actor=actor if authenticated else None,
        actor_username=actor.get_username() if authenticated else "system",
        action=action,
        transition=transition,
        from_state=from_state,
        to_state=to_state,
        comment=comment,
        content_hash=content_hash,
        details=canonical.normalise(details or {}),
        created_at=now,
        prev_hash=head.last_hash,
    )
    payload = entry.hashed_payload()
    bad = canonical.unstorable_paths(payload, limit=1)
    if bad:
        path, message = bad[0]
        raise ValueError(f"audit_append: {'.'.join(map(str, path))} {message}")
    entry.entry_hash = canonical.sha256_of(payload)
    head_update = {"last_seq": entry.seq, "last_hash": entry.entry_hash}
    head_update.update(signed_at=None, key_id="", signature="")
    if signer is not None:
        if head.key_id != signer.key_id:
            _record_key(signer, now)
        entry.key_id = signer.key_id
        entry.signature = signer.sign(signing.row_statement(seq=entry.seq, hash=entry.entry_hash, key_id=signer.key_id))
        head_update.update(
            signed_at=now,
            key_id=signer.key_id,
            signature=signer.sign(
                signing.checkpoint_statement(
                    seq=entry.seq, hash=entry.entry_hash, signed_at=canonical.timestamp(now), key_id=signer.key_id
                )
            ),
        )
    entry.save()
    AuditChainHead.objects.filter(pk=HEAD_PK).update(**head_update)
    return entry


def _record_key(signer, now):
    """A key signs for the first time (or again after unsigned appends): record it; end the previous key's period."""
    record = AuditSigningKey.objects.filter(key_id=signer.key_id).first()
    if record is not None and record.valid_until is not None:
        raise ImproperlyConfigured(
            f"AUDIT_SIGNING_KEY is the key {signer.key_id}, retired at {record.valid_until:%Y-%m-%d %H:%M}; "
            "configure the current key."
        )
    if record is None:
        AuditSigningKey.objects.create(
            key_id=signer.key_id, public_key=signing.public_pem(signer.public_key), valid_from=now
        )
    AuditSigningKey.objects.filter(valid_until__isnull=True).exclude(key_id=signer.key_id).update(valid_until=now)


def audit_event(assessment, *, actor, action, details, comment="", acting_for=None):
    """Append the row of something done to an assessment that does not move it (answers, evidence, notes,
    comments, reminders): it records the assessment's state and content hash as they are."""
    return audit_append(
        assessment=assessment,
        actor=actor,
        action=action,
        from_state=assessment.state,
        to_state=assessment.state,
        comment=comment,
        content_hash=assessment.content_hash,
        details=details,
        acting_for=acting_for,
    )


def audit_checkpoint():
    """The current signed head as a checkpoint ``{seq, hash, signed_at, key_id, signature}``, or None if unsigned."""
    head = AuditChainHead.objects.filter(pk=HEAD_PK).first()
    if head is None or not head.signature:
        return None
    return head_checkpoint(head)


def head_checkpoint(head):
    return {
        "seq": head.last_seq,
        "hash": head.last_hash,
        "signed_at": canonical.timestamp(head.signed_at) if head.signed_at else "",
        "key_id": head.key_id,
        "signature": head.signature,
    }
