"""Bias evidence in the browser: upload (with a preview before anything is saved), a row form,
justifications, mitigations, and the context the assessment page's bias section shows.

Who may add evidence is decided before a byte of an upload is read (403 or 409), and the size
the request announces (413), then the CSRF token, then the file is checked (413 over the size
limit, 400 with every error by line and column).
A previewed upload waits in the user's session under a token; confirming it saves it
once: the token is the batch of the saved rows, and a batch is never saved twice
(a double click, a second tab).
"""

import time
import uuid

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from .. import bias, bias_services, bias_upload, metrics, permissions, services
from ..errors import InputError, NotPermitted, TransitionConflict
from ..models import BiasResult, EvidenceKind, State
from ..selectors import assessment_visible_to
from .actions import actions_panels_oob
from .common import announces_more_than, problem, refused_before_the_body

SESSION_PREFIX = "bias_upload:"
MAX_WAITING_UPLOADS = 5  # previews kept per session; older ones are dropped


def _problem(request, status, title, message, assessment):
    return problem(request, status, title, message, back=reverse("assessment_detail", args=[assessment.pk]) + "#bias")


def _refusal(request, assessment):
    """A 403 or 409 page when the user may not add evidence here now; None when they may."""
    if not permissions.may_add_bias_evidence(request.user, assessment):
        return _problem(
            request, 403, "Not permitted", "Only the team or a Data/AI reviewer may add bias evidence.", assessment
        )
    if services.evidence_kind_in(assessment.state) is None:
        return _problem(
            request,
            409,
            "Bias evidence cannot be added now",
            "Bias evidence can be added up to Data/AI review, and as monitoring once launched; "
            f"this assessment is in {assessment.get_state_display()}.",
            assessment,
        )
    return None


def _error_page(request, assessment, error):
    if isinstance(error, NotPermitted):
        return _problem(request, 403, "Not permitted", error.message, assessment)
    if isinstance(error, TransitionConflict):
        return _problem(request, 409, "Not recorded", error.message, assessment)
    return _problem(request, 400, "Not recorded", " ".join(map(str, error.errors.values())), assessment)


def _back(assessment):
    return redirect(reverse("assessment_detail", args=[assessment.pk]) + "#bias")


# -- the template ---------------------------------------------------------------------------------


@require_safe
@login_required
def bias_template(request):
    response = HttpResponse(bias_upload.TEMPLATE, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="bias-results-template.csv"'
    return response


# -- upload, preview, confirm ---------------------------------------------------------------------


def _refused_before_reading(request, pk):
    """An upload: who may and the state (_refusal), then the size from the request's length (413), before a byte
    of the body is read; None when it may be read."""
    assessment = assessment_visible_to(request.user, pk)
    refused = _refusal(request, assessment)
    if refused is None and announces_more_than(request, settings.BIAS_UPLOAD_MAX_BYTES):
        return _problem(request, 413, "File not accepted", bias_upload.too_large().message, assessment)
    return refused


@require_POST
@login_required
@refused_before_the_body(_refused_before_reading)
def bias_upload_preview(request, pk):
    assessment = assessment_visible_to(request.user, pk)
    description = request.POST.get("description", "").strip()
    if not description:
        return _problem(request, 400, "Describe the evidence", bias_services.DESCRIPTION_NEEDED, assessment)
    try:
        intersections = bias_upload.parse_intersections(request.POST.get("intersections", ""))
        parsed = bias_upload.read_upload(request.FILES.get("file"), intersections=intersections)
    except bias_upload.UploadRefused as error:
        return _problem(request, error.status, "File not accepted", error.message, assessment)
    context = {
        "assessment": assessment,
        "parsed": parsed,
        "kind": services.evidence_kind_in(assessment.state),
        "ratios": [],
        "flags": [],
    }
    if not parsed.ok:
        return render(request, "assessments/bias_preview.html", context, status=400)
    token = uuid.uuid4().hex
    waiting = [key for key in request.session.keys() if key.startswith(SESSION_PREFIX)]  # noqa: SIM118 (not iterable)
    for key in sorted(waiting, key=lambda k: request.session[k].get("order", 0))[: -MAX_WAITING_UPLOADS + 1]:
        del request.session[key]
    request.session[SESSION_PREFIX + token] = {
        "assessment": assessment.pk,
        "rows": parsed.rows,
        "name": parsed.name,
        "sha256": parsed.sha256,
        "format": parsed.format,
        "description": description,
        "provenance": parsed.provenance(),
        "order": time.time(),
    }
    preview = [
        BiasResult(dimension=r["dimension"], group=r["group"], sample_size=r["n"], metric=r["metric"], value=r["value"])
        for r in parsed.rows
    ]
    context.update(
        token=token,
        description=description,
        ratios=bias.four_fifths_ratios(preview),
        flags=bias.bias_flags(preview),
        interval_method=bias.INTERVAL_METHOD,
    )
    return render(request, "assessments/bias_preview.html", context)


@require_POST
@login_required
def bias_upload_confirm(request, pk):
    assessment = assessment_visible_to(request.user, pk)
    token = request.POST.get("token", "")
    waiting = request.session.get(SESSION_PREFIX + token) if len(token) == 32 else None
    if waiting is None or waiting.get("assessment") != assessment.pk:
        if len(token) == 32 and BiasResult.objects.filter(assessment=assessment, batch=token).exists():
            messages.info(request, "This upload is saved already.")
            return _back(assessment)
        return _problem(
            request,
            400,
            "Upload not found",
            "This preview is no longer available (it was saved or cancelled, or you signed out). "
            "Upload the file again.",
            assessment,
        )
    try:
        provenance = {
            **waiting["provenance"],
            "intersections": [tuple(p) for p in waiting["provenance"]["intersections"]],
        }
        created = services.bias_results_add(
            assessment=assessment,
            rows=waiting["rows"],
            by=request.user,
            batch=token,
            description=waiting["description"],
            **provenance,
        )
    except (InputError, NotPermitted, TransitionConflict) as error:
        return _error_page(request, assessment, error)
    request.session.pop(SESSION_PREFIX + token, None)
    n = len(created)
    messages.success(
        request, f"{n} bias result row{pluralize(n)} from {waiting['name']} {pluralize(n, 'was,were')} saved."
    )
    return _back(assessment)


@require_POST
@login_required
def bias_upload_cancel(request, pk):
    assessment = assessment_visible_to(request.user, pk)
    request.session.pop(SESSION_PREFIX + request.POST.get("token", "")[:32], None)
    messages.info(request, "The upload was cancelled; nothing was saved.")
    return _back(assessment)


# -- one row, justifications, mitigations -----------------------------------------------------------


class BiasRowForm(forms.Form):
    dimension = forms.CharField(max_length=50)
    group = forms.CharField(max_length=100)
    n = forms.IntegerField(min_value=1, max_value=2_000_000_000, label="Sample size")
    metric = forms.ChoiceField(choices=[(m, m) for m in metrics.KNOWN])
    value = forms.FloatField()
    description = forms.CharField(max_length=bias_services.MAX_DESCRIPTION, label="Model version and data set")


def _form_errors(form):
    return "; ".join(f"{form.fields[name].label or name}: {' '.join(errs)}" for name, errs in form.errors.items())


@require_POST
@login_required
def bias_row_add(request, pk):
    assessment = assessment_visible_to(request.user, pk)
    refused = _refusal(request, assessment)
    if refused:
        return refused
    form = BiasRowForm(request.POST)
    if not form.is_valid():
        return _problem(request, 400, "Not recorded", _form_errors(form), assessment)
    row = dict(form.cleaned_data)
    description = row.pop("description")
    try:
        services.bias_results_add(assessment=assessment, rows=[row], by=request.user, description=description)
    except (InputError, NotPermitted, TransitionConflict) as error:
        return _error_page(request, assessment, error)
    messages.success(request, "The bias result was recorded.")
    return _back(assessment)


@require_POST
@login_required
def bias_justification_add(request, pk):
    assessment = assessment_visible_to(request.user, pk)
    try:
        services.bias_justification_record(
            assessment=assessment,
            dimension=request.POST.get("dimension", ""),
            text=request.POST.get("text", ""),
            by=request.user,
        )
    except (InputError, NotPermitted, TransitionConflict) as error:
        return _error_page(request, assessment, error)
    messages.success(request, "The justification was recorded.")
    return _back(assessment)


@require_POST
@login_required
def bias_mitigation_add(request, pk):
    """Every open flag's note from one form, saved at once; answered with the flags' section for htmx."""
    assessment = assessment_visible_to(request.user, pk)
    keys = request.POST.getlist("flag")
    texts = request.POST.getlist("text")
    notes = {key: text for key, text in zip(keys, texts, strict=False) if text.strip()}
    if len(keys) != len(texts) or not notes:
        error = InputError({"text": "Write a mitigation note for at least one flag."})
        return _mitigation_answer(request, assessment, error=error, status=400)
    try:
        saved = services.bias_mitigations_record(assessment=assessment, notes=notes, by=request.user)
    except (InputError, NotPermitted, TransitionConflict) as error:
        status = 403 if isinstance(error, NotPermitted) else 409 if isinstance(error, TransitionConflict) else 400
        return _mitigation_answer(request, assessment, error=error, status=status, drafts=notes)
    done = f"{len(saved)} mitigation note{'s were' if len(saved) != 1 else ' was'} recorded."
    return _mitigation_answer(request, assessment, done=done)


def _mitigation_answer(request, assessment, *, done="", error=None, status=200, drafts=None):
    """The page again (no htmx), or the flags' section and, after a save, both action panels out of band."""
    if not request.headers.get("HX-Request"):
        if error is not None:
            return _error_page(request, assessment, error)
        messages.success(request, done)
        return _back(assessment)
    context = {
        "assessment": assessment,
        **bias_context(request.user, assessment),
        "bias_notes_done": done,
        "bias_notes_error": _error_text(error) if error is not None else "",
        "bias_note_drafts": drafts or {},
    }
    response = render(request, "assessments/bias_flags.html", context, status=status)
    if error is None:
        # A mitigation can open the approval's gate: the page's action panels are swapped in place with it.
        response.write(actions_panels_oob(request, assessment))
    return response


def _error_text(error):
    if isinstance(error, InputError):
        return " ".join(map(str, error.errors.values()))
    return error.message


# -- what the assessment page shows --------------------------------------------------------------------


CHART_WIDTH, CHART_HEIGHT, CHART_PAD = 320, 120, 24
CHART_TOP = 1.2  # ratios are drawn from 0 to 1.2 (a ratio is at most 1)


def ratio_chart(points):
    """An SVG chart's geometry for one dimension's ratio over time (drawn by the template, server-side)."""

    def y_of(ratio):
        ratio = max(0.0, min(ratio, CHART_TOP))
        return round(CHART_HEIGHT - CHART_PAD - ratio / CHART_TOP * (CHART_HEIGHT - 2 * CHART_PAD), 1)

    span = CHART_WIDTH - 2 * CHART_PAD
    step = span / (len(points) - 1) if len(points) > 1 else 0
    marks = [
        {
            "x": round(CHART_PAD + (i * step if len(points) > 1 else span / 2), 1),
            "y": y_of(p["ratio"]),
            "ratio": p["ratio"],
            "when": p["when"],
            "kind": p["kind"],
            "flagged": p["ratio"] < bias.FOUR_FIFTHS,
        }
        for i, p in enumerate(points)
    ]
    return {
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "marks": marks,
        "line": " ".join(f"{m['x']},{m['y']}" for m in marks),
        "threshold_y": y_of(bias.FOUR_FIFTHS),
        "one_y": y_of(1.0),
        "left": CHART_PAD,
        "right": CHART_WIDTH - CHART_PAD,
        "bottom": CHART_HEIGHT - CHART_PAD,
    }


def bias_context(user, assessment):
    """Everything the bias section shows, in four queries whatever the number of rows."""
    rows = list(
        assessment.bias_results.select_related("created_by", "evidence_batch__created_by").order_by("created_at", "pk")
    )
    justifications = list(assessment.bias_justifications.select_related("created_by"))
    mitigations = list(assessment.bias_mitigations.select_related("created_by"))
    monitoring_flags = list(assessment.monitoring_flags.all())
    approval = [r for r in rows if r.kind == EvidenceKind.APPROVAL]
    monitoring = [r for r in rows if r.kind == EvidenceKind.MONITORING]
    required = bias.required_dimensions(assessment)
    present = sorted({r.dimension for r in approval})
    justified = {j.dimension: j for j in justifications}
    kind = services.evidence_kind_in(assessment.state)
    may_add = kind is not None and permissions.may_add_bias_evidence(user, assessment)
    flags = bias_services.flags_with_notes(rows, mitigations, monitoring_flags)
    approval_flags = [f for f in flags if f["kind"] == EvidenceKind.APPROVAL]
    monitoring_items = [f for f in flags if f["kind"] == EvidenceKind.MONITORING]
    may_note = may_add and kind == EvidenceKind.APPROVAL
    may_mitigate_monitoring = assessment.state == State.LAUNCHED and permissions.is_data_ai_reviewer_of(
        user, assessment
    )
    open_kind = EvidenceKind.APPROVAL if may_note else EvidenceKind.MONITORING if may_mitigate_monitoring else None
    return {
        "bias_rows": sorted(approval, key=lambda r: (r.dimension, r.metric, r.group)),
        "bias_ratios": bias.four_fifths_ratios(approval),
        "bias_required": required,
        "bias_present": present,
        "bias_missing": [d for d in required if d not in present and d not in justified],
        "bias_justifications": justifications,
        "bias_flags": approval_flags,
        "bias_flag_summary": flag_summary(approval_flags),
        "bias_open_flags": [f for f in flags if f["kind"] == open_kind and not f["mitigated"]],
        "bias_monitoring_rows": sorted(monitoring, key=lambda r: (r.created_at, r.dimension, r.metric, r.group)),
        "bias_monitoring_flags": monitoring_items,
        "bias_charts": [
            {"dimension": d, "chart": ratio_chart(points)} for d, points in bias.ratio_history(rows).items()
        ],
        "bias_batches": batches_of(rows),
        "bias_interval_method": bias.INTERVAL_METHOD,
        "bias_metrics": metrics.KNOWN,
        "bias_kind": kind,
        "bias_may_add": may_add,
        "bias_may_note": may_note,
        "bias_may_mitigate_monitoring": may_mitigate_monitoring,
    }


def flag_summary(flags):
    """How many flags, mitigated and open: the count the page, the gate and the dossier agree on."""
    mitigated = sum(1 for f in flags if f["mitigated"])
    return {"total": len(flags), "mitigated": mitigated, "open": len(flags) - mitigated}


def batches_of(rows):
    """Each measurement's provenance, in the order recorded; rows from before provenance was kept are named so."""
    batches = {}
    for row in rows:
        key = row.batch or f"row{row.pk}"
        if key not in batches:
            batches[key] = {"batch": row.evidence_batch, "row": row, "rows": 0}
        batches[key]["rows"] += 1
    return list(batches.values())
