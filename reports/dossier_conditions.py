"""Each condition's steps in the dossier, read from the audit log: who did what to it, when, with what evidence.

Set with an approval, carried as proposed by a change request, kept or edited or dropped by its domain when
signing again, closed unanswered when the assessment ended, marked met (the evidence: text, a link, a file's
name and SHA-256), confirmed or reopened. The steps are the audit entries' own words (``details``), so a frozen
dossier, which reads the log up to its decision, shows the steps up to its decision.
"""

from datetime import UTC

from django.utils import timezone

from assessments.models import AuditEntry

Action = AuditEntry.Action
# The condition's own steps, by audit action: what the dossier calls each.
STEPS = {
    Action.CONDITION_MARKED_MET: "Marked met",
    Action.CONDITION_CONFIRMED: "Confirmed met",
    Action.CONDITION_REOPENED: "Reopened",
    Action.CONDITION_DROPPED: "Dropped",
    Action.CONDITION_EDITED: "Edited",
}
# What a transition does to the conditions its entry names (``details[key]``).
TRANSITION_STEPS = (
    ("proposed_conditions", "Carried to the next round as proposed (the round ended with a change request)"),
    ("kept_conditions", "Kept by its domain when signing again"),
    ("closed_conditions", "Closed unanswered: {ended}"),
)


def _stamp(moment):
    return timezone.localtime(moment, UTC).strftime("%Y-%m-%d %H:%M UTC")


def _step(entry, label, **more):
    return {"label": label, "by": entry.actor_username, "at": _stamp(entry.created_at), **more}


def condition_steps(entries):
    """``{condition id: [{"label", "by", "at", "comment", "evidence", "file"}]}`` in log order."""
    steps = {}
    for entry in entries:
        details = entry.details if isinstance(entry.details, dict) else {}
        if entry.action in STEPS and isinstance(details.get("condition_id"), int):
            file = details.get("evidence_file") if entry.action == Action.CONDITION_MARKED_MET else None
            steps.setdefault(details["condition_id"], []).append(
                _step(
                    entry,
                    STEPS[entry.action],
                    comment=entry.comment,
                    evidence=details.get("evidence", "") if entry.action == Action.CONDITION_MARKED_MET else "",
                    file=file if isinstance(file, dict) else None,
                )
            )
        elif entry.action == Action.TRANSITION:
            _transition_steps(steps, entry, details)
    return steps


def _transition_steps(steps, entry, details):
    if entry.transition == "approve":
        kept = set(details.get("kept_conditions") or [])
        for condition_id in _set_by(details):
            if condition_id not in kept:
                steps.setdefault(condition_id, []).append(_step(entry, "Set with the approval"))
    ended = {"withdraw": "the assessment was withdrawn", "reject": "the assessment was rejected"}
    for key, label in TRANSITION_STEPS:
        for condition_id in details.get(key) or []:
            if isinstance(condition_id, int):
                text = label.format(ended=ended.get(entry.transition, "the assessment ended"))
                steps.setdefault(condition_id, []).append(_step(entry, text))


def _set_by(details):
    """The conditions an approval's entry records (its records name each with its sign-off)."""
    block = (details.get("records") or {}).get("assessments_condition") or {}
    fields = block.get("fields") or []
    if "id" not in fields or "sign_off" not in fields:
        return []
    at_id, at_sign_off = fields.index("id"), fields.index("sign_off")
    return [
        row[at_id]
        for row in block.get("rows") or []
        if isinstance(row, list) and len(row) == len(fields) and row[at_sign_off] == details.get("sign_off_id")
    ]
