"""Answers and the questionnaire as the pages show them: the form's sections, the live panel, risk and NIST."""

from .. import transitions
from ..forms import dom_id, field_name
from ..models import State
from ..questionnaire import AUDIENCE, DISCLOSED_AUDIENCES, DISCLOSURE, NIST_FUNCTIONS
from ..risk import risk_score

RISK_NAMES = {1: "Low", 2: "Moderate", 3: "High", 4: "Very high"}
# How a reason is labelled beside its question on the pages (by its code).
REASON_KINDS = {"answer_required": "Answer required", "hard_stop": "Hard stop"}
# Where a reason that is not about one question links on the assessment page, by its code's prefix (the first
# that matches): a flag to the flags and their mitigation notes, other bias evidence to its section, missing
# sign-offs to the sign-offs. A reason about one condition links to that condition (its params name it).
REASON_SECTIONS = {
    "bias_flag_": "bias-flags",
    "bias_group_": "bias-flags",
    "bias_": "bias",
    "condition_": "conditions",
    "sign_offs_": "sign-offs",
}


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
        "anchor": dom_id(reason.question) if question is not None else _reason_section(reason),
    }


def _reason_section(reason):
    if "condition" in reason.params:
        return f"condition-{reason.params['condition']}"
    return next((anchor for prefix, anchor in REASON_SECTIONS.items() if reason.code.startswith(prefix)), "")


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
    """Risk, hard stops and submit readiness for answers being edited (``answers`` already clean).

    The count of unanswered required questions is the number of "answer required" blockers: the counter and
    the blockers both come from ``questionnaire.submit_blockers``.
    """
    score = risk_score(questionnaire, answers)
    blockers = submit_readiness(questionnaire, answers)
    unanswered = sum(1 for b in blockers if b["code"] == "answer_required")
    required_total = sum(1 for q in questionnaire.questions.values() if questionnaire.is_required(q, answers))
    return {
        "score": score,
        # No level before the first risk answer: a blank form is not "low risk".
        "scored": any(questionnaire.questions[qid].kind == "risk" for qid in answers if qid in questionnaire.questions),
        "risk_name": RISK_NAMES.get(score["level"], ""),
        "hard_stops": [
            {"question": q, "message": message, "anchor": dom_id(q.id)}
            for q, message in questionnaire.hard_stops(answers)
        ],
        "blockers": blockers,
        "required_total": required_total,
        "required_answered": required_total - unanswered,
        "unanswered": unanswered,
        "needs_disclosure": questionnaire.needs_disclosure(answers),
    }


def required_if_rules(questionnaire):
    """Questions that an earlier answer makes required, keyed by form field name, for the browser to follow live:
    ``{"field": the earlier question's field, "any": values any of which makes it required}``."""
    if DISCLOSURE not in questionnaire.questions or AUDIENCE not in questionnaire.questions:
        return {}
    return {field_name(DISCLOSURE): {"field": field_name(AUDIENCE), "any": list(DISCLOSED_AUDIENCES)}}


def form_sections(questionnaire, form, answers, errors):
    """Sections of the form with each question's field, visibility, error and hard stop."""
    fields = form.question_fields()
    stops = {q.id: message for q, message in questionnaire.hard_stops(answers)}
    rules_if = required_if_rules(questionnaire)
    sections = []
    for section in questionnaire.sections.values():
        items = []
        for question in section.questions:
            if errors.get(question.id):
                form.mark_invalid(question.id, "err-" + dom_id(question.id))
            # A hidden required question is labelled as it will be when shown (the browser shows it live).
            required = question.required or questionnaire.is_required(question, answers)
            items.append(
                {
                    "question": question,
                    "field": fields[question.id],
                    "dom": dom_id(question.id),
                    "visible": questionnaire.is_visible(question, answers),
                    "required": required,
                    "required_if": rules_if.get(field_name(question.id)),
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


def changes_since(questionnaire, entries, base_hash):
    """What was saved after the version ``base_hash`` names, per question: the answer then and now, and by whom.

    ``entries`` are the assessment's audit rows (oldest first) that record answers: each holds the content
    hash after it. The changes are those of the rows after the last one at ``base_hash``; None when no row
    is at that hash (the page cannot tell when the user opened it).
    """
    start = None
    for index, entry in enumerate(entries):
        if entry.content_hash == base_hash:
            start = index + 1
    if start is None:
        return None
    changed = {}
    for entry in entries[start:]:
        for qid, change in (entry.details or {}).get("changed", {}).items():
            row = changed.setdefault(qid, {"from": change.get("from"), "by": []})
            row["to"] = change.get("to")
            if entry.actor_username and entry.actor_username not in row["by"]:
                row["by"].append(entry.actor_username)
            row["at"] = entry.created_at
    order = list(questionnaire.questions) + sorted(set(changed) - set(questionnaire.questions))
    rows = []
    for qid in order:
        row = changed.get(qid)
        if row is None or row["from"] == row["to"]:
            continue  # untouched, or changed and changed back
        question = questionnaire.questions.get(qid)
        rows.append(
            {
                "text": question.text if question else qid,
                "anchor": dom_id(qid) if question else "",
                "then": display_answer(question, row["from"]) or "(no answer)",
                "now": display_answer(question, row["to"]) or "(no answer)",
                "by": row["by"],
                "at": row["at"],
            }
        )
    return rows
