"""The auditor's workspace (/reports/) and dossier downloads in the browser.

Thin, like the core's views: the selectors decide what a user may see (404
otherwise), the services issue, log and verify dossiers.
"""

import io
import zipfile

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_safe

from assessments.models import AuditEntry, State
from assessments.paging import CappedPaginator
from assessments.selectors import assessment_visible_to
from assessments.views.common import announces_more_than, problem, refused_before_the_body

from . import analytics as committee_analytics
from . import selectors, services, verification
from .audit_package import PackageUnavailable, audit_package_files
from .charts import analytics_charts
from .csv_export import analytics_csv_lines, bias_csv_lines, csv_lines
from .dossier import is_issuable, issued_states
from .filters import AuditorAssessmentFilter
from .models import Dossier, DossierDownload

PAGE_SIZE = 25


def _workspace_only(view):
    def wrapped(request, *args, **kwargs):
        if not selectors.may_use_workspace(request.user):
            return problem(
                request,
                403,
                "For auditors",
                "The auditor's workspace is for auditors and the committee chair. "
                "Each assessment's own page links its dossier.",
                back=reverse("home"),
            )
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return login_required(wrapped)


def _filtered(request):
    queryset = selectors.workspace_assessments(request.user).select_related("feature__team")
    filters = AuditorAssessmentFilter(request.GET or None, queryset=queryset, request=request)
    if filters.is_bound and not filters.is_valid():
        return filters, queryset.none(), 400
    return filters, filters.qs.order_by("-decided_at", "-updated_at", "-pk"), 200


@require_safe
@_workspace_only
def workspace(request):
    """Every non-draft assessment, filtered; CSV of the same selection; links to dossiers and trails."""
    filters, queryset, status = _filtered(request)
    page = CappedPaginator(queryset.defer("answers", "risk_score"), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": filters.form,
        "page": page,
        "filtered": bool(filters.active_filters()),
        "csv_query": query.urlencode(),
        "recent_downloads": list(
            DossierDownload.objects.filter(selectors.workspace_condition(request.user, through="assessment"))
            .select_related("assessment__feature")
            .order_by("-downloaded_at", "-pk")[:5]
        ),
    }
    return render(request, "reports/workspace.html", context, status=status)


@require_safe
@_workspace_only
def assessments_csv(request):
    filters, queryset, status = _filtered(request)
    if status != 200:
        errors = "; ".join(f"{name}: {' '.join(messages)}" for name, messages in filters.form.errors.items())
        return HttpResponse(f"The filters are not valid: {errors}\n", status=400, content_type="text/plain")
    response = StreamingHttpResponse(
        csv_lines(queryset.defer("answers", "risk_score").iterator(chunk_size=500)),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="assessments.csv"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


# A package holds at most this many dossiers (a few hundred kilobytes each); narrower filters make several.
AUDIT_PACKAGE_MAX_DOSSIERS = 200


@require_safe
@_workspace_only
def audit_package(request):
    """The offline verification kit of the issued dossiers among the filtered assessments, as one ZIP file."""
    filters, queryset, status = _filtered(request)
    if status != 200:
        errors = "; ".join(f"{name}: {' '.join(messages)}" for name, messages in filters.form.errors.items())
        return HttpResponse(f"The filters are not valid: {errors}\n", status=400, content_type="text/plain")
    issued = queryset.filter(state__in=issued_states()).order_by("decided_at", "pk")
    issued = list(issued[: AUDIT_PACKAGE_MAX_DOSSIERS + 1])
    if len(issued) > AUDIT_PACKAGE_MAX_DOSSIERS:
        return HttpResponse(
            f"More than {AUDIT_PACKAGE_MAX_DOSSIERS} issued dossiers match these filters: narrow them (dates, team) "
            "and download several packages, or use manage.py export_dossiers.\n",
            status=400,
            content_type="text/plain",
        )
    selection = "; ".join(f"{k}={v}" for k, v in sorted(request.GET.items()) if k != "page") or "all"
    buffer = io.BytesIO()
    try:
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for entry in audit_package_files(assessments=issued, user=request.user, selection=selection):
                archive.writestr(f"audit-package/{entry.path}", entry.content)
    except PackageUnavailable as error:
        return problem(request, 503, "Audit package not available", error.message, back=reverse("reports_workspace"))
    response = HttpResponse(buffer.getvalue(), content_type="application/zip")
    response["Content-Disposition"] = 'attachment; filename="audit-package.zip"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@require_safe
@login_required
def bias_csv(request, pk):
    """An assessment's bias evidence as CSV, for whoever may see the assessment (404 otherwise)."""
    assessment = assessment_visible_to(request.user, int(pk))
    rows = assessment.bias_results.select_related("created_by", "evidence_batch").order_by(
        "created_at", "dimension", "metric", "group"
    )
    response = StreamingHttpResponse(
        bias_csv_lines(assessment, rows.iterator()), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="assessment-{assessment.pk}-bias.csv"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_safe
@_workspace_only
def assessment_record(request, pk):
    """One assessment for the auditor: its dossier, the dossier's download log, its whole audit trail."""
    assessment = selectors.dossier_assessment(request.user, int(pk))
    entries = AuditEntry.objects.filter(assessment_id=assessment.pk).select_related("assessment__feature")
    context = {
        "assessment": assessment,
        "dossier": Dossier.objects.issued().filter(assessment=assessment).first(),
        "issuable": is_issuable(assessment),
        "entries": list(entries.order_by("seq")),
        "downloads": list(assessment.dossier_downloads.select_related("user").order_by("-downloaded_at", "-pk")[:100]),
        "state_labels": dict(State.choices),
    }
    return render(request, "reports/assessment.html", context)


@require_safe
@_workspace_only
def downloads(request):
    """The log of every dossier download: who, when, which bytes."""
    rows = (
        DossierDownload.objects.filter(selectors.workspace_condition(request.user, through="assessment"))
        .select_related("assessment__feature", "dossier")
        .order_by("-downloaded_at", "-pk")
    )
    page = CappedPaginator(rows, 50).get_page(request.GET.get("page"))
    return render(request, "reports/downloads.html", {"page": page})


@require_safe
@login_required
def dossier_pdf(request, pk):
    """The dossier of an assessment the user may see: the issued file of an approved version, else a DRAFT."""
    assessment = selectors.dossier_assessment(request.user, int(pk))
    try:
        result = services.dossier_download(
            assessment=assessment, user=request.user, channel=DossierDownload.Channel.WEB
        )
    except services.DossierUnavailable as error:
        return problem(
            request, 503, "Dossier not available yet", error.message, back=reverse("assessment_detail", args=[pk])
        )
    except services.DraftThrottled as error:
        response = problem(
            request, 429, "Too many draft renders", error.message, back=reverse("assessment_detail", args=[pk])
        )
        response["Retry-After"] = "60"
        return response
    return pdf_response(result)


def pdf_response(result):
    response = HttpResponse(result.content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{result.filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["X-Dossier-SHA256"] = result.sha256
    response["Cache-Control"] = "private, no-store" if result.draft else "private, max-age=0"
    if not result.draft:
        response["ETag"] = f'"{result.sha256}"'
    return response


def too_large_message():
    return f"The file is too large: at most {settings.DOSSIER_VERIFY_MAX_BYTES:,} bytes are checked."


class VerifyForm(forms.Form):
    file = forms.FileField(
        label="Dossier (PDF)",
        help_text="The PDF file exactly as you received it.",
        error_messages={"required": "Choose the PDF file to check.", "empty": "The chosen file is empty."},
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.DOSSIER_VERIFY_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                f"The file is {upload.size:,} bytes; at most {limit:,} bytes are checked (dossiers are far smaller).",
                code="too_large",
            )
        content = upload.read()
        if not verification.looks_like_pdf(content):
            raise forms.ValidationError("This is not a PDF file: a dossier is a PDF.", code="not_pdf")
        self.cleaned_data["content"] = content
        return upload


def _refused_before_reading(request):
    """A check's body announced over what a dossier could be: refused before it is read (413)."""
    if request.method == "POST" and announces_more_than(request, settings.DOSSIER_VERIFY_MAX_BYTES):
        return render(
            request, "reports/verify.html", {"form": VerifyForm(), "refused": too_large_message()}, status=413
        )
    return None


@require_http_methods(["GET", "HEAD", "POST"])
@refused_before_the_body(_refused_before_reading)
def verify(request):
    """Whether an uploaded PDF is a dossier this system issued, unchanged: for anyone, logged in or not.

    At ``/verify/`` (and ``/reports/verify/``). Checks are limited per client address, shared with the API.
    """
    if request.method != "POST":
        return render(request, "reports/verify.html", {"form": VerifyForm()})
    throttle = verification.VerifyRateThrottle()
    if not throttle.allow_request(request, None):
        wait = throttle.wait()
        response = render(
            request,
            "reports/verify.html",
            {"form": VerifyForm(), "refused": "Too many checks from your address; try again in a minute."},
            status=429,
        )
        if wait is not None:
            response["Retry-After"] = str(max(1, int(wait)))
        return response
    form = VerifyForm(request.POST, request.FILES)
    if not form.is_valid():
        status = 413 if form.has_error("file", code="too_large") else 400
        return render(request, "reports/verify.html", {"form": form}, status=status)
    upload = form.cleaned_data["file"]
    result = verification.dossier_verify(content=form.cleaned_data["content"])
    return render(request, "reports/verify.html", {"form": VerifyForm(), "result": result, "name": upload.name})


def _analytics_only(view):
    def wrapped(request, *args, **kwargs):
        if not selectors.may_see_analytics(request.user):
            return problem(
                request,
                403,
                "For the committee",
                "Committee analytics are for the committee chair, the reviewers and auditors.",
                back=reverse("home"),
            )
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return login_required(wrapped)


@require_safe
@_analytics_only
def analytics(request):
    """Where review time goes: days per stage, what waits and is overdue now, decisions per month."""
    data = committee_analytics.committee_analytics(user=request.user)
    context = {
        "data": data,
        "window_days": committee_analytics.WINDOW_DAYS,
        "decisions": committee_analytics.DECISIONS,
        "charts": analytics_charts(data),
        "month_rows": [
            {"month": m, "counts": [m.counts[state] for state, _ in committee_analytics.DECISIONS]} for m in data.months
        ],
    }
    return render(request, "reports/analytics.html", context)


@require_safe
@_analytics_only
def analytics_csv(request):
    data = committee_analytics.committee_analytics(user=request.user)
    response = HttpResponse("".join(analytics_csv_lines(data)), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="committee-analytics.csv"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
