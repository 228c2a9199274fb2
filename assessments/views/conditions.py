"""Browser steps of a condition: the team marks it met with evidence (text, a link or a file); the domain that set it
(or the chair) confirms or reopens it. The services (assessments/conditions.py) decide; these pages only parse and
answer. A file of evidence is served, as an attachment, to whoever may see the assessment."""

import re

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from .. import conditions, evidence_files
from ..errors import InputError, NotPermitted, TransitionConflict
from ..models import Condition
from ..selectors import visibility_condition
from ..services.carried_conditions import condition_edit as carried_condition_edit
from .common import announces_more_than, problem, refused_before_the_body

DONE = {
    "met": "The condition is marked met; the committee has been asked to confirm it.",
    "confirm": "The condition is confirmed met.",
    "reopen": "The condition is open again; the team has been told why.",
    "drop": "The carried condition is dropped.",
    "edit": "The carried condition is changed; it is kept when you sign.",
}


# The version a form was opened at (``Condition.version``): a SHA-256 in hexadecimal.
VERSION = re.compile(r"[0-9a-f]{64}")


def _visible_condition(user, pk):
    return get_object_or_404(
        Condition.objects.select_related("assessment__feature__team").filter(
            visibility_condition(user, through="assessment")
        ),
        pk=pk,
    )


def _evidence_file(request):
    """The posted file of evidence (None without one), or EvidenceFileRefused."""
    upload = request.FILES.get("evidence_file")
    return None if upload is None else evidence_files.read_evidence_file(upload)


def _refused_before_reading(request, pk):
    """Marking met: who may (403) and the condition's status (409), then the size from the request's length
    (413), all before a byte of the body is read; None when the body may be read."""
    condition = _visible_condition(request.user, pk)
    back = reverse("assessment_detail", args=[condition.assessment_id])
    refusal = conditions.condition_refusal(step="met", condition=condition, by=request.user)
    if refusal is not None:
        status, title = (403, "Not permitted") if isinstance(refusal, NotPermitted) else (409, "Not recorded")
        return problem(request, status, title, refusal.message, back=back)
    if announces_more_than(request, settings.EVIDENCE_FILE_MAX_BYTES):
        return problem(request, 413, "File not accepted", evidence_files.too_large().message, back=back)
    return None


def _step(request, pk, step):
    user = request.user
    condition = _visible_condition(user, pk)
    back = reverse("assessment_detail", args=[condition.assessment_id])
    try:
        file = _evidence_file(request) if step == "met" else None
        text = request.POST.get("evidence" if step == "met" else "comment", "")
        if step == "met":
            conditions.condition_mark_met(condition=condition, by=user, evidence=text, file=file)
        elif step == "confirm":
            conditions.condition_confirm(condition=condition, by=user, comment=text)
        elif step == "reopen":
            conditions.condition_reopen(condition=condition, by=user, comment=text)
        elif step == "drop":
            conditions.condition_drop(condition=condition, by=user, comment=text)
        else:
            # The service compares the version the form showed with the condition under its row lock.
            carried_condition_edit(
                condition=condition,
                by=user,
                change=_edit_of(request.POST),
                expected_version=request.POST.get("version", ""),
            )
    except NotPermitted as error:
        return problem(request, 403, "Not permitted", error.message, back=back)
    except TransitionConflict as error:
        if any(reason.code == "stale_condition" for reason in error.reasons):
            return _edit_again(request, pk, error.message, status=409)
        return problem(request, 409, "Not recorded", error.message, back=back)
    except InputError as error:
        return problem(request, 400, "Not recorded", " ".join(map(str, error.errors.values())), back=back)
    except evidence_files.EvidenceFileRefused as error:
        return problem(request, error.status, "File not accepted", error.message, back=back)
    messages.success(request, DONE[step])
    return redirect(f"{back}#conditions")


def _edit_again(request, pk, message, *, status):
    """The condition as it is now beside what the reviewer typed, with a form to save it again from the version
    now shown: nothing typed is lost, nothing saved meanwhile is overwritten."""
    condition = _visible_condition(request.user, pk)
    typed = {
        "text": request.POST.get("text", ""),
        "due_date": request.POST.get("due_date", ""),
        "before_launch": bool(request.POST.get("before_launch")),
    }
    context = {"condition": condition, "typed": typed, "message": message}
    return render(request, "assessments/condition_conflict.html", context, status=status)


def _edit_of(post):
    change = {"text": post.get("text", "")}
    if post.get("before_launch"):
        change["before_launch"] = True
    else:
        change["due_date"] = post.get("due_date", "")
    return change


@require_POST
@login_required
@refused_before_the_body(_refused_before_reading)
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
    condition = _visible_condition(request.user, pk)
    refusal = conditions.condition_refusal(step="edit", condition=condition, by=request.user)
    if refusal is None and not VERSION.fullmatch(request.POST.get("version", "")):
        message = "Not saved: the form did not say which version of the condition it showed. Save again from here."
        return _edit_again(request, pk, message, status=400)
    return _step(request, pk, "edit")


@require_safe
@login_required
def condition_evidence_file(request, pk, sha256):
    """A file given as evidence for a condition, to whoever may see its assessment (404 otherwise), as an
    attachment; refused (409) if its bytes no longer hash to what was recorded (evidence_files.download_response)."""
    condition = _visible_condition(request.user, pk)
    try:
        return evidence_files.download_response(condition, sha256)
    except evidence_files.EvidenceFileAltered as error:
        back = reverse("assessment_detail", args=[condition.assessment_id])
        return problem(request, 409, "File altered", error.message, back=back)
