"""Verifying the log: the chain, the head and its signature, checkpoints kept outside the database.

``audit_verify`` checks the chain, the head and its signature, any given
checkpoints, and the tables against the log (state, sign-offs and grants per
assessment, replayed from the log by ``replay``, and every record a decision
rests on: ``audit_records``), and reports every problem it finds.
"""

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.template.defaultfilters import pluralize

from .. import canonical, signing
from ..models import AuditChainHead, AuditEntry, AuditSigningKey, audit_payload
from .chain import HEAD_PK
from .keys import trusted_public_keys
from .replay import Replay, compare_tables, replay_row


@dataclass(frozen=True)
class Problem:
    """One thing that does not hold, with the row or assessment it concerns."""

    kind: str
    message: str
    seq: int | None = None
    assessment_id: int | None = None


@dataclass
class AuditReport:
    rows: int = 0
    assessments: int = 0
    checkpoints: int = 0
    problems: list = field(default_factory=list)

    @property
    def ok(self):
        return not self.problems

    def add(self, kind, message, *, seq=None, assessment_id=None):
        self.problems.append(Problem(kind, message, seq, assessment_id))

    def summary(self):
        if self.ok:
            n = self.checkpoints
            checked = f"; {n} checkpoint{pluralize(n)} hold{pluralize(n, 's,')}" if n else ""
            return (
                f"The audit log holds: {self.rows} row{pluralize(self.rows)} verified, signed head checked, "
                f"{self.assessments} assessment{pluralize(self.assessments)} match{pluralize(self.assessments, 'es,')} "
                f"the log{checked}."
            )
        n = len(self.problems)
        return f"{n} problem{pluralize(n)} found in the audit log ({self.rows} row{pluralize(self.rows)} read)."


def audit_verify(*, checkpoints=(), public_keys=()):
    """Verify everything; return an AuditReport listing every problem found.

    ``checkpoints``: ``(name, parsed JSON)`` pairs kept outside the database.
    ``public_keys``: extra trusted public keys. Runs in one read transaction so
    that appends made meanwhile cannot cause false alarms.
    """
    if connection.in_atomic_block:
        return _verify(checkpoints, public_keys)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        return _verify(checkpoints, public_keys)


def _verify(checkpoints, public_keys):
    report = AuditReport()
    keys = trusted_public_keys(public_keys)
    periods = _key_periods(keys, report)
    wanted = {c["seq"] for _, c in checkpoints if isinstance(c, dict) and isinstance(c.get("seq"), int)}
    replay, end, hashes_at = _walk_chain(report, wanted)
    head = AuditChainHead.objects.filter(pk=HEAD_PK).first()
    if not _head_holds(report, head, end, keys, periods):
        _name_unsigned_tail(report, end, keys)
    for name, checkpoint in checkpoints:
        _check_checkpoint(report, name, checkpoint, end, hashes_at, keys, periods)
    report.checkpoints = len(checkpoints)
    compare_tables(report, replay)
    return report


def _key_periods(keys, report):
    """Validity periods of the trusted keys, from their records; a record that disagrees with its key is reported."""
    periods = {}
    for record in AuditSigningKey.objects.all():
        trusted = keys.get(record.key_id)
        if trusted is None:
            continue
        try:
            recorded = signing.public_key_from_pem(record.public_key)
        except ImproperlyConfigured:
            recorded = None
        if recorded is None or signing.key_id_of(recorded) != record.key_id:
            report.add("key_record_altered", f"The record of signing key {record.key_id} names another public key.")
            continue
        periods[record.key_id] = (record.valid_from, record.valid_until)
    return periods


def _walk_chain(report, wanted):
    """Check every row's number, link and hash; replay the log per assessment. Returns (replay, end, hashes)."""
    replay = defaultdict(Replay)
    hashes_at = {}
    previous_hash = canonical.GENESIS_HASH
    expected = 1
    last = None
    rows = AuditEntry.objects.order_by("seq").values_list(
        "seq",
        "assessment_id",
        "actor_id",
        "actor_username",
        "action",
        "transition",
        "from_state",
        "to_state",
        "comment",
        "content_hash",
        "details",
        "created_at",
        "prev_hash",
        "entry_hash",
    )
    sha256_of = canonical.sha256_of
    for row in rows.iterator(chunk_size=5000):
        (seq, assessment_id, actor_id, actor_username, action, transition, from_state, to_state) = row[:8]
        comment, content_hash, details, created_at, prev_hash, entry_hash = row[8:]
        report.rows += 1
        if seq != expected:
            first = expected
            report.add(
                "row_missing",
                f"Row {first} is missing: the chain jumps from row {first - 1} to row {seq}"
                + (f" (rows {first} to {seq - 1} were deleted)." if seq - 1 > first else " (it was deleted)."),
                seq=first,
            )
        elif prev_hash != previous_hash:
            report.add(
                "row_link_broken",
                f"Row {seq} does not follow row {seq - 1}: its previous-hash does not match "
                "(a row was inserted, deleted or replaced before it).",
                seq=seq,
            )
        payload = audit_payload(
            seq=seq,
            assessment_id=assessment_id,
            actor_id=actor_id,
            actor_username=actor_username,
            action=action,
            transition=transition,
            from_state=from_state,
            to_state=to_state,
            comment=comment,
            content_hash=content_hash,
            details=details,
            created_at=created_at,
            prev_hash=prev_hash,
        )
        try:
            altered = sha256_of(payload) != entry_hash
        except canonical.NotCanonical:
            altered = True
        if altered:
            report.add("row_altered", f"Row {seq} was altered: its content no longer matches its hash.", seq=seq)
        if seq in wanted:
            hashes_at[seq] = entry_hash
        replay_row(replay[assessment_id], assessment_id, actor_id, action, transition, to_state, content_hash, details)
        previous_hash = entry_hash
        expected = seq + 1
        last = (seq, entry_hash, created_at)
    return replay, last, hashes_at


def _head_holds(report, head, end, keys, periods):
    """Check the head against the chain's end and its signature; False when the head's signature proves nothing."""
    end_seq, end_hash, _ = end if end else (0, canonical.GENESIS_HASH, None)
    if head is None:
        if end is not None:
            report.add("head_missing", f"The chain head is missing; the chain ends at row {end_seq}.", seq=end_seq)
            return False
        return True
    if head.last_seq > end_seq:
        report.add(
            "head_moved",
            f"Row {end_seq + 1} is missing: the signed head names row {head.last_seq}, but the chain ends at row "
            f"{end_seq} (rows at the end were deleted).",
            seq=end_seq + 1,
        )
    elif head.last_seq < end_seq:
        report.add(
            "row_inserted",
            f"Row {head.last_seq + 1} was not appended by the system: the signed head names row {head.last_seq}, "
            f"but the chain goes on to row {end_seq}.",
            seq=head.last_seq + 1,
        )
    elif head.last_hash != end_hash:
        report.add(
            "head_moved",
            f"The head names row {end_seq} with a hash that row {end_seq} does not have (the head was altered).",
            seq=end_seq,
        )
    if head.last_seq == 0 and end is None and not head.signature:
        return True  # a fresh log: nothing appended, nothing to sign
    if not head.signature:
        report.add(
            "head_unsigned",
            f"The chain head (row {head.last_seq}) is not signed: rows were appended without a signing key, "
            "or the signature was removed.",
            seq=head.last_seq,
        )
        return False
    public_key = keys.get(head.key_id)
    if public_key is None:
        report.add(
            "head_unknown_key",
            f"The chain head (row {head.last_seq}) is signed by key {head.key_id or '(none)'}, which is not a "
            "trusted key (configure AUDIT_SIGNING_KEY or AUDIT_PUBLIC_KEYS).",
            seq=head.last_seq,
        )
        return False
    statement = signing.checkpoint_statement(
        seq=head.last_seq,
        hash=head.last_hash,
        signed_at=canonical.timestamp(head.signed_at) if head.signed_at else "",
        key_id=head.key_id,
    )
    if not signing.signature_is_valid(public_key, statement, head.signature):
        report.add(
            "head_signature_invalid",
            f"The chain head's signature does not verify for row {head.last_seq}: the head was moved or re-signed "
            "without the signing key (rows after it may have been deleted, or the log before it rewritten).",
            seq=head.last_seq,
        )
        return False
    _check_period(report, "head_key_expired", "The chain head", head.key_id, head.signed_at, periods, head.last_seq)
    return True


def _check_period(report, kind, what, key_id, moment, periods, seq):
    period = periods.get(key_id)
    if period is None:
        report.add(
            kind,
            f"{what} is signed by key {key_id}, which has no record of when it was in use.",
            seq=seq,
        )
        return False
    valid_from, valid_until = period
    if moment < valid_from or (valid_until is not None and moment > valid_until):
        until = f"{valid_until:%Y-%m-%d %H:%M:%S}" if valid_until else "now"
        report.add(
            kind,
            f"{what} is signed by key {key_id} at {moment:%Y-%m-%d %H:%M:%S}, outside the key's period "
            f"({valid_from:%Y-%m-%d %H:%M:%S} to {until}).",
            seq=seq,
        )
        return False
    return True


def _name_unsigned_tail(report, end, keys):
    """The head proves nothing: find where the rows' own signatures stop verifying, reading back from the end."""
    if end is None:
        return
    first_bad = None
    rows = AuditEntry.objects.order_by("-seq").values_list("seq", "entry_hash", "key_id", "signature")
    for seq, entry_hash, key_id, signature in rows.iterator(chunk_size=500):
        public_key = keys.get(key_id)
        statement = signing.row_statement(seq=seq, hash=entry_hash, key_id=key_id)
        if public_key is not None and signing.signature_is_valid(public_key, statement, signature):
            break
        first_bad = seq
    if first_bad is not None:
        span = f"Rows {first_bad} to {end[0]} are" if first_bad != end[0] else f"Row {first_bad} is"
        report.add(
            "rows_unsigned",
            f"{span} not signed by a trusted key: written or rewritten without the signing key "
            f"(the log is proven only up to row {first_bad - 1}).",
            seq=first_bad,
        )


def _check_checkpoint(report, name, checkpoint, end, hashes_at, keys, periods):
    problem = "it is not readable JSON" if checkpoint is None else signing.checkpoint_problem(checkpoint)
    if problem:
        report.add("checkpoint_unreadable", f"Checkpoint {name} cannot be used: {problem}.")
        return
    seq = checkpoint["seq"]
    public_key = keys.get(checkpoint["key_id"])
    if public_key is None:
        report.add(
            "checkpoint_unknown_key",
            f"Checkpoint {name} (row {seq}) is signed by key {checkpoint['key_id']}, which is not trusted.",
            seq=seq,
        )
        return
    if not signing.checkpoint_is_valid(checkpoint, public_key):
        report.add("checkpoint_signature_invalid", f"Checkpoint {name} (row {seq}) has a bad signature.", seq=seq)
        return
    try:
        signed_at = datetime.fromisoformat(checkpoint["signed_at"])
    except ValueError:
        report.add("checkpoint_unreadable", f"Checkpoint {name}: signed_at is not a time.", seq=seq)
        return
    _check_period(report, "checkpoint_key_expired", f"Checkpoint {name}", checkpoint["key_id"], signed_at, periods, seq)
    end_seq = end[0] if end else 0
    if seq > end_seq:
        report.add(
            "checkpoint_missing",
            f"Row {seq} of checkpoint {name} is missing: the chain ends at row {end_seq} "
            "(the log was rolled back or truncated after the checkpoint was taken).",
            seq=seq,
        )
    elif seq not in hashes_at:
        report.add("checkpoint_missing", f"Row {seq} of checkpoint {name} is missing from the chain.", seq=seq)
    elif hashes_at[seq] != checkpoint["hash"]:
        report.add(
            "checkpoint_mismatch",
            f"Row {seq} differs from checkpoint {name}: the log up to that row was rewritten since.",
            seq=seq,
        )


def load_checkpoint(path):
    """``(name, parsed JSON or None)`` for a checkpoint file; unreadable files are reported by the verifier."""
    try:
        with open(path, encoding="utf-8") as handle:
            return path, json.load(handle)
    except (OSError, ValueError):
        return path, None
