"""The kinds of notice and how a notice reads: text exists only here and in ``committee.mail``, at the edge.

``subject_of`` and ``body_of`` render a notification from its kind's subject line and template
(``templates/committee/notices/<template>.txt``). Another app adds its kinds with ``register``.
This module imports no model, so the models can render their own notices without a cycle.
"""

import re
from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from accounts import roles


@dataclass(frozen=True)
class Kind:
    name: str
    label: str  # what this kind of notice is, for people (admin, preferences)
    subject: str  # str.format over the display context
    template: str  # templates/committee/notices/<template>.txt
    always_immediate: bool = False  # emailed at once even to those who prefer the daily digest


KINDS = {}


def register(*kinds):
    for kind in kinds:
        KINDS[kind.name] = kind


register(
    Kind(
        "review_requested",
        "Review requested",
        "Review requested: {feature} v{version} is at {stage_label} review",
        "review_requested",
    ),
    Kind("decision", "Decision on your assessment", "{decision_label}: {feature} v{version}", "decision"),
    Kind(
        "stage_overdue",
        "Overdue review reminder",
        "Overdue: {stage_label} review of {feature} v{version} was due {due_at:%d %b %Y}",
        "stage_overdue",
    ),
    Kind(
        "stage_escalated",
        "Escalation of an overdue review",
        "Escalation: {stage_label} review of {feature} v{version} is {days_overdue_text} overdue",
        "stage_escalated",
    ),
    Kind(
        "stage_nudged",
        "Reminder from the committee chair",
        "Reminder from the committee chair: {feature} v{version} awaits your {stage_label} review",
        "stage_nudged",
    ),
    Kind(
        "condition_due_soon",
        "Condition due soon",
        "Condition due on {due_date:%d %b %Y}: {feature} v{version}",
        "condition",
    ),
    Kind("condition_due", "Condition due", "Condition due today: {feature} v{version}", "condition"),
    Kind(
        "condition_overdue",
        "Condition overdue",
        "Condition overdue since {due_date:%d %b %Y}: {feature} v{version}",
        "condition",
    ),
    Kind(
        "condition_before_launch",
        "Condition to meet before launch",
        "Before launch: a condition on {feature} v{version}",
        "condition",
    ),
    Kind(
        "condition_awaiting_confirmation",
        "Condition to confirm",
        "Confirm a condition: {feature} v{version}",
        "condition_awaiting_confirmation",
    ),
    Kind("condition_reopened", "Condition reopened", "Condition reopened: {feature} v{version}", "condition_reopened"),
    Kind(
        "rereview_upcoming",
        "Re-review coming up",
        "Re-review due on {next_review_due:%d %b %Y}: {feature}",
        "rereview_upcoming",
    ),
    Kind(
        "rereview_started",
        "Re-review started",
        "Re-review due now: {feature} v{new_version} is open",
        "rereview_started",
    ),
    Kind(
        "chair_digest",
        "The chair's weekly digest",
        "Committee digest for the week to {period_end:%d %b %Y}",
        "chair_digest",
        always_immediate=True,
    ),
    Kind(
        "bias_flag_raised",
        "Bias flag from monitoring",
        "Bias flag after launch: {feature} v{version} needs a Data/AI mitigation by {due_at:%d %b %Y}",
        "bias_flag_raised",
    ),
    Kind(
        "bias_reassessment_started",
        "Re-assessment for an unmitigated bias flag",
        "Re-assessment opened: a bias flag on {feature} v{version} went unmitigated",
        "bias_reassessment_started",
    ),
    # Rows written before notices were structured (migration 0003) keep their text.
    Kind("message", "Message", "{subject}", "message"),
)

DECISION_LABELS = {"changes_requested": "Changes requested", "rejected": "Rejected", "approved": "Approved"}
DATE_KEYS = ("due_date", "next_review_due", "period_start", "period_end", "day")
DATETIME_KEYS = ("due_at", "entered_at")


# -- reading notices --------------------------------------------------------------------------------


class _Values(dict):
    def __missing__(self, key):
        return ""


def display_context(kind_name, context):
    """The stored context with labels and real dates added, for the subject and the templates."""
    values = _Values(_readable(context))
    values["kind"] = kind_name
    values["site_url"] = settings.SITE_URL
    values["rereview_days"] = settings.REREVIEW_NOTICE_DAYS_BEFORE
    return values


def _readable(values):
    values = dict(values)
    for key in DATE_KEYS:
        if isinstance(values.get(key), str):
            values[key] = parse_date(values[key]) or values[key]
    for key in DATETIME_KEYS:
        if isinstance(values.get(key), str):
            parsed = parse_datetime(values[key])
            values[key] = timezone.localtime(parsed) if parsed else values[key]
    if "stage" in values:
        values["stage_label"] = roles.DOMAIN_LABELS.get(values["stage"], values["stage"])
    if isinstance(values.get("days_overdue"), int):
        days = values["days_overdue"]
        values["days_overdue_text"] = f"{days} day{'' if days == 1 else 's'}"
    if values.get("acting_for"):
        values["acting_for_label"] = roles.DOMAIN_LABELS.get(values["acting_for"], values["acting_for"])
    if "decision" in values:
        values["decision_label"] = DECISION_LABELS.get(values["decision"], values["decision"])
    for key, value in values.items():
        if isinstance(value, list):
            values[key] = [_readable(item) if isinstance(item, dict) else item for item in value]
    return values


def _kind(name):
    return KINDS.get(name) or KINDS["message"]


def subject_of(notification):
    """The notice in a line; one that reaches a delegate says for whom they act."""
    values = display_context(notification.kind, notification.context)
    try:
        subject = _kind(notification.kind).subject.format_map(values)
    except (ValueError, TypeError, AttributeError):  # a date that did not parse: say what we can
        subject = _kind(notification.kind).label
    if values["acting_for_label"]:
        subject = f"{subject} (acting for {values['acting_for_label']})"
    return " ".join(subject.split())[:200]


def body_of(notification):
    """The notice's text, plain (the inbox shows it escaped, with line breaks)."""
    values = display_context(notification.kind, notification.context)
    text = render_to_string(
        "committee/notices/body.txt",
        {"template": f"committee/notices/{_kind(notification.kind).template}.txt", **values},
    )
    return tidy(text)


def tidy(text):
    """Templates leave blank lines where tags were: keep at most one blank line between paragraphs."""
    lines = [line.rstrip() for line in text.strip().splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines))
