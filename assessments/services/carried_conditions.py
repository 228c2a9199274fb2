"""Carried conditions decided when their reviewer signs again: keep, edit or drop each, in the approval itself.

A round ended by a change request leaves its conditions ``proposed`` (DESIGN section 3). The reviewer of the
domain that set them re-signs in one action: the approval names what happens to each
(``[{"id", "action": "keep"|"edit"|"drop", ...}]``); those it does not name are kept. Edits and drops are
written, each with its audit row, in the approval's transaction and before its sign-off, which then keeps
what remains (``Assessment.approve``). ``condition_edit`` does one edit on its own, before signing.
"""

from django.db import transaction

from .. import conditions
from ..errors import InputError, TransitionConflict
from ..models import Condition
from .approval_conditions import MAX_CONDITIONS, ConditionProblem, clean_condition_change

CARRIED_ACTIONS = ("keep", "edit", "drop")
DROPPED_WHEN_SIGNING = "Dropped by its reviewer when signing again."


def carried_of(assessment):
    """The proposed conditions the current stage's reviewer decides on now, locked, oldest first."""
    if assessment.stage is None:
        return []
    return list(
        Condition.objects.select_for_update(of=("self",))
        .select_related("sign_off", "owner")
        .filter(assessment=assessment, status=Condition.Status.PROPOSED, sign_off__stage=assessment.stage)
        .order_by("pk")
    )


def clean_carried(raw, assessment, by):
    """Validate what the approval does with the carried conditions; return ``[(action, condition, values)]``.

    Each id must be a carried condition of the current stage, named once (else InputError at
    ``carried_conditions[n]``); an edit is validated as a new condition is. The caller holds the
    assessment's lock; the conditions are locked here.
    """
    if not raw:
        return []
    if not isinstance(raw, list):
        raise InputError({"carried_conditions": "carried_conditions must be a list."})
    if len(raw) > MAX_CONDITIONS:
        raise InputError({"carried_conditions": f"At most {MAX_CONDITIONS} carried conditions per approval."})
    carried = {c.pk: c for c in carried_of(assessment)}
    decisions, errors, fields, seen = [], {}, {}, set()
    for index, item in enumerate(raw, start=1):
        key = f"carried_conditions[{index}]"
        problem, decision = _clean_one(item, carried, seen, assessment)
        if problem:
            errors[key], fields[key] = problem.message, problem.field
        else:
            decisions.append(decision)
    if errors:
        raise InputError(errors, message="Some decisions on carried conditions are not valid.", fields=fields)
    for _, condition, _ in decisions:
        condition.assessment = assessment
        conditions.carried_refusal(by, condition, assessment)
    return decisions


def _clean_one(item, carried, seen, assessment):
    """``(ConditionProblem, None)`` (its field: ``id``, ``action``, ``comment`` or a condition's), else
    ``(None, (action, condition, values))``."""
    if not isinstance(item, dict):
        return ConditionProblem("id", "Each decision needs the condition's id and an action: keep, edit or drop."), None
    cid, action = item.get("id"), item.get("action")
    if isinstance(cid, bool) or not isinstance(cid, int) or cid not in carried:
        return ConditionProblem("id", f"{str(cid)[:20]} is not a condition carried to this stage."), None
    if cid in seen:
        return ConditionProblem("id", f"Condition {cid} is named twice."), None
    seen.add(cid)
    if action not in CARRIED_ACTIONS:
        return ConditionProblem("action", "The action must be keep, edit or drop."), None
    condition = carried[cid]
    try:
        values = {"comment": conditions.clean_text(item.get("comment"), field="comment", required=False)}
    except InputError as error:
        return ConditionProblem("comment", next(iter(error.errors.values()))), None
    if action == "edit":
        change = {k: item[k] for k in ("text", "owner", "due_date", "before_launch") if k in item}
        problem, cleaned = clean_condition_change(change, condition, assessment)
        if problem:
            return problem, None
        values.update(cleaned)
    return None, (action, condition, values)


def carried_apply(decisions, assessment, *, by):
    """Write the edits and drops (each with its audit row); what is kept is kept by the sign-off itself."""
    for action, condition, values in decisions:
        if action == "drop":
            conditions.carried_drop(assessment, condition, by=by, comment=values["comment"] or DROPPED_WHEN_SIGNING)
        elif action == "edit":
            conditions.carried_edit(assessment, condition, by=by, values=values, comment=values["comment"])


def condition_edit(*, condition, by, change, comment="", expected_version=None):
    """The reviewer of the domain that set a carried condition (or the chair) edits it at their stage.

    Guarantees: as ``conditions.condition_drop`` (403 for the team and other domains, 409 unless proposed and
    at that domain's stage); with ``expected_version`` (the ``Condition.version`` the editor read), a change
    saved by someone else since is a TransitionConflict (``stale_condition``, compared under the row lock),
    never overwritten; ``change`` (``text``, ``owner``, ``due_date``, ``before_launch``) is validated as a new
    condition (InputError). It stays proposed; the change and its audit row are one transaction.
    """
    with transaction.atomic():
        assessment, condition = conditions.locked_condition(condition)
        condition.assessment = assessment
        conditions.carried_refusal(by, condition, assessment)
        if expected_version is not None and expected_version != condition.version:
            raise TransitionConflict(
                "Someone else changed this condition after you read it; your edit was not saved. Read it again "
                "and reapply your change.",
                code="stale_condition",
            )
        problem, values = clean_condition_change(change, condition, assessment)
        if problem:
            raise InputError({"condition": problem.message}, message=problem.message)
        comment = conditions.clean_text(comment, field="comment", required=False)
        return conditions.carried_edit(assessment, condition, by=by, values=values, comment=comment)
