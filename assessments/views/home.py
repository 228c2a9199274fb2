"""The home page's parts the core owns: the team's work, the reviewer's queue, the auditor's latest entries.

The page itself (which parts a user sees, by role) is composed in ``committee.home``, beside the chair's pipeline.
"""

from django.conf import settings
from django.db.models import F, Prefetch
from django.utils import timezone

from accounts import roles

from .. import paging
from ..deadlines import StageClock
from ..manifestation import acting_until_text
from ..models import TERMINAL_STATES, AuditEntry, Condition, SignOff, State
from ..selectors import (
    assessments_visible_to,
    queue_domains,
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
        # A withdrawn, rejected, retired or superseded assessment's condition is moot, as its notices are.
        .exclude(assessment__state__in=TERMINAL_STATES)
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
        "conditions": [{"condition": c, "overdue": c.is_overdue(today)} for c in conditions],
        "current": [{"assessment": a, "clock": StageClock(a, now)} for a in current[:PAGE_SIZE]],
        "team_slugs": [t.slug for t in teams],
    }


def queue_labels(own, acting):
    """The queue's heading: the user's domains, then 'Legal (acting for Legal until ...)' for each delegated one."""
    return [roles.DOMAIN_LABELS[d] for d in own] + [
        f"{roles.DOMAIN_LABELS[d]} ({acting_until_text(delegation)})" for d, delegation in acting.items()
    ]


def queue_rows(assessments, acting, now):
    """A queue's rows: each assessment, its stage clock, and 'acting for Legal until ...' at a delegated stage."""
    return [
        {
            "assessment": a,
            "clock": StageClock(a, now),
            "acting_for": acting_until_text(acting[a.stage]) if a.stage in acting else "",
        }
        for a in assessments
    ]


def queue_home(user, now):
    """The first rows of the queue of a reviewer or a delegate, with its (capped) total; None when they have none."""
    own, acting = queue_domains(user, now)
    if not own and not acting:
        return None
    queue = for_listing(review_queue_for(user, now))
    rows = list(queue[:HOME_ROWS])
    return {
        "domains": queue_labels(own, acting),
        "rows": queue_rows(rows, acting, now),
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
