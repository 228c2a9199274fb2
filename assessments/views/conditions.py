"""Browser steps of a condition: the team marks it met with evidence; the domain that set it (or the chair)
confirms or reopens it. The services (assessments/conditions.py) decide; these pages only parse and answer."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from .. import conditions
from ..errors import InputError, NotPermitted, TransitionConflict
from ..models import Condition
from ..selectors import visibility_condition
from ..services.carried_conditions import condition_edit as carried_condition_edit
from .common import problem

DONE = {
    "met": "The condition is marked met; the committee has been asked to confirm it.",
    "confirm": "The condition is confirmed met.",
    "reopen": "The condition is open again; the team has been told why.",
    "drop": "The carried condition is dropped.",
    "edit": "The carried condition is changed; it is kept when you sign.",
}


def _step(request, pk, step):
    user = request.user
    condition = get_object_or_404(
        Condition.objects.select_related("assessment__feature__team").filter(
            visibility_condition(user, through="assessment")
        ),
        pk=pk,
    )
    back = reverse("assessment_detail", args=[condition.assessment_id])
    text = request.POST.get("evidence" if step == "met" else "comment", "")
    try:
        if step == "met":
            conditions.condition_mark_met(condition=condition, by=user, evidence=text)
        elif step == "confirm":
            conditions.condition_confirm(condition=condition, by=user, comment=text)
        elif step == "reopen":
            conditions.condition_reopen(condition=condition, by=user, comment=text)
        elif step == "drop":
            conditions.condition_drop(condition=condition, by=user, comment=text)
        else:
            carried_condition_edit(condition=condition, by=user, change=_edit_of(request.POST))
    except NotPermitted as error:
        return problem(request, 403, "Not permitted", error.message, back=back)
    except TransitionConflict as error:
        return problem(request, 409, "Not recorded", error.message, back=back)
    except InputError as error:
        return problem(request, 400, "Not recorded", " ".join(map(str, error.errors.values())), back=back)
    messages.success(request, DONE[step])
    return redirect(f"{back}#conditions")


def _edit_of(post):
    change = {"text": post.get("text", "")}
    if post.get("before_launch"):
        change["before_launch"] = True
    else:
        change["due_date"] = post.get("due_date", "")
    return change


@require_POST
@login_required
def condition_met(request, pk):
    return _step(request, pk, "met")


@require_POST
@login_required
def condition_confirm(request, pk):
    return _step(request, pk, "confirm")


@require_POST
@login_required
def condition_reopen(request, pk):
    return _step(request, pk, "reopen")


@require_POST
@login_required
def condition_drop(request, pk):
    return _step(request, pk, "drop")


@require_POST
@login_required
def condition_edit(request, pk):
    return _step(request, pk, "edit")
