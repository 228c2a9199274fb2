"""The "Re-sign" panel: a reviewer who signed in the round a change request ended signs again in one action."""

from accounts import roles

from ..models import SignOff


def resign_panel(assessment, user, sign_offs, conditions, diff, resubmit_note, allowed):
    """What the panel shows, or None when it does not apply.

    It applies when ``user`` may approve the current stage now and approved that stage in the round before,
    which a change request ended. ``{"sign_off", "stage", "comment", "note", "rows", "carried"}``: their
    earlier sign-off and comment (pre-filled), the team's note, the word-level diff since that sign-off
    (``diff`` from ``review.reviewer_diff``), and the conditions of this stage carried as proposed.
    """
    if not any(option["name"] == "approve" for option in allowed) or assessment.review_round < 2:
        return None
    earlier_round = assessment.review_round - 1
    ended = any(s.review_round == earlier_round and s.decision == SignOff.Decision.CHANGES_REQUESTED for s in sign_offs)
    mine = [
        s
        for s in sign_offs
        if s.review_round == earlier_round
        and s.stage == assessment.stage
        and s.reviewer_id == user.pk
        and s.decision == SignOff.Decision.APPROVED
    ]
    if not ended or not mine:
        return None
    earlier = mine[-1]
    return {
        "sign_off": earlier,
        "stage": roles.DOMAIN_LABELS.get(earlier.stage, earlier.stage),
        "comment": earlier.comment,
        "note": resubmit_note.comment if resubmit_note is not None else "",
        "rows": diff["rows"] if diff and diff["sign_off"].pk == earlier.pk else [],
        "carried": [c for c in conditions if c.status == c.Status.PROPOSED and c.domain == assessment.stage],
    }
