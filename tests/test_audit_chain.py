"""The audit log is append-only and hash-chained; verify_audit_log proves it untouched."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from assessments.audit import audit_append, audit_verify
from assessments.models import AuditEntry, State

from .workflow import advance, create_draft


@pytest.fixture
def trail(people):
    advance(people, create_draft(people), State.CLINICAL_REVIEW)
    advance(people, create_draft(people), State.LEGAL_REVIEW)
    assert AuditEntry.objects.count() >= 8
    return people


def table():
    return connection.ops.quote_name(AuditEntry._meta.db_table)


def test_an_untouched_chain_verifies(trail, capsys):
    call_command("verify_audit_log")
    assert f"{AuditEntry.objects.count()} rows verified" in capsys.readouterr().out


def tamper(seq, column, value):
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table()} SET {column} = %s WHERE seq = %s", [value, seq])  # noqa: S608


def test_an_altered_row_is_detected_and_named(trail):
    tamper(4, "comment", "Approved without concerns")
    with pytest.raises(CommandError, match=r"Row 4 was altered"):
        call_command("verify_audit_log")


def test_an_altered_actor_is_detected(trail):
    tamper(3, "actor_username", "someone_else")
    assert audit_verify().first_broken_seq == 3


def test_a_deleted_row_is_detected_and_named(trail):
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table()} WHERE seq = 5")  # noqa: S608
    with pytest.raises(CommandError, match=r"Row 5 is missing"):
        call_command("verify_audit_log")


def test_deleting_the_last_rows_is_detected(trail):
    last = AuditEntry.objects.order_by("-seq").first().seq
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table()} WHERE seq >= %s", [last - 1])  # noqa: S608
    with pytest.raises(CommandError, match=rf"Row {last - 1} is missing"):
        call_command("verify_audit_log")


def test_removing_a_whole_assessments_rows_is_detected(trail):
    first_assessment = AuditEntry.objects.order_by("seq").first().assessment_id
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table()} WHERE assessment_id = %s", [first_assessment])  # noqa: S608
    assert not audit_verify().ok


def test_an_inserted_row_is_detected_even_with_a_valid_hash(trail):
    # A forger who knows the scheme appends a well-formed row at the end, bypassing the head.
    last = AuditEntry.objects.order_by("-seq").first()
    forged = AuditEntry(
        seq=last.seq + 1,
        assessment_id=last.assessment_id,
        actor_username="forger",
        action="transition",
        transition="approve",
        created_at=last.created_at,
        prev_hash=last.entry_hash,
    )
    forged.entry_hash = forged.compute_hash()
    forged.save()
    with pytest.raises(CommandError, match=rf"Row {last.seq + 1} was not appended by the system"):
        call_command("verify_audit_log")


def test_a_row_inserted_in_the_middle_is_detected(trail):
    # Renumber the tail to make room, then insert a row at 3: the chain no longer links.
    rows = list(AuditEntry.objects.filter(seq__gte=3).order_by("-seq").values_list("seq", flat=True))
    with connection.cursor() as cursor:
        for seq in rows:
            cursor.execute(f"UPDATE {table()} SET seq = %s WHERE seq = %s", [seq + 1, seq])  # noqa: S608
    row2 = AuditEntry.objects.get(seq=2)
    forged = AuditEntry(
        seq=3,
        assessment_id=row2.assessment_id,
        actor_username="forger",
        action="transition",
        created_at=row2.created_at,
        prev_hash=row2.entry_hash,
    )
    forged.entry_hash = forged.compute_hash()
    forged.save()
    report = audit_verify()
    assert not report.ok and report.first_broken_seq == 4


def test_rows_cannot_be_changed_or_deleted_through_the_orm(trail):
    entry = AuditEntry.objects.first()
    entry.comment = "rewritten"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.all().delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(seq=1).update(comment="rewritten")


def test_each_row_links_to_the_previous_hash(trail):
    entries = list(AuditEntry.objects.order_by("seq"))
    for previous, entry in zip(entries, entries[1:], strict=False):
        assert entry.prev_hash == previous.entry_hash
        assert entry.seq == previous.seq + 1


@pytest.mark.django_db(transaction=True)
def test_appending_outside_a_transaction_is_refused(trail):
    assessment = create_draft(trail)
    with pytest.raises(RuntimeError):
        audit_append(assessment=assessment, actor=trail.alice, action="transition")
    with transaction.atomic():
        audit_append(assessment=assessment, actor=trail.alice, action="transition")
    assert audit_verify().ok
