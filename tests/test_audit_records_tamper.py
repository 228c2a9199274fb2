"""Someone with write access to the database edits, inserts or deletes a record a decision rests on.

For every table the log covers (``assessments.audit_records.COVERED``): a value
updated, a row inserted and a row deleted with raw SQL, the log untouched; each is
reported by ``verify_audit_log`` naming the table, the row and (for an update) the
field. CI runs this module on SQLite and on PostgreSQL.
"""

from datetime import datetime, timedelta
from types import SimpleNamespace

import pytest
from django.db import connection
from django.utils import timezone

from accounts.delegation import delegation_create
from assessments import services
from assessments.audit_records import BY_MODEL, replay_entry
from assessments.models import (
    Assessment,
    AuditEntry,
    BiasBatch,
    BiasJustification,
    BiasMitigation,
    BiasResult,
    Condition,
    MonitoringFlag,
    QuestionComment,
    SignOff,
    State,
)
from reports.dossier import dossier_record
from reports.dossier_data import record_data

from .audit_tools import problems, quoted, sql, verify
from .factories import make_people
from .workflow import act, advance, create_draft, meet

RACE_FLAG = "ratio_below_four_fifths:race:selection_rate"
# The tables every decision rests on, named here rather than read from COVERED, so that a table dropped from
# the replay fails its tests instead of losing them.
TABLES = [BiasBatch, BiasResult, BiasJustification, BiasMitigation, MonitoringFlag, Condition, QuestionComment]
IDS = [model._meta.db_table for model in TABLES]


def skewed(metric="selection_rate"):
    return [
        {"dimension": "race", "group": "a", "n": 400, "metric": metric, "value": 0.3},
        {"dimension": "race", "group": "b", "n": 380, "metric": metric, "value": 0.6},
        {"dimension": "gender", "group": "women", "n": 300, "metric": metric, "value": 0.55},
        {"dimension": "gender", "group": "men", "n": 310, "metric": metric, "value": 0.57},
    ]


@pytest.fixture(scope="module")
def evidence_once(module_db):
    """One launched assessment with a row in every covered table, all written by the services: made once for
    this module's tests (each tampers in its own savepoint, rolled back after it)."""
    return module_db(lambda: _launched_with_evidence(make_people()))


@pytest.fixture
def evidence(evidence_once, db):
    """The cast, with ``assessment`` read afresh for this test."""
    people = SimpleNamespace(**vars(evidence_once))
    people.assessment = Assessment.objects.get(pk=evidence_once.assessment.pk)
    return people


def _launched_with_evidence(people):
    assessment = create_draft(people)
    services.bias_results_add(
        assessment=assessment,
        rows=skewed(),
        by=people.alice,
        source_name="fairness-2026-q4.csv",
        source_sha256="ab" * 32,
        description="Matching model v3, sessions of Q4 2026 (1,390 clients).",
    )
    services.bias_justification_record(
        assessment=assessment, dimension="religion", text="Not collected, by policy.", by=people.alice
    )
    services.bias_mitigation_record(
        assessment=assessment, flag=RACE_FLAG, text="Threshold recalibrated per group.", by=people.alice
    )
    assessment = act(people, assessment, "submit")
    services.question_comment_add(
        assessment=assessment, question="overview.audience", text="Who sees it?", by=people.reviewers["legal"]
    )
    assessment = advance(people, assessment, State.DATA_AI_REVIEW)
    due = (timezone.localdate() + timedelta(days=60)).isoformat()
    assessment = act(
        people,
        assessment,
        "approve",
        conditions=[
            {"text": "Publish the model card.", "before_launch": True},
            {"text": "Report the error rates per group.", "due_date": due},
        ],
    )
    meet(people, Condition.objects.get(assessment=assessment, before_launch=True))
    assessment = act(people, assessment, "launch")
    services.bias_results_add(
        assessment=assessment,
        rows=skewed("true_positive_rate"),
        by=people.reviewers["data_ai"],
        description="Matching model v3, the first month after launch.",
    )
    people.assessment = assessment
    for model in TABLES:
        assert model.objects.filter(assessment=assessment).exists(), model
    status, output = verify()
    assert status == 0, output
    return people


# What each attack changes: a field of one row and its new value (the two misses among them).
UPDATES = {
    BiasBatch: ("description", "Another model, another data set."),
    BiasResult: ("value", 0.01),
    BiasJustification: ("text", "Not needed."),
    BiasMitigation: ("text", "Nothing to do."),
    MonitoringFlag: ("due_at", timezone.now() + timedelta(days=3650)),
    Condition: ("status", "met"),
    QuestionComment: ("text", "Approve it."),
}
# What an inserted copy of a row must change to pass the table's unique constraints.
INSERT_CHANGES = {
    BiasBatch: {"token": "f" * 32},
    BiasJustification: {"dimension": "disability"},
    BiasMitigation: {"flag": "ratio_below_four_fifths:gender:selection_rate"},
    MonitoringFlag: {"flag": "small_sample:race:b"},
}


def _row(model, people):
    """The row an attack aims at: for conditions, the open one (its status set to met is the issue's miss)."""
    rows = model.objects.filter(assessment=people.assessment).order_by("pk")
    if model is Condition:
        rows = rows.filter(status=Condition.Status.OPEN)
    return rows.first()


def _column(model, name):
    return connection.ops.quote_name(model._meta.get_field(name).column)


@pytest.mark.parametrize("model", TABLES, ids=IDS)
def test_a_value_updated_with_sql_is_named_with_its_table_row_and_field(evidence, model):
    covered, row = BY_MODEL[model], _row(model, evidence)
    name, value = UPDATES[model]
    sql(f"UPDATE {quoted(model)} SET {_column(model, name)} = %s WHERE id = %s", [value, row.pk])  # noqa: S608

    status, output = verify()

    assert status == 1
    assert problems(output) == [f"{covered.kind}_altered"]
    assert f"{covered.table} row {row.pk} (assessment {evidence.assessment.pk}): {name} " in output


@pytest.mark.parametrize("model", TABLES, ids=IDS)
def test_a_row_inserted_with_sql_is_named_with_its_table_and_row(evidence, model):
    covered, row = BY_MODEL[model], _row(model, evidence)
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    values = {f.attname: getattr(row, f.attname) for f in fields}
    values.update({model._meta.get_field(k).attname: v for k, v in INSERT_CHANGES.get(model, {}).items()})
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    sql(
        f"INSERT INTO {quoted(model)} ({columns}) VALUES ({marks})",
        [f.get_db_prep_save(values[f.attname], connection) for f in fields],
    )  # noqa: S608
    inserted = model.objects.order_by("-pk").values_list("pk", flat=True).first()

    status, output = verify()

    assert status == 1
    assert problems(output) == [f"{covered.kind}_inserted"]
    assert f"{covered.table} row {inserted} (assessment {evidence.assessment.pk}) is in the table, but" in output


@pytest.mark.parametrize("model", TABLES, ids=IDS)
def test_a_row_deleted_with_sql_is_named_with_its_table_and_row(evidence, model):
    covered, row = BY_MODEL[model], _row(model, evidence)
    expected = [f"{covered.kind}_missing"]
    if model is BiasBatch:
        # Its results point at it: the attacker must unlink them first, which is reported too.
        sql(f"UPDATE {quoted(BiasResult)} SET evidence_batch_id = NULL WHERE evidence_batch_id = %s", [row.pk])  # noqa: S608
        expected = ["bias_batch_missing", "bias_result_altered"]
    sql(f"DELETE FROM {quoted(model)} WHERE id = %s", [row.pk])  # noqa: S608

    status, output = verify()

    assert status == 1
    assert sorted(set(problems(output))) == expected
    assert f"{covered.table} row {row.pk} (assessment {evidence.assessment.pk}) is in the log but missing" in output


def test_an_evidence_file_s_hash_rewritten_is_named(evidence):
    row = BiasResult.objects.filter(assessment=evidence.assessment).exclude(source_sha256="").first()
    sql(f"UPDATE {quoted(BiasResult)} SET source_sha256 = %s WHERE id = %s", ["cd" * 32, row.pk])  # noqa: S608

    status, output = verify()

    assert status == 1 and problems(output) == ["bias_result_altered"]
    assert f"assessments_biasresult row {row.pk} (assessment {evidence.assessment.pk}): source_sha256 is" in output


def test_every_field_of_a_row_changed_is_named_once(evidence):
    row = BiasResult.objects.filter(assessment=evidence.assessment).first()
    sql(
        f"UPDATE {quoted(BiasResult)} SET value = 0.99, sample_size = 5, {_column(BiasResult, 'group')} = 'z' "  # noqa: S608
        "WHERE id = %s",
        [row.pk],
    )

    output = verify()[1]

    assert problems(output) == ["bias_result_altered"] * 3
    for name in ("group", "sample_size", "value"):
        assert f"row {row.pk} (assessment {evidence.assessment.pk}): {name} is" in output


@pytest.mark.parametrize("name", ["comment", "invalidated_reason"])
def test_a_sign_off_s_comment_or_reason_rewritten_is_named(evidence, name):
    # Rows inserted or deleted are reported by the sign-off replay (tests/test_audit_tamper.py).
    sign_off = SignOff.objects.filter(assessment=evidence.assessment, stage="legal").get()
    sql(f"UPDATE {quoted(SignOff)} SET {name} = %s WHERE id = %s", ["No concerns at all.", sign_off.pk])  # noqa: S608

    status, output = verify()

    assert status == 1 and problems(output) == ["sign_off_altered"]
    assert f"assessments_signoff row {sign_off.pk} (assessment {evidence.assessment.pk}): {name} is" in output


def test_a_reviewer_s_comment_text_is_recorded_sealed_not_readable(evidence):
    comment = QuestionComment.objects.get(assessment=evidence.assessment)
    entry = AuditEntry.objects.get(action=AuditEntry.Action.QUESTION_COMMENT)
    block = entry.details["records"]["assessments_questioncomment"]
    recorded = dict(zip(block["fields"], block["rows"][0], strict=True))
    assert recorded["id"] == comment.pk and recorded["text"].startswith("sha256:")
    assert "Who sees it?" not in str(entry.details)


def test_each_status_change_of_a_condition_is_an_audit_record(people):
    assessment = advance(people, create_draft(people), State.DATA_AI_REVIEW)
    assessment = act(people, assessment, "approve", conditions=[{"text": "Publish it.", "before_launch": True}])
    condition = Condition.objects.get(assessment=assessment)
    meet(people, condition)

    statuses = []
    for entry in AuditEntry.objects.filter(assessment_id=assessment.pk).order_by("seq"):
        block = entry.details.get("records", {}).get("assessments_condition")
        for row in block["rows"] if block else []:
            recorded = dict(zip(block["fields"], row, strict=True))
            statuses.append((entry.action, entry.transition, recorded["id"], recorded["status"]))
    assert statuses == [
        ("transition", "approve", condition.pk, "open"),
        ("condition_marked_met", "", condition.pk, "awaiting_confirmation"),
        ("condition_confirmed", "", condition.pk, "met"),
    ]


def test_conditions_carried_by_a_change_request_are_recorded(people):
    assessment = advance(people, create_draft(people), State.SECURITY_REVIEW)
    due = (timezone.localdate() + timedelta(days=30)).isoformat()
    assessment = act(people, assessment, "approve", conditions=[{"text": "Pen test.", "due_date": due}])
    assessment = act(people, assessment, "request_changes")
    condition = Condition.objects.get(assessment=assessment)
    assert condition.status == Condition.Status.PROPOSED

    entry = AuditEntry.objects.filter(assessment_id=assessment.pk, transition="request_changes").get()
    block = entry.details["records"]["assessments_condition"]
    assert [dict(zip(block["fields"], row, strict=True))["status"] for row in block["rows"]] == ["proposed"]
    assert verify()[0] == 0
    sql(f"UPDATE {quoted(Condition)} SET status = 'open' WHERE id = %s", [condition.pk])  # noqa: S608
    output = verify()[1]
    assert problems(output) == ["condition_altered"]
    assert f"assessments_condition row {condition.pk} (assessment {assessment.pk}): status is 'open'" in output


@pytest.mark.parametrize(
    ("shift", "reported"),
    [
        ("same millisecond", False),  # what a dump and load (dumpdata keeps milliseconds) does to a time
        ("one millisecond later", True),
    ],
)
def test_times_are_compared_to_the_millisecond(evidence, shift, reported):
    flag = MonitoringFlag.objects.get(assessment=evidence.assessment)
    due = flag.due_at.replace(microsecond=flag.due_at.microsecond // 1000 * 1000)
    if reported:
        due += timedelta(milliseconds=1)
    MonitoringFlag.objects.filter(pk=flag.pk).update(due_at=due)

    output = verify()[1]

    assert problems(output) == (["monitoring_flag_altered"] if reported else [])
    if reported:
        assert f"assessments_monitoringflag row {flag.pk} (assessment {evidence.assessment.pk}): due_at is" in output


# -- a sign-off's manifestation (21 CFR 11.50): who signed, as named then, for which delegation, and when ---------


def _legal_sign_off(people):
    return SignOff.objects.filter(assessment=people.assessment, stage="legal").get()


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("signer_name", "Somebody Else"),
        ("signer_username", "somebody"),
        ("created_at", timezone.now() - timedelta(days=400)),
    ],
)
def test_a_sign_off_s_manifestation_rewritten_is_named(evidence, name, value):
    sign_off = _legal_sign_off(evidence)
    assert getattr(sign_off, name) != value
    sql(f"UPDATE {quoted(SignOff)} SET {_column(SignOff, name)} = %s WHERE id = %s", [value, sign_off.pk])  # noqa: S608

    status, output = verify()

    assert status == 1 and problems(output) == ["sign_off_altered"]
    assert f"assessments_signoff row {sign_off.pk} (assessment {evidence.assessment.pk}): {name} is" in output


def test_a_delegation_pinned_on_a_sign_off_afterwards_is_named(evidence):
    """Someone makes a reviewer's own signature read as signed for another by delegation."""
    sign_off = _legal_sign_off(evidence)
    delegation = delegation_create(
        by=evidence.chair,
        delegate=evidence.reviewers["clinical"],
        domain="legal",
        reason="On leave.",
        ends_at=timezone.now() + timedelta(days=3),
    )
    sql(
        f"UPDATE {quoted(SignOff)} SET {_column(SignOff, 'delegation')} = %s WHERE id = %s",  # noqa: S608
        [delegation.pk, sign_off.pk],
    )

    output = verify()[1]

    assert problems(output) == ["sign_off_altered"]
    assert f"assessments_signoff row {sign_off.pk} (assessment {evidence.assessment.pk}): delegation is" in output


def test_a_signature_s_record_holds_its_manifestation_as_the_decision_states_it(evidence):
    sign_off = _legal_sign_off(evidence)
    entry = AuditEntry.objects.get(assessment_id=evidence.assessment.pk, details__sign_off_id=sign_off.pk)
    block = entry.details["records"]["assessments_signoff"]
    recorded = dict(zip(block["fields"], block["rows"][0], strict=True))
    stated = entry.details["manifestation"]

    assert (recorded["signer_name"], recorded["signer_username"]) == (stated["signer_name"], stated["signer_username"])
    assert recorded["signer_name"] == sign_off.signer_name and recorded["delegation"] is None
    assert datetime.fromisoformat(recorded["created_at"]) == datetime.fromisoformat(stated["signed_at"])


def test_the_dossier_s_sign_offs_and_its_audit_section_agree(evidence):
    """The dossier prints each sign-off's manifestation and the audit entries that record it: the same values."""
    assessment = evidence.assessment
    data = record_data(dossier_record(assessment))
    recorded = {}
    for entry in data["audit_trail"]:
        replay_entry(recorded, assessment.pk, entry["action"], entry["details"])
    assert data["sign_offs"]
    for shown in data["sign_offs"]:
        told = recorded[("assessments_signoff", shown["id"])]
        manifestation = shown["manifestation"]
        assert (
            told["signer_name"] == manifestation["signer_name"]
            and told["signer_username"] == (manifestation["signer_username"])
        )
        assert told["delegation"] == (manifestation["delegation"] or {}).get("id")
        assert datetime.fromisoformat(told["created_at"]) == datetime.fromisoformat(manifestation["signed_at"])
