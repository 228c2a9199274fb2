"""The chair's pipeline on the home page: counts per state, overdue counts per review stage, the longest waiting."""

from accounts import roles
from assessments import paging
from assessments.deadlines import StageClock, overdue_q
from assessments.models import STAGE_STATE, State
from assessments.selectors import assessments_visible_to
from assessments.states import OPEN_OUTSIDE_REVIEW_STATES, TERMINAL_STATES
from assessments.views.common import for_listing
from assessments.views.home import HOME_ROWS


def pipeline(user, now, *, sees_drafts):
    """Counts per state, overdue counts per review stage, and the longest-waiting overdue items.

    Every count is capped (``paging``), all of them in one query, so the pipeline costs the same however large
    the archive grows; a capped count reads "1,000+".
    """
    visible = assessments_visible_to(user)
    late_q = overdue_q(now)
    counted = {("all", s.value): visible.filter(state=s.value) for s in State}
    counted.update({("late", state): visible.filter(late_q, state=state) for state in STAGE_STATE.values()})
    counts = paging.capped_counts(counted)

    def shown(kind, state):
        return paging.count_label(counts[(kind, state)])

    stages = [
        {
            "domain": domain,
            "label": roles.DOMAIN_LABELS[domain],
            "count": counts[("all", state)],
            "count_label": shown("all", state),
            "overdue": counts[("late", state)],
            "overdue_label": shown("late", state),
        }
        for domain, state in STAGE_STATE.items()
    ]
    # Drafts are visible only to their teams: a chair outside every team would always read "Draft 0".
    open_states = OPEN_OUTSIDE_REVIEW_STATES
    others = [
        {
            "state": s.value,
            "label": "Drafts of your teams" if s == State.DRAFT else s.label,
            "count": counts[("all", s.value)],
            "count_label": shown("all", s.value),
        }
        for s in ((State.DRAFT, *open_states) if sees_drafts else open_states)
    ]
    closed = [
        {"state": s.value, "label": s.label, "count": counts[("all", s.value)], "count_label": shown("all", s.value)}
        for s in TERMINAL_STATES
    ]
    late = list(
        for_listing(assessments_visible_to(user)).filter(overdue_q(now)).order_by("stage_entered_at", "pk")[:HOME_ROWS]
    )
    return {
        "stages": stages,
        "others": others,
        "closed": closed,
        "sees_drafts": sees_drafts,
        "in_review_label": _sum_label([s["count"] for s in stages]),
        "overdue_total": sum(s["overdue"] for s in stages),
        "overdue_label": _sum_label([s["overdue"] for s in stages]),
        "late": [{"assessment": a, "clock": StageClock(a, now)} for a in late],
    }


def _sum_label(counts):
    """The total of capped counts as shown: "2,000+" when any of them was capped."""
    cap = paging.count_cap()
    total = sum(min(n, cap) for n in counts)
    return f"{total:,}+" if any(n > cap for n in counts) else f"{total:,}"
