"""The bias flags of an assessment as plain values: the approval evidence's and the monitoring flags,
each with whether it is mitigated."""

from .. import metrics
from ..bias import bias_flags
from ..models import EvidenceKind


def monitoring_flag_findings(monitoring_flags, rows):
    """``{key: bias.Flag}`` of the stored monitoring flags, recomputed from the rows of the batch that raised each."""
    by_batch = {}
    for row in rows:
        if row.kind == EvidenceKind.MONITORING:
            by_batch.setdefault(row.batch, []).append(row)
    found = {}
    for stored in monitoring_flags:
        for flag in bias_flags(by_batch.get(stored.batch, [])):
            if stored.flag == flag.key or stored.flag in flag.legacy_keys:
                found[stored.flag] = flag
    return found


def bias_flags_of(assessment):
    """The approval evidence's flags and the monitoring flags, each with whether it is mitigated (plain values).

    The one list of flags: the API, the browser's summary, list and form, and the dossier count from it.
    """
    return flags_with_notes(
        list(assessment.bias_results.order_by("created_at", "pk")),
        list(assessment.bias_mitigations.select_related("created_by")),
        list(assessment.monitoring_flags.all()),
    )


def flags_with_notes(rows, mitigations, monitoring_flags):
    """``bias_flags_of`` over rows and notes already loaded: each flag's plain values, its ``kind``,
    ``due_at``, ``mitigated``, its ``mitigation`` (the row, or None) and its ``finding`` (the ``bias.Flag``)."""
    by_key = {(m.kind, m.flag): m for m in mitigations}
    flags = []
    for flag in bias_flags([r for r in rows if r.kind == EvidenceKind.APPROVAL]):
        keys = (flag.key, *flag.legacy_keys)
        answered = next(
            (by_key[(EvidenceKind.APPROVAL, k)] for k in keys if (EvidenceKind.APPROVAL, k) in by_key), None
        )
        flags.append(
            {**flag.as_dict(), "kind": EvidenceKind.APPROVAL, "due_at": None, "finding": flag, **_note(answered)}
        )
    findings = monitoring_flag_findings(monitoring_flags, rows)
    for stored in monitoring_flags:
        finding = findings.get(stored.flag)
        data = finding.as_dict() if finding else _bare_flag(stored)
        data["key"] = stored.flag  # what a mitigation of it names, as it was raised
        answered = by_key.get((EvidenceKind.MONITORING, stored.flag))
        flags.append(
            {**data, "kind": EvidenceKind.MONITORING, "due_at": stored.due_at, "finding": finding, **_note(answered)}
        )
        flags[-1]["raised_at"] = stored.raised_at
    return flags


def _note(mitigation):
    return {"mitigated": mitigation is not None, "mitigation": mitigation}


def _bare_flag(stored):
    return {
        "key": stored.flag,
        "code": stored.code,
        "dimension": stored.dimension,
        "metric": stored.metric,
        "direction": metrics.direction_of(stored.metric) if stored.metric else "",
        "disadvantaged_group": "",
        "reference_group": "",
        "groups": [],
        "ratio": None,
        "conclusive": None,
        "group": stored.group,
        "n": None,
        "metrics": [],
    }
