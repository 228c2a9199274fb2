"""Small template helpers for the assessment pages."""

from django import template
from django.utils.html import format_html

from accounts import roles

from .. import transitions
from ..manifestation import manifestation as manifestation_of
from ..manifestation import recorded_acting_for_text
from ..models import REVIEW_STATES, State, Team
from ..presenters.answers import RISK_NAMES

register = template.Library()

STATE_TONE = {
    State.DRAFT: "neutral",
    State.CHANGES_REQUESTED: "warn",
    State.APPROVED: "good",
    State.LAUNCHED: "good",
    State.REJECTED: "bad",
    State.WITHDRAWN: "muted",
    State.RETIRED: "muted",
    State.SUPERSEDED: "muted",
    State.REASSESSMENT_DUE: "warn",
}


@register.simple_tag
def navigation(user):
    """What the header shows this user: their roles (one query at most; the inbox badge is ``committee_tags``)."""
    if not user.is_authenticated:
        return {}
    domains = roles.user_domains(user)
    labels = [f"{roles.DOMAIN_LABELS[d]} reviewer" for d in domains]
    if roles.user_has_role(user, roles.CHAIR):
        labels.append("Committee chair")
    if roles.user_has_role(user, roles.AUDITOR):
        labels.append("Auditor")
    teams = getattr(user, "_nav_team_names", None)
    if teams is None:
        teams = list(Team.objects.of(user).values_list("name", flat=True))
        user._nav_team_names = teams
    if teams:
        labels.insert(0, ", ".join(teams))
    if user.is_superuser:
        labels.append("Administrator")
    return {
        "is_reviewer": bool(domains),
        "is_team_member": bool(teams),
        "is_auditor": roles.user_has_role(user, roles.AUDITOR),
        "is_chair": roles.user_has_role(user, roles.CHAIR),
        "role_labels": labels,
    }


@register.filter
def risk_name(level):
    return RISK_NAMES.get(level, "Not scored")


@register.filter
def state_tone(state):
    if state in REVIEW_STATES:
        return "info"
    return STATE_TONE.get(state, "neutral")


@register.filter
def state_label(state):
    try:
        return State(state).label
    except ValueError:
        return state


@register.filter
def plural(count, suffix="s"):
    return "" if count == 1 else suffix


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter
def transition_label(name):
    spec = transitions.get(name)
    return spec.label if spec else name.replace("_", " ").capitalize()


# -- badges and clocks: tags, not includes, as a list renders them in every row -------------------------------


def _days(count):
    return "day" if count == 1 else "days"


@register.simple_tag
def state_badge(state):
    """A state (or a sign-off's decision) as a badge of its tone."""
    return format_html('<span class="badge tone-{}">{}</span>', state_tone(state), state_label(state))


@register.simple_tag
def risk_badge(level):
    """The risk level, its number and name; "Not scored" before there is one."""
    if not level:
        return format_html('<span class="muted">Not scored</span>')
    name = risk_name(level)
    return format_html(
        '<span class="risk risk-{}" title="Risk level {} of 4: {}"><span class="risk-n">{}</span> {}</span>',
        level,
        level,
        name,
        level,
        name,
    )


@register.simple_tag
def waiting(days):
    """How long it has waited at its stage, in whole days."""
    return format_html("{} {}", days, _days(days)) if days else "Under a day"


@register.simple_tag
def stage_clock(clock):
    """The stage's deadline as it stands: overdue, due today, or days left; a dash outside review."""
    if not clock.due_at:
        return format_html('<span class="muted">—</span>')
    if clock.overdue and not clock.days_overdue:
        return format_html(
            '<span class="overdue"><span aria-hidden="true">{}</span> Overdue by under a day</span>', "●"
        )
    if clock.overdue:
        return format_html(
            '<span class="overdue"><span aria-hidden="true">●</span> Overdue by {} {}</span>',
            clock.days_overdue,
            _days(clock.days_overdue),
        )
    if clock.days_left == 0:
        return format_html('<span class="due-soon">Due today</span>')
    return format_html('<span class="due">Due in {} {}</span>', clock.days_left, _days(clock.days_left))


@register.filter
def manifestation(sign_off):
    """The sentences of a sign-off's manifestation (assessments.manifestation), for templates."""
    return manifestation_of(sign_off)


@register.filter
def acting_for(entry):
    """'acting for Legal, delegated by chair until ...' for an audit entry a delegate made, else ''."""
    return recorded_acting_for_text(getattr(entry, "details", None))
