"""The conditions an approval carries: validating them as input, and how the audit log records each."""

from dataclasses import dataclass
from datetime import date

from django.contrib.auth import get_user_model
from django.utils import timezone

from .. import canonical
from ..errors import InputError

MAX_CONDITIONS = 20


@dataclass(frozen=True)
class ConditionProblem:
    """Why a condition is not valid, and the field it is about (``text``, ``owner``, ``due_date``,
    ``before_launch``), so a form can show it beside that field."""

    field: str
    message: str


def clean_conditions(conditions, assessment):
    """Validate conditions: ``[{"text", "owner", "due_date" (YYYY-MM-DD) or "before_launch": true}]``.

    The owner is a username of the team (the feature's owner when left out). Each
    condition is due by a date or before launch, not both and not neither.
    """
    if not conditions:
        return []
    if not isinstance(conditions, list):
        raise InputError({"conditions": "Conditions must be a list."})
    if len(conditions) > MAX_CONDITIONS:
        raise InputError({"conditions": f"At most {MAX_CONDITIONS} conditions per approval."})
    parsed = []
    errors = {}
    for index, raw in enumerate(conditions, start=1):
        problem, condition = _clean_condition(raw, assessment)
        if problem:
            errors[f"conditions[{index}]"] = problem.message
        else:
            parsed.append(condition)
    if errors:
        raise InputError(errors, message="Some conditions are not valid.")
    return parsed


def _clean_condition(raw, assessment):
    """``(ConditionProblem, None)`` when the condition is not valid, else ``(None, condition)``."""
    team = assessment.feature.team
    if not isinstance(raw, dict):
        return ConditionProblem("text", "Each condition needs text, and a due date or before_launch."), None
    text = raw.get("text")
    if not isinstance(text, str) or not text.strip():
        return ConditionProblem("text", "Say what the team must do (text)."), None
    if not canonical.is_storable_text(text):
        return ConditionProblem("text", "The condition's text " + canonical.unstorable_text(text)), None
    if len(text) > 2000:
        return ConditionProblem("text", "The condition's text is over 2000 characters."), None
    owner_name = raw.get("owner")
    if owner_name in (None, ""):
        owner = assessment.feature.owner
    else:
        owner_name = str(owner_name)[:150]
        owner = (
            get_user_model().objects.filter(username=owner_name).first()
            if canonical.is_storable_text(owner_name)
            else None
        )
        if owner is None or not team.has_member(owner):
            return ConditionProblem("owner", f"The owner must be a member of the team {team.name}, by username."), None
    before_launch = raw.get("before_launch", False)
    if not isinstance(before_launch, bool):
        return ConditionProblem("before_launch", "before_launch must be true or false."), None
    due = raw.get("due_date")
    if before_launch:
        if due not in (None, ""):
            return ConditionProblem("due_date", "A condition is due either before launch or by a date, not both."), None
        due_date = None
    else:
        try:
            due_date = date.fromisoformat(due) if isinstance(due, str) else due
        except ValueError:
            due_date = None
        if not isinstance(due_date, date):
            return ConditionProblem(
                "due_date", "Give the due date as YYYY-MM-DD, or make the condition due before launch."
            ), None
        if due_date < timezone.localdate():
            return ConditionProblem("due_date", "The due date is in the past."), None
    return None, {"text": text.strip(), "owner": owner, "due_date": due_date, "before_launch": before_launch}


def condition_detail(condition):
    return {
        "text": condition["text"],
        "owner": condition["owner"].get_username(),
        "due_date": condition["due_date"].isoformat() if condition["due_date"] else None,
        "before_launch": condition["before_launch"],
    }


def clean_condition_change(raw, condition, assessment):
    """A carried condition's new values: what ``raw`` gives, the rest as the condition has it.

    ``(ConditionProblem, None)`` when not valid, else ``(None, values)``, validated as a new condition is. A due date
    or ``before_launch`` given replaces both (a condition is due one way); neither keeps the current one.
    """
    if not isinstance(raw, dict):
        return ConditionProblem("text", "Give the condition's new text, owner, due date or before_launch."), None
    merged = {"text": condition.text, "owner": condition.owner.get_username()}
    if "due_date" in raw or "before_launch" in raw:
        merged.update(due_date=raw.get("due_date"), before_launch=raw.get("before_launch", False))
    else:
        merged.update(due_date=condition.due_date, before_launch=condition.before_launch)
    merged.update({key: raw[key] for key in ("text", "owner") if key in raw})
    return _clean_condition(merged, assessment)
