"""The audit log is append-only, hash-chained and signed; verify_audit_log proves it and lists every problem."""

import json
from io import StringIO

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.utils import timezone

from assessments import canonical, services, signing
from assessments.audit import audit_append, audit_checkpoint, audit_verify
from assessments.checks import audit_signing_key_check
from assessments.models import AuditChainHead, AuditEntry, AuditSigningKey, Condition, State

from .audit_tools import checkpoint_file, forge_head_signature, problems, quoted, sql, verify
from .workflow import EVIDENCE, act, advance, bias_rows, create_draft, meet


@pytest.fixture
def trail(people):
    advance(people, create_draft(people), State.CLINICAL_REVIEW)
    advance(people, create_draft(people), State.LEGAL_REVIEW)
    return people


def public_key_of(private_pem):
    return signing.load_private_key(private_pem).public_key()


def test_an_untouched_chain_verifies_and_says_what_it_checked(trail):
    status, output = verify()
    assert status == 0, output
    assert f"{AuditEntry.objects.count()} rows verified, signed head checked, 2 assessments match the log" in output


def test_each_row_links_to_the_previous_hash_and_carries_its_own_signature(trail, audit_signing_key):
    public_key = public_key_of(audit_signing_key)
    entries = list(AuditEntry.objects.order_by("seq"))
    assert entries[0].prev_hash == canonical.GENESIS_HASH
    for previous, entry in zip(entries, entries[1:], strict=False):
        assert entry.prev_hash == previous.entry_hash
        assert entry.seq == previous.seq + 1
    for entry in entries:
        assert entry.entry_hash == canonical.sha256_of(entry.hashed_payload())
        statement = signing.row_statement(seq=entry.seq, hash=entry.entry_hash, key_id=entry.key_id)
        assert signing.signature_is_valid(public_key, statement, entry.signature)
    head = AuditChainHead.objects.get()
    assert (head.last_seq, head.last_hash) == (entries[-1].seq, entries[-1].entry_hash)


def test_hashes_are_rfc_8785(people):
    # Key order by UTF-16 code units, ECMAScript number forms: -0.0 and 0 hash alike, 1e2 as 100.
    assert canonical.dumps({"b": 1e2, "a": -0.0, "é": 0.1}) == b'{"a":0,"b":100,"\xc3\xa9":0.1}'
    assert canonical.sha256_of({"x": 1.0}) == canonical.sha256_of({"x": 1})
    with pytest.raises(canonical.NotCanonical):
        canonical.dumps({"x": "\udfff"})
    with pytest.raises(canonical.NotCanonical):
        canonical.dumps({"x": 2**53 + 1})


@pytest.mark.parametrize(
    ("written", "stored"),
    [(-0.0, 0), (0.0, 0), (1.0, 1), (1e2, 100), (0.1, 0.1), (-2.5, -2.5), (2**53 - 1, 2**53 - 1), (True, True)],
)
def test_numbers_are_stored_as_the_database_gives_them_back(written, stored):
    normal = canonical.normalise_number(written)
    assert normal == stored and type(normal) is type(stored)


@pytest.mark.parametrize("number", [2**53, 2**53 + 1, -(2**53), 1e16, float("inf"), float("nan")])
def test_numbers_no_json_double_holds_exactly_are_refused(number):
    with pytest.raises(canonical.NotCanonical):
        canonical.normalise_number(number)


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


@pytest.mark.django_db(transaction=True)
def test_appending_outside_a_transaction_is_refused(trail):
    assessment = create_draft(trail)
    with pytest.raises(RuntimeError):
        audit_append(assessment=assessment, actor=trail.alice, action="transition")
    with transaction.atomic():
        audit_append(
            assessment=assessment,
            actor=trail.alice,
            action="answers_changed",
            to_state="draft",
            content_hash=assessment.content_hash,
        )
    assert audit_verify().ok


def test_a_whole_lifecycle_replays_clean(people):
    """Changes requested, invalidated sign-offs, a new round, conditions, re-assessment and supersession."""
    assessment = advance(people, create_draft(people), State.SECURITY_REVIEW)
    assessment = act(people, assessment, "request_changes")
    services.assessment_update_answers(assessment=assessment, answers={"impact.benefits": "Clearer."}, by=people.alice)
    assessment = act(people, assessment, "resubmit")
    assessment = act(people, assessment, "approve", conditions=[{"text": "Publish the FAQ.", "due_date": "2099-01-01"}])
    meet(people, Condition.objects.get(assessment=assessment))
    assessment = advance(people, assessment, State.SUPERSEDED)
    withdrawn = advance(people, create_draft(people), State.WITHDRAWN)
    rejected = advance(people, create_draft(people), State.REJECTED)
    assert {withdrawn.state, rejected.state} == {State.WITHDRAWN, State.REJECTED}

    report = audit_verify()

    assert report.ok, report.problems
    assert report.assessments == 4


def test_every_problem_is_listed_not_only_the_first(trail):
    # A false alarm or a real alteration early in the log must not hide a later one.
    for seq in (2, 6):
        sql(f"UPDATE {quoted(AuditEntry)} SET comment = %s WHERE seq = %s", ["rewritten", seq])  # noqa: S608

    report = audit_verify()

    assert [(p.kind, p.seq) for p in report.problems] == [("row_altered", 2), ("row_altered", 6)]


def test_a_changed_head_hash_is_reported_as_the_head_not_as_an_inserted_row(trail):
    AuditChainHead.objects.filter(pk=1).update(last_hash="f" * 64)
    end = AuditEntry.objects.order_by("-seq").first().seq

    status, output = verify()

    assert status == 1
    assert problems(output)[0] == "head_moved"
    assert f"The head names row {end} with a hash that row {end} does not have" in output
    assert "not appended by the system" not in output


def test_appends_without_a_key_leave_the_head_unsigned_and_the_verifier_says_so(people, settings):
    settings.AUDIT_SIGNING_KEY = ""
    create_draft(people)

    status, output = verify()

    assert status == 1
    assert "head_unsigned" in problems(output)
    assert AuditEntry.objects.get().signature == ""


def test_a_fresh_log_with_nothing_appended_holds(db):
    assert verify()[0] == 0


def test_a_head_signed_by_a_key_the_verifier_does_not_trust_is_reported(trail, settings):
    settings.AUDIT_SIGNING_KEY = signing.new_private_key_pem()  # the verifier now knows another key only

    status, output = verify()

    assert status == 1
    assert "head_unknown_key" in problems(output)


def test_the_verifier_trusts_a_published_public_key_given_to_it(trail, settings, tmp_path, audit_signing_key):
    published = tmp_path / "audit-public.pem"
    published.write_text(signing.public_pem(public_key_of(audit_signing_key)))
    settings.AUDIT_SIGNING_KEY = ""  # e.g. an auditor's machine: no private key

    assert verify("--public-key", str(published))[0] == 0
    settings.AUDIT_PUBLIC_KEYS = str(published)
    assert verify()[0] == 0


def test_a_key_record_that_names_another_public_key_is_reported(trail):
    other = public_key_of(signing.new_private_key_pem())
    AuditSigningKey.objects.update(public_key=signing.public_pem(other))

    status, output = verify()

    assert status == 1
    assert "key_record_altered" in problems(output)


def test_audit_checkpoint_prints_the_signed_head(trail, tmp_path):
    path, checkpoint = checkpoint_file(tmp_path)

    head = AuditChainHead.objects.get()
    assert set(checkpoint) == {"seq", "hash", "signed_at", "key_id", "signature"}
    assert (checkpoint["seq"], checkpoint["hash"]) == (head.last_seq, head.last_hash)
    assert checkpoint == audit_checkpoint()
    assert verify("--checkpoint", path)[0] == 0


def test_audit_checkpoint_refuses_an_unsigned_head(people, settings):
    settings.AUDIT_SIGNING_KEY = ""
    create_draft(people)
    with pytest.raises(CommandError, match="not signed"):
        call_command("audit_checkpoint", stdout=StringIO())


def test_audit_checkpoint_refuses_a_head_whose_signature_does_not_verify(trail):
    AuditChainHead.objects.filter(pk=1).update(last_seq=1)
    with pytest.raises(CommandError, match="does not verify"):
        call_command("audit_checkpoint", stdout=StringIO())


def test_the_public_key_alone_verifies_a_checkpoint(trail, tmp_path, django_db_blocker):
    path, _ = checkpoint_file(tmp_path)
    out = StringIO()
    call_command("audit_public_key", stdout=out)
    public_pem = out.getvalue()

    with django_db_blocker.block():  # any database access now fails the test
        with open(path) as handle:
            checkpoint = json.load(handle)
        public_key = signing.public_key_from_pem(public_pem)
        assert signing.checkpoint_is_valid(checkpoint, public_key)
        for field, value in [("seq", checkpoint["seq"] - 1), ("hash", "0" * 64), ("signed_at", "2020-01-01")]:
            assert not signing.checkpoint_is_valid({**checkpoint, field: value}, public_key)
        assert not signing.checkpoint_is_valid(checkpoint, public_key_of(signing.new_private_key_pem()))


def test_a_checkpoint_with_a_forged_signature_is_reported(trail, tmp_path):
    path, checkpoint = checkpoint_file(tmp_path)
    forged = tmp_path / "forged.json"
    forged.write_text(json.dumps({**checkpoint, "seq": checkpoint["seq"] + 5}))

    status, output = verify("--checkpoint", str(forged))

    assert status == 1
    assert problems(output) == ["checkpoint_signature_invalid"]


@pytest.mark.parametrize(
    "content",
    ["not json", "[]", '{"seq": 1}', '{"seq": -1, "hash": "", "signed_at": "", "key_id": "", "signature": ""}'],
)
def test_an_unusable_checkpoint_file_is_reported(trail, tmp_path, content):
    path = tmp_path / "bad.json"
    path.write_text(content)

    status, output = verify("--checkpoint", str(path), "--checkpoint", str(tmp_path / "absent.json"))

    assert status == 1
    assert problems(output) == ["checkpoint_unreadable", "checkpoint_unreadable"]


def test_rotating_the_key_keeps_old_checkpoints_verifiable(people, settings, tmp_path, audit_signing_key):
    create_draft(people)
    old_path, old_checkpoint = checkpoint_file(tmp_path, "old.json")
    old_public = tmp_path / "published.pem"
    old_public.write_text(signing.public_pem(public_key_of(audit_signing_key)))
    settings.AUDIT_SIGNING_KEY = signing.new_private_key_pem()

    create_draft(people)  # the first append with the new key records it and ends the old key's period

    old_record = AuditSigningKey.objects.get(key_id=old_checkpoint["key_id"])
    new_record = AuditSigningKey.objects.exclude(key_id=old_checkpoint["key_id"]).get()
    assert old_record.valid_until == new_record.valid_from
    assert new_record.valid_until is None
    assert AuditChainHead.objects.get().key_id == new_record.key_id
    # Without the old public key the old checkpoint cannot be checked...
    status, output = verify("--checkpoint", old_path)
    assert status == 1 and problems(output) == ["checkpoint_unknown_key"]
    # ...with the published old key it holds.
    settings.AUDIT_PUBLIC_KEYS = str(old_public)
    status, output = verify("--checkpoint", old_path)
    assert status == 0, output


def test_a_retired_key_cannot_sign_again(people, settings, audit_signing_key):
    create_draft(people)
    settings.AUDIT_SIGNING_KEY = signing.new_private_key_pem()
    create_draft(people)
    rows = AuditEntry.objects.count()
    settings.AUDIT_SIGNING_KEY = audit_signing_key

    with pytest.raises(ImproperlyConfigured, match="retired"):
        create_draft(people)
    assert AuditEntry.objects.count() == rows


def test_a_head_signed_with_a_stolen_retired_key_after_its_period_is_reported(
    people, settings, tmp_path, audit_signing_key
):
    create_draft(people)
    old_key = audit_signing_key
    settings.AUDIT_SIGNING_KEY = signing.new_private_key_pem()
    create_draft(people)
    settings.AUDIT_PUBLIC_KEYS = ""
    # Someone holding the retired key truncates the log and signs the shorter head.
    sql(f"DELETE FROM {quoted(AuditEntry)} WHERE seq = 2")  # noqa: S608
    first = AuditEntry.objects.get(seq=1)
    forge_head_signature(old_key, seq=1, hash=first.entry_hash, signed_at=timezone.now())
    published = tmp_path / "old-key.pem"
    published.write_text(signing.public_pem(public_key_of(old_key)))

    status, output = verify("--public-key", str(published))

    assert status == 1
    assert "head_key_expired" in problems(output)
    assert "outside the key's period" in output


def test_the_system_check_warns_without_a_key_and_errors_on_a_bad_one(settings):
    settings.AUDIT_SIGNING_KEY = ""
    assert [m.id for m in audit_signing_key_check(None)] == ["assessments.W001"]
    settings.AUDIT_SIGNING_KEY = "-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----"
    assert [m.id for m in audit_signing_key_check(None)] == ["assessments.E001"]
    settings.AUDIT_SIGNING_KEY = signing.new_private_key_pem()
    assert audit_signing_key_check(None) == []


def test_audit_keygen_writes_a_private_key_only_its_owner_reads_and_never_overwrites(tmp_path):
    path = tmp_path / "keys" / "audit.pem"
    out = StringIO()
    call_command("audit_keygen", "--out", str(path), stdout=out, stderr=StringIO())

    assert oct(path.stat().st_mode & 0o777) == "0o600"
    key = signing.load_private_key(str(path))
    assert signing.public_key_from_pem(out.getvalue()).public_bytes_raw() == key.public_key().public_bytes_raw()
    with pytest.raises(CommandError, match="never overwritten"):
        call_command("audit_keygen", "--out", str(path), stdout=StringIO(), stderr=StringIO())
    before = path.read_text()
    call_command("audit_keygen", "--out", str(path), "--if-missing", stdout=StringIO(), stderr=StringIO())
    assert path.read_text() == before


def test_bias_evidence_numbers_are_normalised_in_the_log(people):
    assessment = create_draft(people)
    rows = bias_rows(["race"])
    rows[0]["value"], rows[1]["value"] = -0.0, 1e0

    services.bias_results_add(description=EVIDENCE, assessment=assessment, rows=rows, by=people.alice)

    logged = AuditEntry.objects.get(action="bias_evidence_added").details["rows"]
    assert [row["value"] for row in logged] == [0, 1]
    assert audit_verify().ok


def test_a_public_key_file_that_is_not_one_is_a_clear_error(trail, tmp_path):
    path = tmp_path / "not-a-key.pem"
    path.write_text("hello")

    status, output = verify("--public-key", str(path))

    assert status == 1
    assert "no PEM public key found" in output
