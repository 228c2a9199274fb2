"""Rows made before the log recorded them: entered in the chain once, by a data migration.

An installation older than ``assessments.audit_records`` has covered rows (bias
evidence, notes, flags, conditions, comments) whose audit entries do not record
them, so ``verify_audit_log`` would report each as inserted behind the log.
``record_unlogged_rows`` appends, per assessment, one ``records_logged`` entry
holding those rows (or the fields of a row its records lack) as they are at that
moment, into the same chain: hashed, signed, appended under the head lock.

It is trust on first use: the rows are recorded as the migration finds them, so
run ``verify_audit_log`` before upgrading. It vouches for nothing else: each entry
repeats the state and content hash of the assessment's last audit row (the log's
word, not the table's), so a state or answers changed behind the log before the
upgrade are still reported. Rows already recorded are never recorded again, so a
second run appends nothing.

The migration runs with the models as they were at that migration (``apps``), so
it keeps working when later migrations change them.

Without ``AUDIT_SIGNING_KEY`` the entries are appended unsigned, as ``audit_append``
would: the head is unsigned, and ``verify_audit_log`` reports it (``head_unsigned``)
until the next append made with the key signs a head again. Run ``migrate`` with
the key set, like every process that appends.
"""

from collections import defaultdict

from django.core.exceptions import ImproperlyConfigured

from . import canonical, signing
from .audit_records import COVERED, read_rows, replay_entry
from .models import audit_payload

HEAD_PK = 1  # as assessments.audit.chain.HEAD_PK
ACTION = "records_logged"


def record_unlogged_rows(apps, *, now=None):
    """Append the entries recording every covered row (or field) the log lacks; return how many were appended."""
    models = {
        covered.table: apps.get_model(covered.model._meta.app_label, covered.model.__name__) for covered in COVERED
    }
    if not any(model.objects.exists() for model in models.values()):
        return 0
    entry_model = apps.get_model("assessments", "AuditEntry")
    recorded, last = {}, {}
    rows = entry_model.objects.order_by("seq").values_list(
        "assessment_id", "action", "to_state", "content_hash", "details"
    )
    for assessment_id, action, to_state, content_hash, details in rows.iterator(chunk_size=2000):
        replay_entry(recorded, assessment_id, action, details)
        last[assessment_id] = (to_state, content_hash)
    pending = _unlogged(models, recorded, last)
    if not pending:
        return 0
    now = now or canonical.now()
    appended = 0
    for assessment_id in sorted(pending):
        state, content_hash = last[assessment_id]
        for records in _entries(pending[assessment_id]):
            _append(
                apps,
                assessment_id=assessment_id,
                state=state,
                content_hash=content_hash,
                details={"records": records},
                now=now,
            )
            appended += 1
    return appended


def _unlogged(models, recorded, last):
    """``{assessment: {(table, columns): [row, ...]}}`` of what the log lacks, for assessments that have a log."""
    pending = defaultdict(lambda: defaultdict(list))
    for covered in COVERED:
        model = models[covered.table]
        # The fields the migration's model has: one added later is recorded by the migration that follows it.
        present = {field.name for field in model._meta.get_fields()}
        fields = tuple(name for name in covered.fields if name in present)
        read = ("id", "assessment", *fields)
        for row in read_rows(covered, model.objects.all(), fields):
            if row[1] not in last:
                continue  # an assessment without any audit row: verify reports it as a whole
            told = recorded.get((covered.table, row[0]))
            if told is None:
                columns = read
            else:
                columns = ("id", *(name for name in read[1:] if name not in told))
                if len(columns) == 1:
                    continue
            values = dict(zip(read, row, strict=True))
            pending[row[1]][(covered.table, columns)].append([values[name] for name in columns])
    return pending


def _entries(groups):
    """Each entry's ``records``: one block per table, so a table whose rows lack different fields takes several."""
    groups = sorted(groups.items())
    while groups:
        records, rest = {}, []
        for (table, columns), rows in groups:
            if table in records:
                rest.append(((table, columns), rows))
            else:
                records[table] = {"fields": list(columns), "rows": sorted(rows, key=lambda row: row[0])}
        yield records
        groups = rest


def _append(apps, *, assessment_id, state, content_hash, details, now):
    """``audit.chain.audit_append`` with the migration's models: lock the head, hash, sign the row and the head."""
    head_model = apps.get_model("assessments", "AuditChainHead")
    entry_model = apps.get_model("assessments", "AuditEntry")
    signer = signing.signer_from_settings()
    head_model.objects.get_or_create(pk=HEAD_PK)
    head = head_model.objects.select_for_update().get(pk=HEAD_PK)
    entry = entry_model(
        seq=head.last_seq + 1,
        assessment_id=assessment_id,
        actor_id=None,
        actor_username="system",
        action=ACTION,
        transition="",
        from_state=state,
        to_state=state,
        comment="",
        content_hash=content_hash,
        details=canonical.normalise(details),
        created_at=now,
        prev_hash=head.last_hash,
    )
    entry.entry_hash = canonical.sha256_of(
        audit_payload(
            seq=entry.seq,
            assessment_id=entry.assessment_id,
            actor_id=None,
            actor_username=entry.actor_username,
            action=entry.action,
            transition="",
            from_state=state,
            to_state=state,
            comment="",
            content_hash=content_hash,
            details=entry.details,
            created_at=now,
            prev_hash=entry.prev_hash,
        )
    )
    head_update = {
        "last_seq": entry.seq,
        "last_hash": entry.entry_hash,
        "signed_at": None,
        "key_id": "",
        "signature": "",
    }
    if signer is not None:
        if head.key_id != signer.key_id:
            _record_key(apps, signer, now)
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
    entry.save(force_insert=True)
    head_model.objects.filter(pk=HEAD_PK).update(**head_update)


def _record_key(apps, signer, now):
    """As ``audit.chain._record_key``: a retired key is refused; a new one is recorded, ending the last one's use."""
    key_model = apps.get_model("assessments", "AuditSigningKey")
    record = key_model.objects.filter(key_id=signer.key_id).first()
    if record is not None and record.valid_until is not None:
        raise ImproperlyConfigured(
            f"AUDIT_SIGNING_KEY is the key {signer.key_id}, retired at {record.valid_until:%Y-%m-%d %H:%M}; "
            "configure the current key."
        )
    if record is None:
        key_model.objects.create(key_id=signer.key_id, public_key=signing.public_pem(signer.public_key), valid_from=now)
    key_model.objects.filter(valid_until__isnull=True).exclude(key_id=signer.key_id).update(valid_until=now)
