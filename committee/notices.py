"""Notices: what the system tells whom.

``notify(notices)`` is the one way in, for any app: each ``Notice`` is structured (a kind,
a recipient, a key naming the event, an assessment, a context of plain JSON values). It
writes, in the caller's transaction, each recipient's inbox entry and, unless they prefer
the daily digest, an outbox email that a Celery task sends after commit. A notice whose
(recipient, key) exists already is skipped, so repeating a sweep sends nothing new.

How a notice reads is ``committee.kinds`` (its kinds, subject lines and bodies) and
``committee.mail`` (an outbox email in plain text and HTML). Another app adds its kinds with
``kinds.register``.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from functools import partial

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from . import outbox
from .kinds import KINDS
from .lifecycle import ACTION, INFO, action_of, category_of
from .models import NoticePreference, Notification, OutboxEmail


@dataclass(frozen=True)
class Notice:
    """One thing to tell one person. ``key`` names the event; with the recipient it is unique."""

    kind: str
    recipient_id: int
    key: str
    assessment_id: int | None = None
    context: dict = field(default_factory=dict)


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
    is always immediate); an action notice whose reader has an open one asking the same
    (``lifecycle.action_of``) is written as information, so each thing to do counts once; the emails
    are handed to a worker only after commit. Six queries, however many notices.
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
    fields = one_open_action_each(fresh)
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
            **fields[(notice.recipient_id, notice.key)],
        )
        for notice in fresh
    )
    if emails:
        transaction.on_commit(partial(outbox.enqueue, [email.pk for email in emails.values()]))
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


def _asks(recipient_id, kind, assessment_id, stage, review_round, condition_id):
    action = action_of(
        kind, assessment_id=assessment_id, stage=stage, review_round=review_round, condition_id=condition_id
    )
    return recipient_id, action


def one_open_action_each(notices):
    """``{(recipient id, key): fields}`` for these notices, an action notice being information when its reader
    already has an open notice asking the same (or gets one earlier in ``notices``). One query."""
    fields = {(n.recipient_id, n.key): action_fields(n) for n in notices}
    asking = [n for n in notices if fields[(n.recipient_id, n.key)]["category"] == ACTION]
    if not asking:
        return fields
    asked = {
        _asks(*row)
        for row in Notification.objects.needing_action()
        .filter(recipient_id__in={n.recipient_id for n in asking}, assessment_id__in={n.assessment_id for n in asking})
        .values_list("recipient_id", "kind", "assessment_id", "stage", "review_round", "condition_id")
    }
    for notice in asking:
        values = fields[(notice.recipient_id, notice.key)]
        asks = _asks(
            notice.recipient_id,
            notice.kind,
            notice.assessment_id,
            values["stage"],
            values["review_round"],
            values["condition_id"],
        )
        if asks in asked:
            values["category"] = INFO
        asked.add(asks)
    return fields


def notices_to(kind, recipient_ids, key, assessment_id, context, *, acting=(), domain=""):
    """One notice of ``kind`` to each recipient; those in ``acting`` act for ``domain`` by delegation, and theirs
    says so (``acting_for``)."""
    return [
        Notice(kind, uid, key, assessment_id, {**context, "acting_for": domain} if uid in acting else context)
        for uid in recipient_ids
    ]


def iso(value):
    """A date or datetime as the ISO text a context stores."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value
