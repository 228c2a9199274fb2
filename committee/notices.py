"""Notices: what the system tells whom, and how a notice reads.

``notify(notices)`` is the one way in, for any app: each ``Notice`` is structured (a kind,
a recipient, a key naming the event, an assessment, a context of plain JSON values). It
writes, in the caller's transaction, each recipient's inbox entry and, unless they prefer
the daily digest, an outbox email that a Celery task sends after commit. A notice whose
(recipient, key) exists already is skipped, so repeating a sweep sends nothing new.

Text exists only here, at the edge: ``subject_of`` and ``body_of`` render a notification
from its kind's subject line and template (``templates/committee/notices/<template>.txt``);
``email_message`` renders an outbox email in plain text and HTML with a link to the
assessment. Another app adds its kinds with ``register``.
"""

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import partial

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from accounts import roles

from .lifecycle import category_of
from .models import NoticePreference, Notification, OutboxEmail


@dataclass(frozen=True)
class Kind:
    name: str
    label: str  # what this kind of notice is, for people (admin, preferences)
    subject: str  # str.format over the display context
    template: str  # templates/committee/notices/<template>.txt
    always_immediate: bool = False  # emailed at once even to those who prefer the daily digest


@dataclass(frozen=True)
class Notice:
    """One thing to tell one person. ``key`` names the event; with the recipient it is unique."""

    kind: str
    recipient_id: int
    key: str
    assessment_id: int | None = None
    context: dict = field(default_factory=dict)


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
        "Escalation: {stage_label} review of {feature} v{version} is {days_overdue} days overdue",
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


# -- writing notices --------------------------------------------------------------------------------


def event_key(kind, *, assessment_id=None, part="", review_round=None, day=None, seq=None):
    """The key naming an event: (kind, assessment, stage or condition, round, day), or an audit row."""
    pieces = [kind]
    if assessment_id is not None:
        pieces.append(f"a{assessment_id}")
    if part:
        pieces.append(str(part))
    if review_round is not None:
        pieces.append(f"r{review_round}")
    if day is not None:
        pieces.append(day.isoformat())
    if seq is not None:
        pieces.append(f"e{seq}")
    return ":".join(pieces)


def assessment_facts(assessment):
    """The plain values every notice about an assessment shows (as they are when it is written)."""
    return {"feature": assessment.feature.name, "version": assessment.version, "team": assessment.feature.team.name}


def person_name(user):
    if user is None or not getattr(user, "is_authenticated", False):
        return "the system"
    return user.get_full_name() or user.get_username()


def notify(notices, *, now=None):
    """Write these notices in the caller's transaction; return the Notifications created.

    Guarantees: a notice whose (recipient, key) exists is skipped (also within ``notices``);
    inactive recipients get nothing; each recipient with an email address gets an outbox
    email now, or their notices wait for the daily digest if they prefer it (unless the kind
    is always immediate); the emails are handed to a worker only after commit. Five queries,
    however many notices.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("notify() must run inside the transaction of the change it reports")
    now = now or timezone.now()
    unique = {}
    for notice in notices:
        if notice.kind not in KINDS:
            raise ValueError(f"Unknown kind of notice: {notice.kind!r}")
        unique.setdefault((notice.recipient_id, notice.key), notice)
    if not unique:
        return []
    existing = set(Notification.objects.filter(key__in={key for _, key in unique}).values_list("recipient_id", "key"))
    fresh = [notice for pair, notice in unique.items() if pair not in existing]
    if not fresh:
        return []
    people = {
        pk: (address, preference or NoticePreference.Email.IMMEDIATE)
        for pk, address, preference in get_user_model()
        .objects.filter(pk__in={n.recipient_id for n in fresh}, is_active=True)
        .values_list("pk", "email", "notice_preference__email")
    }
    fresh = [notice for notice in fresh if notice.recipient_id in people]
    emails = {}
    waiting = set()
    for notice in fresh:
        address, preference = people[notice.recipient_id]
        if not address:
            continue
        pair = (notice.recipient_id, notice.key)
        if preference == NoticePreference.Email.DAILY_DIGEST and not KINDS[notice.kind].always_immediate:
            waiting.add(pair)
            continue
        emails[pair] = OutboxEmail(
            recipient_id=notice.recipient_id,
            kind=OutboxEmail.Kind.NOTICE,
            key=f"{notice.key}>{notice.recipient_id}",
            created_at=now,
            next_attempt_at=now,
        )
    OutboxEmail.objects.bulk_create(emails.values())
    rows = Notification.objects.bulk_create(
        Notification(
            recipient_id=notice.recipient_id,
            assessment_id=notice.assessment_id,
            kind=notice.kind,
            key=notice.key,
            context=notice.context,
            created_at=now,
            email=emails.get((notice.recipient_id, notice.key)),
            awaits_digest=(notice.recipient_id, notice.key) in waiting,
            **action_fields(notice),
        )
        for notice in fresh
    )
    if emails:
        from .outbox import enqueue

        transaction.on_commit(partial(enqueue, [email.pk for email in emails.values()]))
    return rows


def action_fields(notice):
    """The category and what the action is about (stage, round, condition), from the notice's structured context."""
    context = notice.context
    review_round = context.get("round")
    condition_id = context.get("condition_id")
    return {
        "category": category_of(notice.kind, context),
        "stage": context.get("stage") or "",
        "review_round": review_round if isinstance(review_round, int) else None,
        "condition_id": condition_id if isinstance(condition_id, int) else None,
    }


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
    if "decision" in values:
        values["decision_label"] = DECISION_LABELS.get(values["decision"], values["decision"])
    for key, value in values.items():
        if isinstance(value, list):
            values[key] = [_readable(item) if isinstance(item, dict) else item for item in value]
    return values


def _kind(name):
    return KINDS.get(name) or KINDS["message"]


def subject_of(notification):
    values = display_context(notification.kind, notification.context)
    try:
        subject = _kind(notification.kind).subject.format_map(values)
    except (ValueError, TypeError, AttributeError):  # a date that did not parse: say what we can
        subject = _kind(notification.kind).label
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


def absolute(path):
    return f"{settings.SITE_URL}{path}"


def link_of(notification):
    if notification.assessment_id:
        return absolute(reverse("assessment_detail", args=[notification.assessment_id]))
    return absolute(reverse("inbox"))


def email_message(email):
    """The email to send for an outbox row: plain text and HTML, with a link to each assessment."""
    recipient = email.recipient
    items = [
        {"subject": n.subject, "body": n.body, "link": link_of(n), "created_at": n.created_at}
        for n in email.notifications.order_by("created_at", "pk")
    ]
    context = {
        "recipient": recipient,
        "items": items,
        "digest_of": email.digest_of,
        "inbox_url": absolute(reverse("inbox")),
        "preferences_url": absolute(reverse("notice_preferences")),
    }
    if email.kind == OutboxEmail.Kind.DIGEST:
        subject = f"Your Responsible AI notices: {len(items)} since the last digest"
        template = "committee/email/digest"
    else:
        if not items:
            raise ValueError("This outbox email has no notice to send.")
        subject = items[0]["subject"]
        template = "committee/email/notice"
    message = EmailMultiAlternatives(
        subject=subject,
        body=tidy(render_to_string(f"{template}.txt", context)),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient.email],
        # Names the outbox row, so a receiving system (or a test) can tell each email apart.
        headers={"X-Outbox-Key": email.key},
    )
    message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    return message


def iso(value):
    """A date or datetime as the ISO text a context stores."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value
