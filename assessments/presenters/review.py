"""The review as the assessment page shows it: progress, outcome banner, comment threads, rounds, diffs."""

from accounts import roles

from ..forms import dom_id, person_name
from ..manifestation import recorded_acting_for_text
from ..models import AuditEntry, SignOff, State
from ..word_diff import list_diff, value_diff, word_diff
from .answers import display_answer, state_label

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


def comment_threads(questionnaire, comments, entries=()):
    """Comments on answers grouped by question (questionnaire order): each reviewer comment with its replies.

    ``{question id: {"text", "anchor", "comments": [{"comment", "author", "stage", "acting_for", "replies": [...]}]}}``;
    ``acting_for`` is read from the comment's audit entry (among ``entries``) when a delegate wrote it.
    """
    order = {qid: n for n, qid in enumerate(questionnaire.questions)}
    acting = {
        (entry.details or {}).get("comment_id"): recorded_acting_for_text(entry.details)
        for entry in entries
        if entry.action == AuditEntry.Action.QUESTION_COMMENT and (entry.details or {}).get("acting_for")
    }
    tops = {}
    replies = {}
    for comment in comments:
        item = {
            "comment": comment,
            "author": person_name(comment.author),
            "stage": roles.DOMAIN_LABELS.get(comment.stage, ""),
            "acting_for": acting.get(comment.pk, ""),
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
    """Each changed answer (questionnaire order): its question, the answer before and after, and the difference
    between them (``words``: ``word_diff.Segment``s; word by word for text), as a person reads the answers."""
    rows = []
    order = list(questionnaire.questions)
    for qid in sorted(changed, key=lambda q: order.index(q) if q in order else len(order)):
        question = questionnaire.questions.get(qid)
        before = display_answer(question, changed[qid]["from"])
        after = display_answer(question, changed[qid]["to"])
        words = _answer_diff(question, changed[qid]["from"], changed[qid]["to"], before, after)
        rows.append(
            {
                "text": question.text if question else qid,
                "section": questionnaire.sections[question.section].title if question else "",
                "anchor": dom_id(qid),
                "before": before,
                "after": after,
                "words": words,
            }
        )
    return rows


def _answer_diff(question, old, new, before, after):
    """Text word by word; the items of a multiple choice one by one; any other answer (a number, a choice, yes or
    no) as a whole value replaced."""
    if question is None or question.type in ("text", "long_text"):
        return word_diff(before, after)
    if question.type == "multi_choice" and isinstance(old or [], list) and isinstance(new or [], list):
        return list_diff([question.choice_label(v) for v in old or []], [question.choice_label(v) for v in new or []])
    return value_diff(before, after)


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
