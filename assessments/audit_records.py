"""Every record a decision rests on, in the audit log: which tables, what each entry records, the replay.

The rows an approval, a launch or a re-assessment rests on (bias results,
justifications, mitigations, monitoring flags, conditions, comments on answers)
are written by services that record, in the same audit entry, each row they
created or changed as the database gives it back: ``details["records"]`` maps a
table to its recorded ``fields`` and ``rows`` (one list of values per row, the
row's id and assessment first). ``verify_audit_log`` replays those records in
chain order, the last one of a row winning, and compares them field by field
with the tables: a row edited, inserted or deleted behind the log is reported
with its table, its id and the field.

``COVERED`` is the one list of what is recorded. Adding a table or a field is one
line there, plus a data migration that records the rows already present
(``audit_backfill.record_unlogged_rows``), since the log of older rows lacks it.

A sign-off's manifestation (who signed, as named then, for which delegation, and when: 21 CFR 11.50) is
recorded twice by the entry of the decision that made it: in its records, and as ``details["manifestation"]``,
which decisions have carried since the manifestation was kept (migration 0016). ``replay_entry`` reads the
latter as a record too, so the sign-offs signed before their records held the manifestation are compared
with what their decision said, not with what a backfill found; decisions from before 0016 said no name and
no delegation, which is what 0016 gave their rows.
"""

import hashlib
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import DateTimeField

from . import canonical
from .models import (
    AuditEntry,
    BiasBatch,
    BiasJustification,
    BiasMitigation,
    BiasResult,
    Condition,
    MonitoringFlag,
    QuestionComment,
    SignOff,
)


@dataclass(frozen=True)
class Covered:
    """A table whose rows the log records: the fields compared, and the problem kinds' prefix."""

    model: type
    kind: str
    fields: tuple
    # Recorded as their SHA-256 only: the text of a reviewer's comment on an answer stays with the committee
    # until a change request sends it, and the audit trail (dossier drafts included) shows entries' details.
    sealed: tuple = ()
    # False when another part of the replay reports the table's rows inserted or deleted (sign-offs:
    # audit.replay._compare_sign_offs); then only the fields of rows both in the log and in the table are compared.
    whole_rows: bool = True
    # The path from a row to its assessment, for a table whose rows reach it through another.
    assessment: str = "assessment"

    @property
    def table(self):
        return self.model._meta.db_table

    @property
    def columns(self):
        """What a record holds, in order: the row's id, its assessment, then the fields."""
        return ("id", "assessment", *self.fields)

    @property
    def times(self):
        """The fields holding a date and time: compared to the millisecond (see ``same_value``)."""
        return {f.name for f in self.model._meta.concrete_fields if isinstance(f, DateTimeField)} & set(self.fields)


COVERED = (
    # A batch of evidence and its provenance: where the numbers came from (issue 20).
    Covered(
        BiasBatch,
        "bias_batch",
        ("token", "kind", "method", "tool", "intersections", "source_name", "source_sha256", "description")
        + ("created_by", "created_at"),
    ),
    Covered(
        BiasResult,
        "bias_result",
        ("kind", "batch", "evidence_batch", "dimension", "group", "sample_size", "metric", "value")
        + ("source_name", "source_sha256", "created_by", "created_at"),
    ),
    Covered(BiasJustification, "bias_note", ("dimension", "text", "created_by", "created_at")),
    Covered(BiasMitigation, "bias_note", ("kind", "flag", "text", "created_by", "created_at")),
    Covered(
        MonitoringFlag,
        "monitoring_flag",
        ("flag", "code", "dimension", "metric", "group", "batch", "raised_at", "due_at"),
    ),
    Covered(
        Condition,
        "condition",
        ("sign_off", "text", "owner", "due_date", "before_launch", "status", "closed_at", "created_at")
        + ("evidence", "marked_met_by", "marked_met_at", "reviewed_by", "reviewed_at", "review_comment")
        + ("evidence_file_name", "evidence_file_type", "evidence_file_size", "evidence_file_sha256"),
    ),
    Covered(
        QuestionComment,
        "question_comment",
        ("question", "review_round", "role", "stage", "author", "reply_to", "text", "created_at", "shared_at")
        + ("sign_off",),
        sealed=("text",),
    ),
    # Decision, reviewer, content hash and validity are replayed from the transition rows; these are the rest:
    # the comment, the reason it was invalidated, and the manifestation (the signer as named when they signed,
    # the delegation they signed under, the time of signing).
    Covered(
        SignOff,
        "sign_off",
        ("comment", "invalidated_reason", "signer_name", "signer_username", "delegation", "created_at"),
        whole_rows=False,
    ),
)
BY_MODEL = {covered.model: covered for covered in COVERED}
BY_TABLE = {covered.table: covered for covered in COVERED}


# -- recording -------------------------------------------------------------------------------


def logged_value(value, *, sealed=False):
    """A column's value as the log records it: JSON values, times as ``canonical.timestamp``, numbers normalised."""
    if value is None:
        return None
    if sealed:
        return "sha256:" + hashlib.sha256(value.encode()).hexdigest()
    if isinstance(value, datetime):
        return canonical.timestamp(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return canonical.normalise_number(value)
    return value


def read_rows(covered, queryset, fields=None):
    """``[[id, assessment, field...], ...]`` of the rows of ``queryset``, read back from the database, by id.

    ``fields``: those of ``covered.fields`` to read (a data migration's model may lack the later ones).
    """
    fields = covered.fields if fields is None else fields
    names = ["pk", covered.assessment, *fields]
    flags = [False, False, *(name in covered.sealed for name in fields)]
    return [
        [logged_value(value, sealed=flag) for value, flag in zip(row, flags, strict=True)]
        for row in queryset.order_by("pk").values_list(*names)
    ]


def records_of_values(model, rows):
    """``details["records"]`` for rows given as ``{column: value}`` (``id``, ``assessment``, each field), for
    writers that make rows without reading them back (the benchmark's seeder)."""
    covered = BY_MODEL[model]
    return {
        covered.table: {
            "fields": list(covered.columns),
            "rows": [
                [logged_value(row[name], sealed=name in covered.sealed) for name in covered.columns]
                for row in sorted(rows, key=lambda row: row["id"])
            ],
        }
    }


def records_of(*querysets):
    """``details["records"]`` for the rows of ``querysets`` (of covered models), as they are now in this transaction.

    Services call it after writing, inside their transaction, and put the result in the audit entry.
    """
    records = {}
    for queryset in querysets:
        covered = BY_MODEL[queryset.model]
        rows = read_rows(covered, queryset)
        if not rows:
            continue
        block = records.setdefault(covered.table, {"fields": list(covered.columns), "rows": []})
        known = {row[0] for row in block["rows"]}
        block["rows"].extend(row for row in rows if row[0] not in known)
    for block in records.values():
        block["rows"].sort(key=lambda row: row[0])
    return records


# -- replaying and comparing ----------------------------------------------------------------


def replay_entry(recorded, assessment_id, action, details):
    """Apply one audit entry to ``recorded``: the manifestation its decision states, then its records."""
    if action == AuditEntry.Action.TRANSITION and isinstance(details, dict):
        _replay_manifestation(recorded, assessment_id, details)
    replay_records(recorded, details)


def _replay_manifestation(recorded, assessment_id, details):
    sign_off_id = details.get("sign_off_id")
    if not isinstance(sign_off_id, int) or isinstance(sign_off_id, bool):
        return
    if details.get("decision") not in SignOff.Decision.values:
        return
    stated = details.get("manifestation", {})  # absent from decisions made before 0016: no name, no delegation
    if not isinstance(stated, dict):
        return
    delegation = stated.get("delegation")
    values = {
        "assessment": assessment_id,
        "signer_name": stated.get("signer_name", ""),
        "signer_username": stated.get("signer_username", ""),
        "delegation": delegation.get("id") if isinstance(delegation, dict) else delegation,
    }
    if "signed_at" in stated:
        values["created_at"] = _stated_time(stated["signed_at"])
    key = (BY_MODEL[SignOff].table, sign_off_id)
    recorded[key] = {**recorded.get(key, {}), **values}


def _stated_time(value):
    """A time a manifestation states (ISO 8601), as a record holds it; anything else as it is (then reported)."""
    try:
        return logged_value(datetime.fromisoformat(value))
    except (TypeError, ValueError):
        return value


def replay_records(recorded, details):
    """Apply one entry's records to ``recorded``: ``{(table, id): {field: value}}``, the last record winning."""
    records = details.get("records") if isinstance(details, dict) else None
    if not isinstance(records, dict):
        return
    for table, block in records.items():
        if not isinstance(block, dict) or not isinstance(block.get("fields"), list):
            continue
        fields = block["fields"]
        for row in block.get("rows") if isinstance(block.get("rows"), list) else []:
            if not isinstance(row, list) or len(row) != len(fields) or "id" not in fields:
                continue
            values = dict(zip(fields, row, strict=True))
            key = (table, values.pop("id"))
            recorded[key] = {**recorded.get(key, {}), **values}


def compare_records(report, recorded, known_assessments):
    """Report every covered row that differs from its last record: by table, row id and field.

    ``recorded``: the replay of the whole log; ``known_assessments``: the assessments both
    in the table and in the log (the others are reported as a whole already).
    """
    for covered in COVERED:
        have = {}
        for row in read_rows(covered, covered.model.objects.all()):
            if row[1] in known_assessments:
                have[row[0]] = dict(zip(covered.columns[1:], row[1:], strict=True))
        told = {
            pk: values
            for (table, pk), values in recorded.items()
            if table == covered.table and values.get("assessment") in known_assessments
        }
        for pk in sorted(set(have) | set(told), key=str):
            _compare_row(report, covered, pk, have.get(pk), told.get(pk))


def _compare_row(report, covered, pk, have, told):
    table, kind = covered.table, covered.kind
    assessment_id = (have or told).get("assessment")
    if not covered.whole_rows and (have is None or told is None):
        return
    row = f"{table} row {pk} (assessment {assessment_id})"
    if have is None:
        report.add(
            f"{kind}_missing", f"{row} is in the log but missing from the table (deleted).", assessment_id=assessment_id
        )
        return
    if told is None:
        report.add(
            f"{kind}_inserted",
            f"{row} is in the table, but the log never recorded it (inserted behind the log).",
            assessment_id=assessment_id,
        )
        return
    for name in covered.columns[1:]:
        if name not in told:
            report.add(
                f"{kind}_unlogged",
                f"{row}: its {name} was never recorded in the log (record the existing rows with a data migration).",
                assessment_id=assessment_id,
            )
        elif not same_value(have[name], told[name], time=name in covered.times):
            if name in covered.sealed:
                shown = "differs from the text the log recorded"
            else:
                shown = f"is {_shown(have[name])} in the table, but the log recorded {_shown(told[name])}"
            report.add(f"{kind}_altered", f"{row}: {name} {shown}.", assessment_id=assessment_id)


def same_value(have, told, *, time=False):
    """Whether a column holds what the log recorded; times are compared to the millisecond, the precision a
    database dump keeps (``dumpdata``), so that a dump loaded again is not reported as altered."""
    if have == told:
        return True
    if not (time and isinstance(have, str) and isinstance(told, str)):
        return False
    try:
        have, told = datetime.fromisoformat(have), datetime.fromisoformat(told)
    except ValueError:
        return False
    return have.replace(microsecond=have.microsecond // 1000) == told.replace(microsecond=told.microsecond // 1000)


def _shown(value, limit=60):
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def recorded_by_assessment(replays):
    """Merge the per-assessment replays' records into one ``{(table, id): values}``."""
    merged = defaultdict(dict)
    for replay in replays:
        for key, values in replay.records.items():
            merged[key].update(values)
    return merged
