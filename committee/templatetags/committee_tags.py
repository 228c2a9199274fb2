"""Template tags for the committee's parts of other pages."""

from django import template

from accounts import roles

from ..models import Notification
from ..services import stage_nudged_at

register = template.Library()


@register.simple_tag
def needs_you(user):
    """The inbox badge: the person's action notices still open, the "needs you" of the inbox (one query)."""
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(recipient=user).needing_action().count()


@register.inclusion_tag("committee/stage_nudge.html", takes_context=True)
def stage_nudge(context, assessment, clock):
    """The chair's "Send a reminder now", shown on an overdue review stage."""
    user = context["user"]
    show = bool(clock and clock.overdue and assessment.stage and roles.user_has_role(user, roles.CHAIR))
    return {
        "show": show,
        "reminded_at": stage_nudged_at(assessment) if show else None,
        "assessment": assessment,
        "clock": clock,
        "stage_label": roles.DOMAIN_LABELS.get(assessment.stage, ""),
        "csrf_token": context.get("csrf_token"),
    }
