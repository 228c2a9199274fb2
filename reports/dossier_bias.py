"""The dossier's bias chapter and the bias part of ``assessment.json``: the approval evidence as it stood at
the record's moment, each comparison by its metric's direction, every flag with its mitigation note (who,
when), and where each batch of evidence came from. Counts are the same flags the gate counts."""

from assessments import canonical
from assessments.bias import INTERVAL_METHOD, bias_flags, four_fifths_ratios, required_dimensions


def _ts(moment):
    return canonical.timestamp(moment) if moment else None


def flag_notes(record):
    """Each flag of the approval evidence with its mitigation (or None), a key of an earlier version included."""
    mitigations = {m.flag: m for m in record.bias_mitigations}
    notes = []
    for flag in bias_flags(record.bias_rows):
        found = next((mitigations[k] for k in (flag.key, *flag.legacy_keys) if k in mitigations), None)
        notes.append({"flag": flag, "mitigation": found})
    return notes


def batches(record):
    """Each batch of the record's evidence once, in the order recorded, with its number of rows."""
    found = {}
    for row in sorted(record.bias_rows, key=lambda r: (r.created_at, r.pk)):
        key = row.batch or f"row{row.pk}"
        if key not in found:
            found[key] = {"batch": row.evidence_batch, "row": row, "rows": 0}
        found[key]["rows"] += 1
    return list(found.values())


def _batch_data(entry):
    batch, row = entry["batch"], entry["row"]
    if batch is None:
        return {
            "token": row.batch,
            "method": None,
            "tool": "",
            "intersections": [],
            "source_name": row.source_name,
            "source_sha256": row.source_sha256,
            "description": None,
            "created_by": row.created_by.get_username(),
            "created_at": _ts(row.created_at),
            "rows": entry["rows"],
        }
    return {
        "token": batch.token,
        "method": batch.method,
        "tool": batch.tool,
        "intersections": batch.intersections,
        "source_name": batch.source_name,
        "source_sha256": batch.source_sha256,
        "description": batch.description,
        "created_by": batch.created_by.get_username(),
        "created_at": _ts(batch.created_at),
        "rows": entry["rows"],
    }


def bias_record_data(record):
    """The bias part of ``assessment.json``."""
    ratios = four_fifths_ratios(record.bias_rows)
    return {
        "bias_results": [
            {
                "dimension": b.dimension,
                "group": b.group,
                "n": b.sample_size,
                "metric": b.metric,
                "value": b.value,
                "batch": b.batch,
            }
            for b in record.bias_rows
        ],
        "bias_batches": [_batch_data(entry) for entry in batches(record)],
        "bias_justifications": [
            {
                "dimension": j.dimension,
                "text": j.text,
                "by": j.created_by.get_username(),
                "created_at": _ts(j.created_at),
            }
            for j in record.bias_justifications
        ],
        "bias_mitigations": [
            {"flag": m.flag, "text": m.text, "by": m.created_by.get_username(), "created_at": _ts(m.created_at)}
            for m in record.bias_mitigations
        ],
        "four_fifths": [
            {
                **{
                    k: r[k]
                    for k in (
                        "dimension",
                        "metric",
                        "direction",
                        "group_count",
                        "disadvantaged_group",
                        "reference_group",
                        "ratio",
                        "flagged",
                        "conclusive",
                    )
                },
                "groups": [g.as_dict() for g in r["groups"]],
            }
            for r in ratios
        ],
        "bias_flags": [{**n["flag"].as_dict(), "mitigated": n["mitigation"] is not None} for n in flag_notes(record)],
        "bias_interval_method": INTERVAL_METHOD,
    }


def bias_chapter_context(record):
    """What the bias chapter shows."""
    a = record.assessment
    notes = flag_notes(record)
    mitigated = sum(1 for n in notes if n["mitigation"] is not None)
    present = {b.dimension for b in record.bias_rows}
    justified = {j.dimension for j in record.bias_justifications}
    return {
        "bias_rows": record.bias_rows,
        "bias_ratios": four_fifths_ratios(record.bias_rows),
        "bias_flags": len(notes),
        "bias_flags_mitigated": mitigated,
        "bias_required": required_dimensions(a),
        "bias_missing": [d for d in required_dimensions(a) if d not in present and d not in justified],
        "bias_flag_notes": notes,
        "bias_batches": batches(record),
        "bias_interval_method": INTERVAL_METHOD,
    }
