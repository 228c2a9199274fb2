"""The audit trail as readable events, and which reviewer comments on answers the team does not see yet."""

from accounts import roles

from .. import transitions
from ..forms import dom_id, person_name
from ..manifestation import recorded_acting_for_text
from ..models import AuditEntry
from .answers import state_label, transition_verb
from .review import diff_rows


def shared_comment_ids(entries):
    """Ids of the reviewer comments on answers that a change request sent to the team, read from the audit rows."""
    shared = set()
    for entry in entries:
        gathered = (
            (entry.details or {}).get("question_comments") if entry.action == AuditEntry.Action.TRANSITION else None
        )
        shared.update(gathered if isinstance(gathered, list) else [])
    return shared


def is_withheld_comment(entry, shared_ids):
    """An audit row of a reviewer's comment the committee has not sent to the team yet."""
    details = entry.details or {}
    return (
        entry.action == AuditEntry.Action.QUESTION_COMMENT
        and details.get("role") == "reviewer"
        and details.get("comment_id") not in shared_ids
    )


CONDITION_STEPS = {
    AuditEntry.Action.CONDITION_MET: "recorded a condition as met",
    AuditEntry.Action.CONDITION_MARKED_MET: "marked a condition met, for confirmation",
    AuditEntry.Action.CONDITION_CONFIRMED: "confirmed a condition met",
    AuditEntry.Action.CONDITION_REOPENED: "reopened a condition",
    AuditEntry.Action.CONDITION_DROPPED: "dropped a condition",
    AuditEntry.Action.CONDITION_EDITED: "edited a carried condition",
}


def timeline(questionnaire, entries, people, *, withhold_pending_comments=False):
    """The audit trail as readable events, oldest first.

    ``withhold_pending_comments`` (for the team): the text of a reviewer's comment on an answer
    is left out until a change request sends it; the row itself stays, so the trail is whole.
    """
    shared = shared_comment_ids(entries) if withhold_pending_comments else set()
    events = []
    for entry in entries:
        person = people.get(entry.actor_id)
        actor = person_name(person) if person else entry.actor_username
        details = entry.details or {}
        stage = roles.DOMAIN_LABELS.get(details.get("stage", ""), "")
        event = {
            "entry": entry,
            "actor": actor,
            "kind": entry.transition or entry.action,
            "summary": "",
            "changes": [],
            "conditions": details.get("conditions", []),
            "from_label": state_label(entry.from_state),
            "to_label": state_label(entry.to_state),
            "moved": entry.from_state != entry.to_state and bool(entry.from_state),
            "withheld": withhold_pending_comments and is_withheld_comment(entry, shared),
            "acting_for": recorded_acting_for_text(details),
        }
        if entry.action == AuditEntry.Action.CREATED:
            event["summary"] = f"created version {details.get('version', '')} as a draft".replace("  ", " ")
        elif entry.action == AuditEntry.Action.TRANSITION:
            verb = transition_verb(entry.transition)
            spec = transitions.get(entry.transition)
            if spec is not None and spec.actor == "reviewer" and stage:
                verb = f"{verb} at {stage} review"
            gathered = len(details.get("question_comments") or [])
            if gathered:
                verb = f"{verb}, sending {gathered} comment{'s' if gathered != 1 else ''} on answers"
            event["summary"] = verb
        elif entry.action == AuditEntry.Action.QUESTION_COMMENT:
            question = questionnaire.questions.get(details.get("question", ""))
            text = question.text if question else details.get("question", "")
            if details.get("reply_to"):
                event["summary"] = f"replied to a comment on “{text}”"
            else:
                event["summary"] = f"commented at {stage} review on “{text}”" if stage else f"commented on “{text}”"
            event["anchor"] = dom_id(details.get("question", "")) if question else ""
        elif entry.action == AuditEntry.Action.ANSWERS_CHANGED:
            changed = details.get("changed") or {}
            event["changes"] = diff_rows(questionnaire, changed)
            count = len(changed)
            event["summary"] = f"changed {count} answer{'s' if count != 1 else ''}"
        elif entry.action == AuditEntry.Action.SIGN_OFF_INVALIDATED:
            label = roles.DOMAIN_LABELS.get(details.get("stage", ""), "a")
            event["summary"] = f"invalidated the {label} sign-off: the answers changed after it"
        elif entry.action == AuditEntry.Action.BIAS_EVIDENCE_ADDED:
            count = len(details.get("rows") or [])
            event["summary"] = f"added {count} bias result row{'s' if count != 1 else ''}"
        elif entry.action in CONDITION_STEPS:
            event["summary"] = f"{CONDITION_STEPS[entry.action]}: “{details.get('text', '')}”"
        elif entry.action == AuditEntry.Action.REMINDER_SENT:
            event["summary"] = f"reminded the {stage or 'stage'} reviewers: {', '.join(details.get('recipients', []))}"
        else:
            event["summary"] = entry.get_action_display().lower()
        events.append(event)
    return events
