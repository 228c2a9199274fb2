"""The append-only, hash-chained, signed audit log: appending, checkpoints and verifying.

One chain over all rows. Appending locks the chain head row, so concurrent
appends are serialised and every row names its predecessor's hash. After each
append the head (last row number and hash) is signed with the Ed25519 key from
``AUDIT_SIGNING_KEY``, which lives outside the database; each row also carries
its own signature of ``(seq, hash)``. A signed head is a checkpoint: printed by
``manage.py audit_checkpoint``, kept outside the database, and checked by
``verify_audit_log --checkpoint``.

``audit_verify`` checks the chain, the head and its signature, any given
checkpoints, and the tables against the log (state, sign-offs and grants per
assessment, replayed from the log, and every record a decision rests on:
``audit_records``), and reports every problem it finds.
"""

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction

from . import canonical, signing
from .audit_records import compare_records, recorded_by_assessment, replay_records
from .grants import expected_grants
from .models import (
    Assessment,
    AssessmentGroupObjectPermission,
    AssessmentUserObjectPermission,
    AuditChainHead,
    AuditEntry,
    AuditSigningKey,
    SignOff,
    audit_payload,
    content_hash_of,
)

HEAD_PK = 1


# -- appending -------------------------------------------------------------------------------


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
    """Append one entry to the chain and sign the new head; must run inside the caller's transaction.

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


def audit_event(assessment, *, actor, action, details, comment=""):
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


# -- trusted keys ----------------------------------------------------------------------------


def trusted_public_keys(extra=()):
    """Public keys the verifier trusts, by key id: never the database's word alone.

    The configured signing key's public half, the keys in the file named by
    ``AUDIT_PUBLIC_KEYS`` (the published keys, retired ones included), and any
    given here (``verify_audit_log --public-key``).
    """
    keys = {}
    signer = signing.signer_from_settings()
    if signer is not None:
        keys[signer.key_id] = signer.public_key
    path = getattr(settings, "AUDIT_PUBLIC_KEYS", "")
    if path:
        try:
            with open(path, "rb") as handle:
                keys.update(signing.load_public_keys(handle.read(), source=path))
        except OSError as error:
            raise ImproperlyConfigured(f"AUDIT_PUBLIC_KEYS: cannot read {path}: {error.strerror}") from None
    for key in extra:
        keys[signing.key_id_of(key)] = key
    return keys


# -- verifying -------------------------------------------------------------------------------


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
            checked = f"; {self.checkpoints} checkpoints hold" if self.checkpoints else ""
            return (
                f"The audit log holds: {self.rows} rows verified, signed head checked, "
                f"{self.assessments} assessments match the log{checked}."
            )
        return f"{len(self.problems)} problems found in the audit log ({self.rows} rows read)."


@dataclass
class _Replay:
    """An assessment as the log tells it."""

    state: str = ""
    review_round: int = 0
    content_hash: str = ""
    team: str = ""  # the owning team's slug, as recorded when the assessment was created
    # (review_round, stage) -> [decision, reviewer id, content hash, still valid]
    sign_offs: dict = field(default_factory=dict)
    # (table, row id) -> the row's fields as last recorded (assessments.audit_records)
    records: dict = field(default_factory=dict)


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
    _compare_tables(report, replay)
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
    replay = defaultdict(_Replay)
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
        _replay_row(replay[assessment_id], actor_id, action, transition, to_state, content_hash, details)
        previous_hash = entry_hash
        expected = seq + 1
        last = (seq, entry_hash, created_at)
    return replay, last, hashes_at


def _replay_row(assessment, actor_id, action, transition, to_state, content_hash, details):
    if to_state:
        assessment.state = to_state
    assessment.content_hash = content_hash
    if not isinstance(details, dict):
        details = {}
    replay_records(assessment.records, details)
    if action == AuditEntry.Action.CREATED:
        assessment.team = details.get("team") if isinstance(details.get("team"), str) else ""
    if action == AuditEntry.Action.TRANSITION:
        # Every transition row records the review round after it, and a decision row the sign-off it made.
        assessment.review_round = _int(details.get("review_round"), assessment.review_round)
        if details.get("decision") in SignOff.Decision.values:
            key = (assessment.review_round, details.get("stage"))
            assessment.sign_offs[key] = [details["decision"], actor_id, content_hash, True]
    elif action == AuditEntry.Action.SIGN_OFF_INVALIDATED:
        # One invalidation invalidates every valid sign-off of that stage bound to the old content.
        for (_, stage), sign_off in assessment.sign_offs.items():
            if stage == details.get("stage") and sign_off[2] == details.get("signed_hash"):
                sign_off[3] = False


def _int(value, default):
    return value if isinstance(value, int) and not isinstance(value, bool) else default


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


def _compare_tables(report, replay):
    """Each assessment's state, sign-offs and grants in the tables against what the log says."""
    table = {}
    contents = Assessment.objects.order_by().values_list(
        "pk",
        "state",
        "review_round",
        "feature__team__group__name",
        "feature__team__slug",
        "content_hash",
        "feature__name",
        "questionnaire_version",
        "answers",
    )
    for pk, state, review_round, team_group, team, content_hash, feature_name, version, answers in contents.iterator(
        chunk_size=2000
    ):
        table[pk] = (state, review_round, team_group)
        told = replay.get(pk)
        if told is None:
            continue
        if told.team and team != told.team:
            report.add(
                "team_drift",
                f"Assessment {pk} belongs to team {team} in the table, but the log created it for team {told.team}.",
                assessment_id=pk,
            )
        try:
            answers_hash = content_hash_of(feature_name, version, answers)
        except canonical.NotCanonical:
            answers_hash = None
        if content_hash != told.content_hash or answers_hash != content_hash:
            report.add(
                "content_drift",
                f"Assessment {pk}: its answers or name are not the content the log last recorded "
                "(changed behind the log).",
                assessment_id=pk,
            )
    report.assessments = len(table)
    for pk in sorted(set(replay) - set(table)):
        report.add(
            "assessment_deleted", f"Assessment {pk} has audit rows but is missing from the table.", assessment_id=pk
        )
    for pk in sorted(set(table) - set(replay)):
        report.add(
            "assessment_without_log",
            f"Assessment {pk} has no audit trail: it was created or kept behind the log.",
            assessment_id=pk,
        )
    for pk, (state, review_round, _) in sorted(table.items()):
        told = replay.get(pk)
        if told is None:
            continue
        if state != told.state:
            report.add(
                "state_drift",
                f"Assessment {pk} is {state} in the table, but the log ends with it {told.state}.",
                assessment_id=pk,
            )
        if review_round != told.review_round:
            report.add(
                "round_drift",
                f"Assessment {pk} is in review round {review_round} in the table, "
                f"but the log says {told.review_round}.",
                assessment_id=pk,
            )
    _compare_sign_offs(report, replay, table)
    _compare_grants(report, replay, table)
    compare_records(report, recorded_by_assessment(replay.values()), set(table) & set(replay))


def _compare_sign_offs(report, replay, table):
    stored = defaultdict(dict)
    for row in SignOff.objects.order_by().values_list(
        "assessment_id", "review_round", "stage", "decision", "reviewer_id", "content_hash", "invalidated_at"
    ):
        pk, review_round, stage, decision, reviewer_id, content_hash, invalidated_at = row
        stored[pk][(review_round, stage)] = [decision, reviewer_id, content_hash, invalidated_at is None]
    for pk in sorted(set(stored) | {pk for pk, told in replay.items() if told.sign_offs}):
        if pk not in table or pk not in replay:
            continue
        told = replay[pk].sign_offs
        have = stored.get(pk, {})
        for key in sorted(set(told) | set(have), key=lambda k: (k[0], str(k[1]))):
            review_round, stage = key
            what = f"the {stage} sign-off of round {review_round}"
            if key not in have:
                report.add(
                    "sign_off_missing",
                    f"Assessment {pk}: {what} is in the log but missing from the table (deleted).",
                    assessment_id=pk,
                )
            elif key not in told:
                report.add(
                    "sign_off_inserted",
                    f"Assessment {pk}: {what} is in the table, but the log never recorded it.",
                    assessment_id=pk,
                )
            elif have[key][:3] != told[key][:3]:
                report.add(
                    "sign_off_altered",
                    f"Assessment {pk}: {what} differs from the log (decision, reviewer or content hash).",
                    assessment_id=pk,
                )
            elif have[key][3] != told[key][3]:
                valid = "valid" if have[key][3] else "invalidated"
                report.add(
                    "sign_off_validity_drift",
                    f"Assessment {pk}: {what} is {valid} in the table, but not according to the log.",
                    assessment_id=pk,
                )


def _compare_grants(report, replay, table):
    granted = defaultdict(set)
    for pk, group, codename in AssessmentGroupObjectPermission.objects.order_by().values_list(
        "content_object_id", "group__name", "permission__codename"
    ):
        granted[pk].add((group, codename))
    for pk, username, codename in AssessmentUserObjectPermission.objects.order_by().values_list(
        "content_object_id", "user__username", "permission__codename"
    ):
        report.add(
            "grant_drift",
            f"Assessment {pk}: user {username} holds {codename}, but the workflow grants only to groups.",
            assessment_id=pk,
        )
    for pk, (_, _, team_group) in sorted(table.items()):
        told = replay.get(pk)
        if told is None:
            continue
        expected = expected_grants(team_group_name=team_group, state=told.state, review_round=told.review_round)
        have = granted.get(pk, set())
        for group, codename in sorted(have - expected):
            report.add(
                "grant_drift",
                f"Assessment {pk}: group {group} holds {codename}, which the workflow never granted.",
                assessment_id=pk,
            )
        for group, codename in sorted(expected - have):
            report.add(
                "grant_drift",
                f"Assessment {pk}: group {group} lacks {codename}, which the workflow granted.",
                assessment_id=pk,
            )


def load_checkpoint(path):
    """``(name, parsed JSON or None)`` for a checkpoint file; unreadable files are reported by the verifier."""
    try:
        with open(path, encoding="utf-8") as handle:
            return path, json.load(handle)
    except (OSError, ValueError):
        return path, None
