"""Someone with write access to the database attacks the audit log; verify_audit_log catches each attack.

One test per attack, each done with raw SQL and the project's own hashing code,
each asserting the exit status and the row or assessment the verifier names.
CI runs this module on SQLite and on PostgreSQL.
"""

import json

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.utils import timezone

from assessments import signing
from assessments.models import (
    Assessment,
    AssessmentGroupObjectPermission,
    AuditChainHead,
    AuditEntry,
    AuditSigningKey,
    SignOff,
    State,
)

from .audit_tools import (
    checkpoint_file,
    forge_head_signature,
    last_seq,
    problems,
    quoted,
    rechain_from,
    sql,
    verify,
)
from .workflow import advance, create_draft


@pytest.fixture
def trail(people):
    """Two assessments: one signed off by Legal and Security (now at Clinical), one draft of the team."""
    people.reviewed = advance(people, create_draft(people), State.CLINICAL_REVIEW)
    people.draft = create_draft(people)
    assert AuditEntry.objects.count() >= 6
    assert verify()[0] == 0
    return people


def test_a_fresh_demo_database_verifies_clean(db):
    call_command("seed_demo", "--password", "pw")
    status, output = verify()
    assert status == 0, output
    assert f"{AuditEntry.objects.count()} rows verified" in output
    assert f"{Assessment.objects.count()} assessments match the log" in output


def test_an_edited_row_is_named(trail):
    sql(f"UPDATE {quoted(AuditEntry)} SET comment = %s WHERE seq = 4", ["Approved without concerns"])  # noqa: S608

    status, output = verify()

    assert status == 1
    assert problems(output) == ["row_altered"]
    assert "Row 4 was altered" in output


def test_an_edit_with_every_later_hash_and_the_head_recomputed_is_named(trail):
    sql(f"UPDATE {quoted(AuditEntry)} SET actor_username = %s WHERE seq = 4", ["someone_else"])  # noqa: S608
    end = rechain_from(4)

    status, output = verify()

    assert status == 1
    assert "head_signature_invalid" in problems(output)
    assert f"Rows 4 to {end} are not signed by a trusted key" in output
    assert "proven only up to row 3" in output


def test_an_edit_re_signed_with_the_attackers_own_key_is_named(trail):
    # Even recording the attacker's key in the database does not make it trusted.
    sql(f"UPDATE {quoted(AuditEntry)} SET comment = %s WHERE seq = 3", ["rewritten"])  # noqa: S608
    end = rechain_from(3)
    own_key = signing.new_private_key_pem()
    public = signing.load_private_key(own_key).public_key()
    AuditSigningKey.objects.create(
        key_id=signing.key_id_of(public), public_key=signing.public_pem(public), valid_from=timezone.now()
    )
    head = AuditChainHead.objects.get()
    forge_head_signature(own_key, seq=end, hash=head.last_hash, signed_at=timezone.now())

    status, output = verify()

    assert status == 1
    assert "head_unknown_key" in problems(output)
    assert f"Rows 3 to {end} are not signed by a trusted key" in output


def test_a_deleted_middle_row_is_named(trail):
    sql(f"DELETE FROM {quoted(AuditEntry)} WHERE seq = 5")  # noqa: S608

    status, output = verify()

    assert status == 1
    assert problems(output)[0] == "row_missing"
    assert "Row 5 is missing: the chain jumps from row 4 to row 6 (it was deleted)." in output
    # What the lost row did is missing from the replay, so the tables disagree with the log as well.
    assert "state_drift" in problems(output)


def test_a_deleted_middle_row_renumbered_and_rechained_is_named(trail):
    end = last_seq()
    sql(f"DELETE FROM {quoted(AuditEntry)} WHERE seq = 3")  # noqa: S608
    for seq in range(4, end + 1):
        sql(f"UPDATE {quoted(AuditEntry)} SET seq = %s WHERE seq = %s", [seq - 1, seq])  # noqa: S608
    rechain_from(3)

    status, output = verify()

    assert status == 1
    assert "head_signature_invalid" in problems(output)
    assert f"Rows 3 to {end - 1} are not signed by a trusted key" in output


def test_deleting_the_last_row_and_moving_the_head_back_is_detected(trail):
    end = last_seq()
    sql(f"DELETE FROM {quoted(AuditEntry)} WHERE seq = %s", [end])  # noqa: S608
    previous = AuditEntry.objects.get(seq=end - 1)
    AuditChainHead.objects.filter(pk=1).update(last_seq=end - 1, last_hash=previous.entry_hash)

    status, output = verify()

    assert status == 1
    assert "head_signature_invalid" in problems(output)
    assert f"does not verify for row {end - 1}" in output
    assert "rows after it may have been deleted" in output


def test_deleting_the_last_row_without_moving_the_head_is_named(trail):
    end = last_seq()
    sql(f"DELETE FROM {quoted(AuditEntry)} WHERE seq = %s", [end])  # noqa: S608

    status, output = verify()

    assert status == 1
    assert problems(output)[0] == "head_moved"
    assert f"Row {end} is missing: the signed head names row {end}" in output


def test_deleting_everything_is_detected_by_the_assessments_left_behind(trail):
    sql(f"DELETE FROM {quoted(AuditEntry)}")  # noqa: S608
    AuditChainHead.objects.filter(pk=1).update(last_seq=0, last_hash="0" * 64, signed_at=None, key_id="", signature="")

    status, output = verify()

    assert status == 1
    assert set(problems(output)) == {"assessment_without_log"}
    for assessment in (trail.reviewed, trail.draft):
        assert f"Assessment {assessment.pk} has no audit trail" in output


def test_deleting_every_row_but_keeping_the_head_is_named(trail):
    end = last_seq()
    sql(f"DELETE FROM {quoted(AuditEntry)}")  # noqa: S608

    status, output = verify()

    assert status == 1
    assert f"Row 1 is missing: the signed head names row {end}" in output


def test_a_forged_row_with_a_valid_hash_is_named(trail):
    last = AuditEntry.objects.order_by("-seq").first()
    forged = AuditEntry(
        seq=last.seq + 1,
        assessment_id=last.assessment_id,
        actor_username="forger",
        action="transition",
        transition="approve",
        from_state="clinical_review",
        to_state="clinical_review",
        created_at=last.created_at,
        prev_hash=last.entry_hash,
    )
    forged.entry_hash = forged.compute_hash()
    forged.save()

    status, output = verify()

    assert status == 1
    assert "row_inserted" in problems(output)
    assert f"Row {forged.seq} was not appended by the system" in output


def test_a_forged_row_with_the_head_moved_onto_it_is_named(trail):
    last = AuditEntry.objects.order_by("-seq").first()
    forged = AuditEntry(
        seq=last.seq + 1,
        assessment_id=last.assessment_id,
        actor_username="forger",
        action="condition_met",
        created_at=timezone.now(),
        prev_hash=last.entry_hash,
        key_id=last.key_id,
        signature=last.signature,  # a real signature, of another row
    )
    forged.entry_hash = forged.compute_hash()
    forged.save()
    AuditChainHead.objects.filter(pk=1).update(last_seq=forged.seq, last_hash=forged.entry_hash)

    status, output = verify()

    assert status == 1
    assert "head_signature_invalid" in problems(output)
    assert f"Row {forged.seq} is not signed by a trusted key" in output


def test_rolling_back_to_an_older_checkpoint_is_caught_by_a_later_checkpoint(trail, tmp_path):
    older_path, older = checkpoint_file(tmp_path, "older.json")
    newer_assessment = create_draft(trail)
    newer_path, newer = checkpoint_file(tmp_path, "newer.json")
    assert newer["seq"] > older["seq"]
    # Restore the database as it was at the older checkpoint: its head carries a genuine signature.
    sql(f"DELETE FROM {quoted(AuditEntry)} WHERE seq > %s", [older["seq"]])  # noqa: S608
    AssessmentGroupObjectPermission.objects.filter(content_object=newer_assessment).delete()
    sql(f"DELETE FROM {quoted(Assessment)} WHERE id = %s", [newer_assessment.pk])  # noqa: S608
    head = AuditChainHead.objects.get()
    head.last_seq, head.last_hash, head.key_id, head.signature = (
        older["seq"],
        older["hash"],
        older["key_id"],
        older["signature"],
    )
    head.signed_at = AuditEntry.objects.get(seq=older["seq"]).created_at
    head.save()

    # A rollback to a genuinely signed state is invisible from inside the database...
    assert verify("--checkpoint", older_path)[0] == 0
    # ...and caught as soon as a later checkpoint was kept outside it.
    status, output = verify("--checkpoint", older_path, "--checkpoint", newer_path)
    assert status == 1
    assert problems(output) == ["checkpoint_missing"]
    assert f"Row {newer['seq']} of checkpoint {newer_path} is missing: the chain ends at row {older['seq']}" in output


def test_rewriting_history_before_a_checkpoint_is_caught_by_it(trail, tmp_path):
    path, checkpoint = checkpoint_file(tmp_path)
    sql(f"UPDATE {quoted(AuditEntry)} SET comment = %s WHERE seq = 2", ["rewritten"])  # noqa: S608
    rechain_from(2)

    status, output = verify("--checkpoint", path)

    assert status == 1
    assert f"Row {checkpoint['seq']} differs from checkpoint {path}" in output
    assert "Rows 2 to" in output


def test_a_state_changed_with_sql_is_named(trail):
    sql(f"UPDATE {quoted(Assessment)} SET state = %s WHERE id = %s", ["approved", trail.reviewed.pk])  # noqa: S608

    status, output = verify()

    assert status == 1
    assert "state_drift" in problems(output)
    told = f"Assessment {trail.reviewed.pk} is approved in the table, but the log ends with it clinical_review"
    assert told in output
    assert problems(output) == ["state_drift"]


def test_a_deleted_sign_off_is_named(trail):
    sign_off = SignOff.objects.get(assessment=trail.reviewed, stage="security")
    sql(f"DELETE FROM {quoted(SignOff)} WHERE id = %s", [sign_off.pk])  # noqa: S608

    status, output = verify()

    assert status == 1
    assert problems(output) == ["sign_off_missing"]
    assert f"Assessment {trail.reviewed.pk}: the security sign-off of round 1 is in the log but missing" in output


def test_an_inserted_sign_off_is_named(trail):
    SignOff.objects.create(
        assessment=trail.reviewed,
        stage="clinical",
        review_round=1,
        reviewer=trail.reviewers["clinical"],
        decision="approved",
        content_hash=trail.reviewed.content_hash,
    )

    status, output = verify()

    assert status == 1
    assert problems(output) == ["sign_off_inserted"]
    assert f"Assessment {trail.reviewed.pk}: the clinical sign-off of round 1 is in the table" in output


def test_an_invalidated_sign_off_made_valid_again_is_named(people):
    assessment = advance(people, create_draft(people), State.SECURITY_REVIEW)
    assessment = advance(people, assessment, State.CHANGES_REQUESTED)
    from assessments import services

    services.assessment_update_answers(assessment=assessment, answers={"impact.benefits": "Changed."}, by=people.alice)
    assert verify()[0] == 0
    sql(f"UPDATE {quoted(SignOff)} SET invalidated_at = NULL WHERE assessment_id = %s", [assessment.pk])  # noqa: S608

    status, output = verify()

    assert status == 1
    assert set(problems(output)) == {"sign_off_validity_drift"}
    assert f"Assessment {assessment.pk}: the legal sign-off of round 1 is valid in the table" in output


def test_an_inserted_permission_row_is_named(trail):
    # Another team's group is let in to read the draft.
    AssessmentGroupObjectPermission.objects.create(
        group=Group.objects.get(name=trail.other_team.group.name),
        permission=Permission.objects.get(codename="view_assessment"),
        content_object=trail.draft,
    )

    status, output = verify()

    assert status == 1
    assert problems(output) == ["grant_drift"]
    assert (
        f"Assessment {trail.draft.pk}: group {trail.other_team.group.name} holds view_assessment, "
        "which the workflow never granted" in output
    )


def test_a_feature_moved_to_another_team_with_its_grants_is_named(trail):
    # The draft is handed to another team, and its permission rows are moved to match: the grants agree with
    # the tables, but the log created the assessment for its first team.
    from assessments.models import AIFeature

    AIFeature.objects.filter(pk=trail.draft.feature_id).update(team=trail.other_team)
    AssessmentGroupObjectPermission.objects.filter(content_object=trail.draft).update(group=trail.other_team.group)

    status, output = verify()

    assert status == 1
    assert problems(output) == ["team_drift"]
    assert (
        f"Assessment {trail.draft.pk} belongs to team growth in the table, "
        "but the log created it for team client-experience" in output
    )


def test_a_permission_row_for_one_user_is_named(trail):
    from assessments.models import AssessmentUserObjectPermission

    AssessmentUserObjectPermission.objects.create(
        user=trail.olga, permission=Permission.objects.get(codename="view_assessment"), content_object=trail.draft
    )

    status, output = verify()

    assert status == 1
    assert problems(output) == ["grant_drift"]
    assert f"Assessment {trail.draft.pk}: user olga holds view_assessment" in output


def test_a_deleted_assessment_is_named(trail):
    AssessmentGroupObjectPermission.objects.filter(content_object=trail.draft).delete()
    sql(f"DELETE FROM {quoted(Assessment)} WHERE id = %s", [trail.draft.pk])  # noqa: S608

    status, output = verify()

    assert status == 1
    assert problems(output) == ["assessment_deleted"]
    assert f"Assessment {trail.draft.pk} has audit rows but is missing from the table" in output


def test_answers_changed_with_sql_are_named(trail):
    answers = {**trail.reviewed.answers, "data.retention_days": 3650}
    sql(f"UPDATE {quoted(Assessment)} SET answers = %s WHERE id = %s", [json.dumps(answers), trail.reviewed.pk])  # noqa: S608

    status, output = verify()

    assert status == 1
    assert problems(output) == ["content_drift"]
    assert f"Assessment {trail.reviewed.pk}: its answers or name are not the content the log last recorded" in output


def test_answers_changed_with_their_hash_recomputed_are_named(trail):
    assessment = Assessment.objects.get(pk=trail.reviewed.pk)
    assessment.answers = {**assessment.answers, "data.retention_days": 3650}
    sql(
        f"UPDATE {quoted(Assessment)} SET answers = %s, content_hash = %s WHERE id = %s",  # noqa: S608
        [json.dumps(assessment.answers), assessment.compute_content_hash(), assessment.pk],
    )

    status, output = verify()

    assert status == 1
    assert problems(output) == ["content_drift"]


def test_deleting_the_row_of_a_checkpoint_is_caught_by_it(trail, tmp_path):
    path, checkpoint = checkpoint_file(tmp_path)
    create_draft(trail)
    sql(f"DELETE FROM {quoted(AuditEntry)} WHERE seq = %s", [checkpoint["seq"]])  # noqa: S608

    status, output = verify("--checkpoint", path)

    assert status == 1
    assert f"Row {checkpoint['seq']} of checkpoint {path} is missing from the chain" in output
