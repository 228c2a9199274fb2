"""The home page's parts the core owns: the team's work, the reviewer's queue, the auditor's latest entries.

The page itself (which parts a user sees, by role) is composed in ``committee.home``, beside the chair's pipeline.
"""

from django.conf import settings
from django.db.models import F, Prefetch
from django.utils import timezone

from accounts import roles

from .. import paging
from ..deadlines import StageClock
from ..models import AuditEntry, Condition, SignOff, State
from ..selectors import (
    assessments_visible_to,
    review_queue_for,
    visibility_condition,
)
from .common import PAGE_SIZE, for_listing

HOME_ROWS = 10
NEEDS_TEAM_ACTION = {
    State.DRAFT: "Finish the answers and submit it for review.",
    State.CHANGES_REQUESTED: "Answer the change request and resubmit.",
    State.APPROVED: "Approved: mark it launched when it goes live.",
    State.REASSESSMENT_DUE: "Re-review due: complete the new version's answers.",
}


def team_home(user, teams, now):
    visible = for_listing(assessments_visible_to(user).filter(feature__team__in=teams))
    change_requests = Prefetch(
        "sign_offs",
        queryset=SignOff.objects.filter(decision=SignOff.Decision.CHANGES_REQUESTED)
        .select_related("reviewer")
        .order_by("-created_at", "-pk"),
        to_attr="change_requests",
    )
    waiting = list(
        visible.filter(state__in=list(NEEDS_TEAM_ACTION))
        .order_by("updated_at", "pk")
        .prefetch_related(change_requests)[:25]
    )
    conditions = list(
        Condition.objects.filter(
            visibility_condition(user, through="assessment"), owner=user, status=Condition.Status.OPEN
        )
        .select_related("assessment__feature")
        .order_by(F("due_date").asc(nulls_first=True), "pk")[:25]
    )
    today = timezone.localdate()
    current = visible.exclude(state=State.SUPERSEDED).order_by("-updated_at", "-pk")
    return {
        "waiting": [
            {
                "assessment": a,
                "todo": NEEDS_TEAM_ACTION[a.state],
                "request": a.change_requests[0] if a.state == State.CHANGES_REQUESTED and a.change_requests else None,
            }
            for a in waiting
        ],
        "conditions": [{"condition": c, "overdue": c.due_date is not None and c.due_date < today} for c in conditions],
        "current": [{"assessment": a, "clock": StageClock(a, now)} for a in current[:PAGE_SIZE]],
        "team_slugs": [t.slug for t in teams],
    }


def queue_home(user, domains, now):
    """The first rows of the reviewer's queue, with its (capped) total."""
    queue = for_listing(review_queue_for(user))
    rows = list(queue[:HOME_ROWS])
    return {
        "domains": [roles.DOMAIN_LABELS[d] for d in domains],
        "rows": [{"assessment": a, "clock": StageClock(a, now)} for a in rows],
        "total": (total := paging.capped_count(queue, settings.QUEUE_COUNT_CAP, ordered=True)),
        "total_label": paging.count_label(total, settings.QUEUE_COUNT_CAP),
    }


def audit_home(user):
    visible = for_listing(assessments_visible_to(user))
    decided = list(visible.filter(decided_at__isnull=False).order_by("-decided_at", "-pk")[:HOME_ROWS])
    entries = list(
        AuditEntry.objects.filter(visibility_condition(user, through="assessment"))
        .select_related("assessment__feature__team")  # the team: whose reviewer comments are withheld
        .order_by("-seq")[:HOME_ROWS]
    )
    return {"decided": decided, "entries": entries}
