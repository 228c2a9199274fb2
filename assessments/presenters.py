"""Turn assessments, answers and audit rows into what the browser pages show.

Pure functions over already-loaded objects: nothing here queries the database,
so a page's query count does not grow with what it displays.
"""

from accounts import roles

from . import transitions
from .forms import dom_id, field_name, person_name
from .models import AuditEntry, SignOff, State
from .questionnaire import NIST_FUNCTIONS
from .risk import risk_score

RISK_NAMES = {1: "Low", 2: "Moderate", 3: "High", 4: "Very high"}
# How a reason is labelled beside its question on the pages (by its code).
REASON_KINDS = {"answer_required": "Answer required", "hard_stop": "Hard stop"}


def reason_item(questionnaire, reason):
    """A structured reason as a page shows it: a label, the text, a link to its question."""
    question = questionnaire.questions.get(reason.question) if reason.question else None
    kind = REASON_KINDS.get(reason.code, "")
    text = question.text if (question is not None and kind) else reason.message
    return {
        "code": reason.code,
        "kind": kind,
        "text": text,
        "message": reason.message,
        "anchor": dom_id(reason.question) if question is not None else "",
    }


def transition_verb(name):
    spec = transitions.get(name)
    return spec.verb if spec else name.replace("_", " ")


def state_label(state):
    try:
        return State(state).label
    except ValueError:
        return state or ""


def display_answer(question, value):
    """An answer as a person reads it: choice labels, Yes/No, numbers with separators."""
    if value is None or value == "" or value == []:
        return ""
    if question is None:
        return ", ".join(map(str, value)) if isinstance(value, list) else str(value)
    if question.type == "boolean":
        labels = {c.value: c.label for c in question.choices}
        if isinstance(value, bool):
            return labels.get(value, "Yes" if value else "No")
        return str(value)
    if question.type == "single_choice":
        return question.choice_label(value)
    if question.type == "multi_choice":
        return ", ".join(question.choice_label(v) for v in value) if isinstance(value, list) else str(value)
    if question.type == "number" and isinstance(value, int | float) and not isinstance(value, bool):
        return f"{value:,}" if isinstance(value, int) or float(value).is_integer() else f"{value:,.2f}"
    return str(value)


# -- the questionnaire form --------------------------------------------------------------------


def show_if_text(questionnaire, question):
    """Why a conditional question is asked, in words."""
    condition = question.show_if
    if not condition:
        return ""
    target = questionnaire.questions[condition["question"]]
    if "equals" in condition:
        wanted = display_answer(target, condition["equals"])
        return f"Asked when the answer to “{target.text}” is {wanted}."
    if "includes" in condition:
        wanted = target.choice_label(condition["includes"])
        return f"Asked when “{target.text}” includes {wanted}."
    wanted = " or ".join(target.choice_label(v) for v in condition["in"])
    return f"Asked when the answer to “{target.text}” is {wanted}."


def show_if_rules(questionnaire):
    """The show_if rules keyed by form field name, with values as the form posts them."""

    def posted(value):
        if isinstance(value, bool):
            return "true" if value else "false"
        return str(value)

    rules = {}
    for question in questionnaire.questions.values():
        condition = question.show_if
        if not condition:
            continue
        rule = {"field": field_name(condition["question"])}
        if "equals" in condition:
            rule["equals"] = posted(condition["equals"])
        elif "includes" in condition:
            rule["includes"] = posted(condition["includes"])
        else:
            rule["in"] = [posted(v) for v in condition["in"]]
        rules[field_name(question.id)] = rule
    return rules


def valid_subset(questionnaire, answers):
    """Clean answers, leaving out the ones with errors: ``(cleaned, errors)``."""
    present = {qid: v for qid, v in answers.items() if v is not None}
    cleaned, errors = questionnaire.clean(present)
    if errors:
        cleaned, _ = questionnaire.clean({qid: v for qid, v in present.items() if qid not in errors})
    return cleaned or {}, errors


def strip_question_prefix(questionnaire, qid, message):
    """The services prefix answer errors with the question's text; next to the question it is noise."""
    question = questionnaire.questions.get(qid)
    if question and message.startswith(f"{question.text} — "):
        message = message[len(question.text) + 3 :]
        # "is 151 characters long..." reads as a sentence about the answer.
        if message[:1].islower():
            return f"This answer {message}"
    return message[:1].upper() + message[1:] if message else message


def submit_readiness(questionnaire, answers):
    """What stands between these answers and submission, each linked to its question."""
    return [reason_item(questionnaire, reason) for reason in questionnaire.submit_blockers(answers)]


def live_summary(questionnaire, answers):
    """Risk, hard stops and submit readiness for answers being edited (``answers`` already clean)."""
    score = risk_score(questionnaire, answers)
    required = [q for q in questionnaire.questions.values() if q.required and questionnaire.is_visible(q, answers)]
    answered = sum(1 for q in required if q.id in answers)
    return {
        "score": score,
        # No level before the first risk answer: a blank form is not "low risk".
        "scored": any(questionnaire.questions[qid].kind == "risk" for qid in answers if qid in questionnaire.questions),
        "risk_name": RISK_NAMES.get(score["level"], ""),
        "hard_stops": [
            {"question": q, "message": message, "anchor": dom_id(q.id)}
            for q, message in questionnaire.hard_stops(answers)
        ],
        "blockers": submit_readiness(questionnaire, answers),
        "required_total": len(required),
        "required_answered": answered,
        "needs_disclosure": questionnaire.needs_disclosure(answers),
    }


def form_sections(questionnaire, form, answers, errors):
    """Sections of the form with each question's field, visibility, error and hard stop."""
    fields = form.question_fields()
    stops = {q.id: message for q, message in questionnaire.hard_stops(answers)}
    needs_disclosure = questionnaire.needs_disclosure(answers)
    sections = []
    for section in questionnaire.sections.values():
        items = []
        for question in section.questions:
            required = question.required or (question.id == "transparency.disclosure_text" and needs_disclosure)
            items.append(
                {
                    "question": question,
                    "field": fields[question.id],
                    "dom": dom_id(question.id),
                    "visible": questionnaire.is_visible(question, answers),
                    "required": required,
                    "error": errors.get(question.id, ""),
                    "stop": stops.get(question.id, ""),
                    "show_if": show_if_text(questionnaire, question),
                    "exclusive": [str(v) for v in question.exclusive_values],
                }
            )
        sections.append({"section": section, "items": items})
    return sections


# -- the assessment page ------------------------------------------------------------------------


def answer_sections(questionnaire, answers):
    stops = {q.id: message for q, message in questionnaire.hard_stops(answers)}
    sections = []
    for section in questionnaire.sections.values():
        rows = []
        for question in section.questions:
            if not questionnaire.is_visible(question, answers):
                continue
            value = answers.get(question.id)
            rows.append(
                {
                    "question": question,
                    "anchor": dom_id(question.id),
                    "answer": display_answer(question, value),
                    "long": question.type == "long_text",
                    "stop": stops.get(question.id, ""),
                    "flag": question.id == "data.processes_phi" and value is True,
                }
            )
        answered = sum(1 for r in rows if r["answer"])
        sections.append({"section": section, "rows": rows, "answered": answered})
    return sections


def risk_breakdown(questionnaire, score):
    contributions = []
    for item in score.get("contributions", []):
        question = questionnaire.questions.get(item["question"])
        contributions.append(
            {
                "text": question.text if question else item["question"],
                "anchor": dom_id(item["question"]),
                "kind": item["kind"],
                "score": item["score"],
            }
        )
    raw_max = score.get("raw_max") or 0
    bands = []
    if raw_max:
        for level, share in ((1, 0.25), (2, 0.5), (3, 0.75), (4, 1.0)):
            bands.append({"level": level, "name": RISK_NAMES[level], "up_to": round(raw_max * share, 2)})
    return {
        "score": score,
        "name": RISK_NAMES.get(score.get("level"), ""),
        "risks": [c for c in contributions if c["kind"] == "risk"],
        "mitigations": [c for c in contributions if c["kind"] == "mitigation"],
        "bands": bands,
    }


def nist_table(questionnaire, answers):
    covered = questionnaire.nist_coverage(answers)
    every = questionnaire.all_nist_subcategories()
    table = []
    for function in NIST_FUNCTIONS:
        refs = [r for r in every if r.startswith(function + " ")]
        have = set(covered.get(function, []))
        table.append(
            {
                "function": function,
                "covered": len(have),
                "total": len(refs),
                "refs": [{"id": r, "covered": r in have} for r in refs],
            }
        )
    return table


# What each stage of the progress bar says, by its status.
STEP_STATUS = {
    "signed": "Signed",
    "changes_requested": "Requested changes",
    "rejected": "Rejected",
    "waiting": "Waiting for review",
    "not_reached": "Not reached",
}
DECISION_STEP = {
    SignOff.Decision.APPROVED: "signed",
    SignOff.Decision.CHANGES_REQUESTED: "changes_requested",
    SignOff.Decision.REJECTED: "rejected",
}


def review_progress(assessment, sign_offs):
    """The five stages of the latest round: signed, requested changes, rejected, waiting, not reached.

    A stage is "waiting" only while the assessment is at it; a round ended by a
    change request or a rejection shows that decision at its stage and the stages
    after it as not reached.
    """
    decided = {
        s.stage: s
        for s in sign_offs
        if s.review_round == assessment.review_round and (s.decision != SignOff.Decision.APPROVED or s.is_valid)
    }
    steps = []
    for domain in roles.DOMAINS:
        sign_off = decided.get(domain)
        if sign_off is not None:
            status = DECISION_STEP[sign_off.decision]
        elif assessment.stage == domain:
            status = "waiting"
        else:
            status = "not_reached"
        steps.append(
            {
                "label": roles.DOMAIN_LABELS[domain],
                "status": status,
                "status_label": STEP_STATUS[status],
                "sign_off": sign_off,
                "by": person_name(sign_off.reviewer) if sign_off is not None else "",
            }
        )
    return steps


def version_links(assessment, versions):
    """The other versions of the same feature the user may see, oldest first, marking this one."""
    return [
        {"assessment": v, "current": v.pk == assessment.pk, "state_label": state_label(v.state)}
        for v in sorted(versions, key=lambda v: v.version)
    ]


def _latest(sign_offs, decision):
    found = [s for s in sign_offs if s.decision == decision]
    return max(found, key=lambda s: (s.created_at, s.pk)) if found else None


def outcome(assessment, sign_offs, conditions, versions, threads):
    """The banner at the top of an assessment that is not simply waiting, or None.

    ``{"kind", "title", "by", "stage", "when", "comment", "flagged", "next", "link"}``:
    what happened, who decided and what they said, the questions flagged (with
    anchors), what the team may do now, and a link to the version that matters.
    """
    newer = [v for v in versions if v.version > assessment.version]
    newest = max(newer, key=lambda v: v.version) if newer else None
    state = assessment.state
    banner = None
    if state == State.REJECTED:
        decision = _latest(sign_offs, SignOff.Decision.REJECTED)
        banner = {
            "kind": "rejected",
            "tone": "bad",
            "title": "Rejected",
            "next": "This assessment is closed: the feature may not launch as assessed. To go ahead, the team "
            "reworks the feature to meet the objection and assesses it again as a new feature.",
        }
        banner.update(_decided_by(decision))
    elif state == State.CHANGES_REQUESTED:
        decision = _latest(sign_offs, SignOff.Decision.CHANGES_REQUESTED)
        banner = {
            "kind": "changes_requested",
            "tone": "warn",
            "title": "Changes requested",
            "next": "The team changes the answers and resubmits; review starts again at Legal.",
            "flagged": _flagged(decision, threads),
        }
        banner.update(_decided_by(decision))
    elif state in (State.APPROVED, State.LAUNCHED) and any(c.is_open for c in conditions):
        open_conditions = [c for c in conditions if c.is_open]
        banner = {
            "kind": "conditions",
            "tone": "warn",
            "title": f"Approved with {len(open_conditions)} open condition{'s' if len(open_conditions) != 1 else ''}",
            "conditions": open_conditions,
            "next": "The team meets each condition and marks it met with evidence; the reviewer who set it confirms"
            + (
                "; the feature may launch once the before-launch conditions are confirmed."
                if state == State.APPROVED
                else "."
            ),
        }
    elif state == State.SUPERSEDED:
        banner = {
            "kind": "superseded",
            "tone": "info",
            "title": "Superseded by a newer version",
            "next": "A newer version of this feature was approved; this one is kept for the record.",
        }
    elif state == State.REASSESSMENT_DUE:
        banner = {
            "kind": "reassessment_due",
            "tone": "warn",
            "title": "Re-assessment due",
            "next": "The feature stays live while the team answers the new version and the committee reviews it.",
        }
    if banner is not None and newest is not None:
        banner["link"] = {
            "assessment": newest,
            "text": (
                f"Open the new draft, version {newest.version}"
                if newest.state == State.DRAFT
                else f"Open version {newest.version} ({state_label(newest.state).lower()})"
            ),
        }
    return banner


def _decided_by(sign_off):
    if sign_off is None:
        return {}
    return {
        "by": person_name(sign_off.reviewer),
        "stage": roles.DOMAIN_LABELS.get(sign_off.stage, sign_off.stage),
        "when": sign_off.created_at,
        "comment": sign_off.comment,
    }


def _flagged(sign_off, threads):
    """The questions the change request commented on, in questionnaire order, each with its anchor."""
    if sign_off is None:
        return []
    flagged = []
    for thread in threads.values():
        if any(item["comment"].sign_off_id == sign_off.pk for item in thread["comments"]):
            flagged.append({"text": thread["text"], "anchor": thread["anchor"], "count": len(thread["comments"])})
    return flagged


def comment_threads(questionnaire, comments):
    """Comments on answers grouped by question (questionnaire order): each reviewer comment with its replies.

    ``{question id: {"text", "anchor", "comments": [{"comment", "author", "stage", "replies": [...]}]}}``
    """
    order = {qid: n for n, qid in enumerate(questionnaire.questions)}
    tops = {}
    replies = {}
    for comment in comments:
        item = {
            "comment": comment,
            "author": person_name(comment.author),
            "stage": roles.DOMAIN_LABELS.get(comment.stage, ""),
            "replies": [],
        }
        if comment.reply_to_id:
            replies.setdefault(comment.reply_to_id, []).append(item)
        else:
            tops[comment.pk] = item
    for parent_id, items in replies.items():
        if parent_id in tops:
            tops[parent_id]["replies"] = items
    threads = {}
    for item in tops.values():
        qid = item["comment"].question
        question = questionnaire.questions.get(qid)
        thread = threads.setdefault(
            qid, {"text": question.text if question else qid, "anchor": dom_id(qid), "comments": []}
        )
        thread["comments"].append(item)
    return dict(sorted(threads.items(), key=lambda pair: order.get(pair[0], len(order))))


def sign_off_rounds(sign_offs, conditions):
    by_sign_off = {}
    for condition in conditions:
        by_sign_off.setdefault(condition.sign_off_id, []).append(condition)
    rounds = {}
    for sign_off in sign_offs:
        rounds.setdefault(sign_off.review_round, []).append(
            {
                "sign_off": sign_off,
                "stage": roles.DOMAIN_LABELS.get(sign_off.stage, sign_off.stage),
                "conditions": by_sign_off.get(sign_off.pk, []),
            }
        )
    return [{"round": n, "rows": rows} for n, rows in sorted(rounds.items(), reverse=True)]


def diff_rows(questionnaire, changed):
    rows = []
    order = list(questionnaire.questions)
    for qid in sorted(changed, key=lambda q: order.index(q) if q in order else len(order)):
        question = questionnaire.questions.get(qid)
        rows.append(
            {
                "text": question.text if question else qid,
                "section": questionnaire.sections[question.section].title if question else "",
                "anchor": dom_id(qid),
                "before": display_answer(question, changed[qid]["from"]),
                "after": display_answer(question, changed[qid]["to"]),
            }
        )
    return rows


def changes_since(entries, moment):
    """Answers changed after ``moment``, merged: the first 'from' and the last 'to' of each question."""
    merged = {}
    for entry in entries:
        if entry.action != AuditEntry.Action.ANSWERS_CHANGED or entry.created_at <= moment:
            continue
        for qid, change in (entry.details.get("changed") or {}).items():
            merged.setdefault(qid, {"from": change.get("from")})["to"] = change.get("to")
    return {qid: c for qid, c in merged.items() if c["from"] != c["to"]}


def reviewer_diff(questionnaire, assessment, user, sign_offs, entries):
    """For a reviewer who signed an earlier round (or whose sign-off was invalidated): what changed since."""
    mine = [s for s in sign_offs if s.reviewer_id == user.pk]
    if not mine:
        return None
    last = max(mine, key=lambda s: (s.created_at, s.pk))
    if last.review_round >= assessment.review_round and last.is_valid:
        return None
    changed = changes_since(entries, last.created_at)
    return {
        "sign_off": last,
        "stage": roles.DOMAIN_LABELS.get(last.stage, last.stage),
        "rows": diff_rows(questionnaire, changed),
    }


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
