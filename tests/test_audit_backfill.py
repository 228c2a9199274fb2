"""The data migration that enters rows made before the log recorded them (assessments.audit_backfill).

An installation from before: the services wrote their audit rows without records
(``records_of`` patched to record nothing, as the old code did). The migration's
function, run with the models of its migration, appends entries through the chain
so that the installation verifies; it vouches for nothing but the rows it records.
"""

import json

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from assessments import canonical, conditions, services, signing
from assessments.audit_backfill import record_unlogged_rows
from assessments.bias_services import notes, results
from assessments.models import AuditChainHead, AuditEntry, Condition, SignOff, State
from assessments.services import comments, drafts, transition

from .audit_tools import last_seq, problems, quoted, sql, verify
from .workflow import act, advance, create_draft

MIGRATION = ("assessments", "0013_audit_records_logged")
MANIFESTATION_MIGRATION = ("assessments", "0018_sign_off_manifestation_logged")
EVIDENCE_FILE_MIGRATION = ("assessments", "0019_condition_evidence_file")


def upgraded():
    """The rest of the upgrade after 0013: 0019 records the conditions' evidence-file fields, which 0013's models
    lack; how many entries it appended."""
    return record_unlogged_rows(migration_apps(EVIDENCE_FILE_MIGRATION))


def migration_apps(migration=MIGRATION):
    """The models as a backfill migration sees them."""
    return MigrationLoader(connection).project_state(migration).apps


@pytest.fixture
def before_the_change(people, monkeypatch):
    """Rows of every kind written by the services as they were before this change: their entries lack records."""
    for module in (drafts, transition, comments, results, notes, conditions):
        monkeypatch.setattr(module, "records_of", lambda *querysets: {})
    assessment = create_draft(people)
    services.bias_results_add(
        assessment=assessment,
        rows=[
            {"dimension": "race", "group": "a", "n": 400, "metric": "selection_rate", "value": 0.3},
            {"dimension": "race", "group": "b", "n": 380, "metric": "selection_rate", "value": 0.6},
            {"dimension": "gender", "group": "w", "n": 300, "metric": "selection_rate", "value": 0.55},
            {"dimension": "gender", "group": "m", "n": 310, "metric": "selection_rate", "value": 0.57},
        ],
        by=people.alice,
        source_name="results.csv",
        source_sha256="ab" * 32,
        description="Matching model v3, sessions of 2026 (1,390 clients).",
    )
    services.bias_justification_record(assessment=assessment, dimension="religion", text="Not kept.", by=people.alice)
    services.bias_mitigation_record(
        assessment=assessment, flag="ratio_below_four_fifths:race:selection_rate", text="Recalibrated.", by=people.alice
    )
    assessment = act(people, assessment, "submit")
    services.question_comment_add(
        assessment=assessment, question="overview.audience", text="Who?", by=people.reviewers["legal"]
    )
    assessment = advance(people, assessment, State.DATA_AI_REVIEW)
    assessment = act(people, assessment, "approve", conditions=[{"text": "Publish it.", "before_launch": True}])
    conditions.condition_mark_met(
        condition=Condition.objects.get(assessment=assessment), by=people.alice, evidence="Published on the intranet."
    )
    monkeypatch.undo()
    people.assessment = assessment
    assert not any(entry.details.get("records") for entry in AuditEntry.objects.all())
    status, output = verify()
    assert status == 1
    assert set(problems(output)) == {
        f"{kind}_inserted" for kind in ("bias_batch", "bias_result", "bias_note", "condition")
    } | {
        "question_comment_inserted",
        # Each decision states its sign-off's manifestation (audit_records.replay_entry); the comment it lacks.
        "sign_off_unlogged",
    }
    return people


def test_the_migration_records_existing_rows_so_the_installation_verifies(before_the_change):
    end = last_seq()

    appended = record_unlogged_rows(migration_apps())

    assert appended == 1  # one entry for the one assessment
    entry = AuditEntry.objects.get(seq=end + 1)
    assert (entry.action, entry.actor_username, entry.assessment_id) == (
        "records_logged",
        "system",
        before_the_change.assessment.pk,
    )
    assert set(entry.details["records"]) == {
        "assessments_biasbatch",
        "assessments_biasresult",
        "assessments_biasjustification",
        "assessments_biasmitigation",
        "assessments_condition",
        "assessments_questioncomment",
        "assessments_signoff",
    }
    assert entry.signature and AuditChainHead.objects.get().last_seq == end + 1
    status, output = verify()
    assert set(problems(output)) == {"condition_unlogged"} and "its evidence_file_sha256 was never recorded" in output
    assert upgraded() == 1
    added = AuditEntry.objects.order_by("-seq").first().details["records"]["assessments_condition"]
    assert added["fields"] == ["id", "evidence_file_name", "evidence_file_type", "evidence_file_size"] + [
        "evidence_file_sha256"
    ]
    status, output = verify()
    assert status == 0, output
    assert upgraded() == 0


def test_after_the_migration_an_edit_behind_the_log_is_named(before_the_change):
    record_unlogged_rows(migration_apps())
    upgraded()
    condition = Condition.objects.get(assessment=before_the_change.assessment)
    sql(f"UPDATE {quoted(Condition)} SET status = 'open' WHERE id = %s", [condition.pk])  # noqa: S608

    output = verify()[1]

    assert problems(output) == ["condition_altered"]
    assert f"assessments_condition row {condition.pk} (assessment {before_the_change.assessment.pk}): status" in output


def test_a_second_run_appends_nothing(before_the_change):
    assert record_unlogged_rows(migration_apps()) == 1
    end = last_seq()

    assert record_unlogged_rows(migration_apps()) == 0
    assert last_seq() == end


def test_a_fresh_installation_gets_no_entry(db):
    assert record_unlogged_rows(migration_apps()) == 0
    assert not AuditEntry.objects.exists()


def test_the_migration_vouches_for_no_state_changed_behind_the_log(before_the_change):
    assessment = before_the_change.assessment
    sql(f"UPDATE {quoted(type(assessment))} SET state = 'launched' WHERE id = %s", [assessment.pk])  # noqa: S608

    record_unlogged_rows(migration_apps())
    upgraded()

    output = verify()[1]
    assert problems(output) == ["state_drift"]
    assert f"Assessment {assessment.pk} is launched in the table, but the log ends with it approved" in output


def test_only_the_fields_the_log_lacks_are_recorded(people):
    """A field added to COVERED later: rows already recorded get that field alone, never their other fields again."""
    assessment = advance(people, create_draft(people), State.DATA_AI_REVIEW)
    assessment = act(people, assessment, "approve", conditions=[{"text": "Publish it.", "before_launch": True}])
    condition = Condition.objects.get(assessment=assessment)
    # The log recorded the condition without its owner (as if owner were added to COVERED after it was made),
    # and its text was changed behind the log since.
    entry = AuditEntry.objects.filter(assessment_id=assessment.pk, transition="approve").order_by("-seq").first()
    block = entry.details["records"]["assessments_condition"]
    at = block["fields"].index("owner")
    details = {
        **entry.details,
        "records": {
            **entry.details["records"],
            "assessments_condition": {
                "fields": block["fields"][:at] + block["fields"][at + 1 :],
                "rows": [row[:at] + row[at + 1 :] for row in block["rows"]],
            },
        },
    }
    _rewrite_details(entry, details)
    sql(f"UPDATE {quoted(Condition)} SET text = 'Nothing.' WHERE id = %s", [condition.pk])  # noqa: S608
    output = verify()[1]
    assert set(problems(output)) == {"condition_unlogged", "condition_altered"}

    assert record_unlogged_rows(migration_apps()) == 1

    added = AuditEntry.objects.order_by("-seq").first().details["records"]["assessments_condition"]
    assert added == {"fields": ["id", "owner"], "rows": [[condition.pk, condition.owner_id]]}
    output = verify()[1]
    assert problems(output) == ["condition_altered"]  # the text is still compared with what the log recorded


def test_without_a_signing_key_the_entries_are_appended_unsigned_until_the_next_signed_append(
    before_the_change, settings
):
    key = settings.AUDIT_SIGNING_KEY
    settings.AUDIT_SIGNING_KEY = ""
    assert record_unlogged_rows(migration_apps()) == 1
    assert upgraded() == 1
    assert AuditEntry.objects.order_by("-seq").first().signature == ""
    settings.AUDIT_SIGNING_KEY = key
    status, output = verify()
    assert status == 1 and "head_unsigned" in problems(output)

    create_draft(before_the_change)  # the next append, made with the key, signs the head again

    status, output = verify()
    assert status == 0, output


# -- the sign-off's manifestation, recorded since migration 0019 -------------------------------------------------

MANIFESTATION = ("signer_name", "signer_username", "delegation", "created_at")


def _as_logged_before(people, *, stated):
    """Rewrite each sign-off's records as the log held them before the manifestation was recorded: without its
    fields; ``stated``: whether the decision still states the manifestation (made since 0016) or not (before)."""
    for entry in AuditEntry.objects.filter(assessment_id=people.assessment.pk).order_by("seq"):
        block = entry.details.get("records", {}).get("assessments_signoff")
        if block is None:
            continue
        keep = [at for at, name in enumerate(block["fields"]) if name not in MANIFESTATION]
        details = {
            **entry.details,
            "records": {
                **entry.details["records"],
                "assessments_signoff": {
                    "fields": [block["fields"][at] for at in keep],
                    "rows": [[row[at] for at in keep] for row in block["rows"]],
                },
            },
        }
        if not stated:
            details.pop("manifestation", None)
        _rewrite_details(AuditEntry.objects.get(seq=entry.seq), details)


@pytest.fixture
def signed(people):
    people.assessment = act(people, advance(people, create_draft(people), State.SECURITY_REVIEW), "approve")
    people.sign_offs = list(SignOff.objects.filter(assessment=people.assessment).order_by("pk"))
    assert len(people.sign_offs) == 2 and verify()[0] == 0
    return people


def test_sign_offs_signed_since_0016_verify_with_no_entry_added_their_decision_states_the_manifestation(signed):
    _as_logged_before(signed, stated=True)

    assert verify()[0] == 0
    assert record_unlogged_rows(migration_apps(MANIFESTATION_MIGRATION)) == 0
    sign_off = signed.sign_offs[0]
    sql(f"UPDATE {quoted(SignOff)} SET signer_name = 'Someone Else' WHERE id = %s", [sign_off.pk])  # noqa: S608
    output = verify()[1]
    assert problems(output) == ["sign_off_altered"]
    assert f"assessments_signoff row {sign_off.pk} (assessment {signed.assessment.pk}): signer_name is" in output


def test_sign_offs_signed_before_0016_get_their_time_recorded_once_and_no_name_pinned_on_later(signed):
    SignOff.objects.filter(assessment=signed.assessment).update(signer_name="", signer_username="")  # as 0016 left
    _as_logged_before(signed, stated=False)
    status, output = verify()
    assert status == 1 and problems(output) == ["sign_off_unlogged"] * 2
    assert "its created_at was never recorded" in output

    assert record_unlogged_rows(migration_apps(MANIFESTATION_MIGRATION)) == 1

    added = AuditEntry.objects.order_by("-seq").first().details["records"]["assessments_signoff"]
    assert added["fields"] == ["id", "created_at"] and len(added["rows"]) == 2
    assert verify()[0] == 0
    # The decision said no name: one written in afterwards is named.
    sign_off = signed.sign_offs[1]
    sql(f"UPDATE {quoted(SignOff)} SET signer_name = 'Lena Legal' WHERE id = %s", [sign_off.pk])  # noqa: S608
    output = verify()[1]
    assert problems(output) == ["sign_off_altered"] and "signer_name is 'Lena Legal' in the table" in output


def test_the_0013_backfill_reads_the_sign_offs_with_the_fields_they_had_then(before_the_change):
    """Its models lack the manifestation's fields (added by 0016): it records the others, and reads no missing one."""
    assert "signer_name" not in {f.name for f in migration_apps().get_model("assessments", "SignOff")._meta.fields}

    assert record_unlogged_rows(migration_apps()) == 1

    added = AuditEntry.objects.order_by("-seq").first().details["records"]["assessments_signoff"]
    assert added["fields"] == ["id", "comment", "invalidated_reason"]


def _rewrite_details(entry, details):
    """Replace one row's details and recompute the chain from it, signing as the system would (a test setup,
    standing in for a log written by an older version)."""
    signer = signing.signer_from_settings()
    entry.details = canonical.normalise(details)
    previous_hash = entry.prev_hash
    for row in AuditEntry.objects.filter(seq__gte=entry.seq).order_by("seq"):
        if row.seq == entry.seq:
            row.details = entry.details
        row.prev_hash = previous_hash
        new_hash = row.compute_hash()
        signature = signer.sign(signing.row_statement(seq=row.seq, hash=new_hash, key_id=signer.key_id))
        sql(
            f"UPDATE {quoted(AuditEntry)} SET details = %s, prev_hash = %s, entry_hash = %s, signature = %s "  # noqa: S608
            "WHERE seq = %s",
            [json.dumps(row.details), previous_hash, new_hash, signature, row.seq],
        )
        previous_hash = new_hash
    head = AuditChainHead.objects.get()
    statement = signing.checkpoint_statement(
        seq=head.last_seq, hash=previous_hash, signed_at=canonical.timestamp(head.signed_at), key_id=signer.key_id
    )
    AuditChainHead.objects.filter(pk=1).update(last_hash=previous_hash, signature=signer.sign(statement))
