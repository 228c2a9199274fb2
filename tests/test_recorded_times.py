"""Times that a hash or a signature covers are recorded to the millisecond, so any export that keeps milliseconds
(Django's stock JSON serializer, JavaScript) gives back the values that were hashed."""

from datetime import UTC, datetime

from django.core.serializers import json as stock_json

from assessments import canonical, services, signing
from assessments.models import AuditChainHead, AuditEntry, AuditSigningKey, MonitoringFlag, State

from .workflow import advance, create_draft

SKEWED = [
    {"dimension": "race", "group": "a", "n": 400, "metric": "selection_rate", "value": 0.30},
    {"dimension": "race", "group": "b", "n": 380, "metric": "selection_rate", "value": 0.60},
]


def test_the_recorded_precision_is_the_millisecond_truncated_at_its_boundaries():
    moment = datetime(2026, 12, 7, 10, 0, 0, 0, tzinfo=UTC)
    assert canonical.recorded(moment.replace(microsecond=999_999)).microsecond == 999_000
    assert canonical.recorded(moment.replace(microsecond=1_000)).microsecond == 1_000
    assert canonical.recorded(moment.replace(microsecond=999)).microsecond == 0
    assert canonical.recorded(moment.replace(microsecond=0)) == moment
    # The hashed text keeps six digits, so rows recorded to the microsecond before the rule verify as they did.
    assert canonical.timestamp(moment.replace(microsecond=123_000)) == "2026-12-07T10:00:00.123000Z"


def test_every_time_a_hash_or_signature_covers_is_recorded_to_the_millisecond(people):
    launched = advance(people, create_draft(people), State.LAUNCHED)
    services.bias_results_add(assessment=launched, rows=SKEWED, by=people.alice, description="Model v1, month one.")

    times = list(AuditEntry.objects.values_list("created_at", flat=True))
    head = AuditChainHead.objects.get()
    times += [head.signed_at, *AuditSigningKey.objects.values_list("valid_from", flat=True)]
    flag = MonitoringFlag.objects.get()
    times += [flag.raised_at, flag.due_at]
    assert len(times) > 10
    assert [t for t in times if t.microsecond % 1000] == []
    # The deadline written into the audit row is the flag's own, exactly.
    entry = AuditEntry.objects.get(action=AuditEntry.Action.BIAS_FLAGS_RAISED)
    assert entry.details["due_at"] == canonical.timestamp(flag.due_at)


def test_new_rows_read_back_through_djangos_stock_json_serializer_still_hash_and_sign_alike(people, audit_signing_key):
    advance(people, create_draft(people), State.APPROVED)
    rows = [*AuditEntry.objects.all(), AuditChainHead.objects.get(), *AuditSigningKey.objects.all()]
    # Django's own serializer, not the project's exact one: it writes times to the millisecond.
    text = stock_json.Serializer().serialize(rows)
    assert "." in text.split('"created_at": "', 1)[1][:25]
    loaded = [item.object for item in stock_json.Deserializer(text)]

    entries = [item for item in loaded if isinstance(item, AuditEntry)]
    assert len(entries) == AuditEntry.objects.count()
    assert [entry.compute_hash() for entry in entries] == [entry.entry_hash for entry in entries]
    (head,) = [item for item in loaded if isinstance(item, AuditChainHead)]
    statement = signing.checkpoint_statement(
        seq=head.last_seq, hash=head.last_hash, signed_at=canonical.timestamp(head.signed_at), key_id=head.key_id
    )
    public_key = signing.load_private_key(audit_signing_key).public_key()
    assert signing.signature_is_valid(public_key, statement, head.signature)
