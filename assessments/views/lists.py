"""The lists: the assessments the user may see (filtered, paged) and the audit trail."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from accounts import roles

from .. import paging
from ..deadlines import StageClock
from ..filters import BrowserAssessmentFilter
from ..models import AuditEntry, QuestionComment, State
from ..selectors import (
    assessments_visible_to,
    visibility_condition,
    visible_count,
)
from .common import PAGE_SIZE, for_listing


@require_safe
@login_required
def assessment_list(request):
    user = request.user
    now = timezone.now()
    queryset = for_listing(assessments_visible_to(user)).order_by("-updated_at", "-pk")
    filters = BrowserAssessmentFilter(request.GET or None, queryset=queryset, request=request)
    status = 200
    if filters.is_bound and not filters.is_valid():
        queryset = queryset.none()
        status = 400
    else:
        queryset = filters.qs
    filtered = bool(filters.active_filters())
    # Unfiltered, the list is everything the user may see: counted from the grants alone.
    counter = None if filtered or status != 200 else (lambda cap: visible_count(user, cap))
    page = paging.CappedPaginator(queryset, PAGE_SIZE, counter=counter).get_page(request.GET.get("page"))
    rows = [{"assessment": a, "clock": StageClock(a, now)} for a in page.object_list]
    context = {"form": filters.form, "page": page, "rows": rows, "filtered": filtered}
    return render(request, "assessments/list.html", context, status=status)


@require_safe
@login_required
def audit_trail(request):
    """The audit log of every assessment the user may see, newest first."""
    user = request.user
    entries = (
        AuditEntry.objects.filter(visibility_condition(user, through="assessment"))
        .select_related("assessment__feature__team")  # the team: whose reviewer comments are withheld
        .order_by("-seq")
    )
    action = request.GET.get("action", "")
    status = 200
    error = ""
    if action:
        if action in AuditEntry.Action.values:
            entries = entries.filter(action=action)
        else:
            entries = entries.none()
            status = 400
            error = "Choose one of the listed kinds of entry."
    page = paging.CappedPaginator(entries, 50).get_page(request.GET.get("page"))
    _withhold_pending_comments(user, page.object_list)
    context = {
        "page": page,
        "actions": AuditEntry.Action.choices,
        "action": action,
        "error": error,
        "state_labels": dict(State.choices),
    }
    return render(request, "assessments/audit_trail.html", context, status=status)


def _withhold_pending_comments(user, entries):
    """Mark the rows of reviewers' comments not yet sent to the team, on the user's own teams' assessments."""
    entries = list(entries)
    team_groups = set(roles.group_ids(user))
    candidates = [
        e
        for e in entries
        if e.action == AuditEntry.Action.QUESTION_COMMENT
        and (e.details or {}).get("role") == "reviewer"
        and e.assessment.feature.team.group_id in team_groups
    ]
    pending = set()
    if candidates:
        ids = [e.details.get("comment_id") for e in candidates]
        pending = set(
            QuestionComment.objects.filter(
                pk__in=[i for i in ids if isinstance(i, int)], shared_at__isnull=True
            ).values_list("pk", flat=True)
        )
    withheld = {e.seq for e in candidates if e.details.get("comment_id") in pending}
    for entry in entries:
        entry.withheld = entry.seq in withheld
