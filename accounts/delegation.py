"""Delegation of a review domain's sign-off: granting, changing, ending, and who acts for which domain now.

Only the chair delegates. The delegate must be a committee member (they see what the committee sees) and acts
with the domain's rights from the start until the end date, or until the chair ends the delegation early;
separation of duties still applies to them (assessments.permissions reads ``acting_domains``). Every grant,
change and end, and every expiry noticed by ``delegations_expire``, is a security event, the log auditors read.
"""

from datetime import UTC

from django.db import transaction
from django.utils import timezone

from . import roles, security_events
from .models import Delegation
from .signals import delegation_changed

MAX_REASON = 2000


class DelegationRefused(Exception):
    """A delegation the caller may not make (``status`` 403) or that is malformed (400); ``message`` says why."""

    def __init__(self, message, *, status=400, field=None):
        super().__init__(message)
        self.message, self.status, self.field = message, status, field


def may_delegate(user):
    return bool(getattr(user, "is_active", False)) and roles.user_has_role(user, roles.CHAIR)


def _refuse_unless_chair(user):
    if not may_delegate(user):
        raise DelegationRefused("Only the committee chair delegates a domain's sign-off.", status=403)


def acting_domains(user, now=None):
    """``{domain: Delegation}`` for the delegations ``user`` holds at ``now``.

    The user's delegations are read once per user object (``roles.forget`` drops them with the groups).
    """
    if not getattr(user, "is_authenticated", False) or not getattr(user, "pk", None):
        return {}
    now = now or timezone.now()
    held = user.__dict__.get(roles.DELEGATIONS_CACHE)
    if held is None:
        held = user.__dict__[roles.DELEGATIONS_CACHE] = list(
            Delegation.objects.select_related("delegated_by").filter(delegate=user).order_by("starts_at", "pk")
        )
    return {d.domain: d for d in held if d.is_active_at(now)}


def delegation_for(user, domain, now=None):
    """The delegation by which ``user`` acts for ``domain`` at ``now``, or None."""
    return acting_domains(user, now).get(domain)


def acting_by(user, domain, now=None):
    """The delegation by which ``user`` acts for ``domain`` at ``now`` when they are not its reviewer, or None.

    What an action records of the delegation it was taken by (``delegation_record``), wherever a delegate acts.
    """
    if not domain or domain in roles.user_domains(user):
        return None
    return delegation_for(user, domain, now)


def delegation_record(delegation):
    """A delegation as an audit entry records it (data, rendered at the edges): id, domain, chair, end; or None."""
    if delegation is None:
        return None
    return {
        "id": delegation.pk,
        "domain": delegation.domain,
        "delegated_by": delegation.delegated_by.get_username(),
        "until": delegation.until.astimezone(UTC).isoformat(),
    }


def current_delegations(now=None):
    """Delegations in force now or starting later, soonest ending first (the chair's page)."""
    now = now or timezone.now()
    return (
        Delegation.objects.select_related("delegate", "delegated_by")
        .filter(ends_at__gt=now)
        .exclude(ended_at__lte=now)
        .order_by("ends_at", "pk")
    )


def _clean(*, delegate, domain, reason, starts_at, ends_at, now):
    if domain not in roles.DOMAINS:
        raise DelegationRefused("Choose one of the review domains.", field="domain")
    if delegate is None or not delegate.is_active:
        raise DelegationRefused("Choose an active person to delegate to.", field="delegate")
    if not roles.group_names(delegate) & set(roles.COMMITTEE_GROUPS):
        raise DelegationRefused("Delegate to a member of the committee.", field="delegate")
    if domain in roles.user_domains(delegate):
        raise DelegationRefused(f"{delegate.get_username()} is a {roles.DOMAIN_LABELS[domain]} reviewer already.")
    reason = (reason or "").strip()
    if not reason:
        raise DelegationRefused("Say why the sign-off is delegated.", field="reason")
    if len(reason) > MAX_REASON:
        raise DelegationRefused(f"The reason is {len(reason)} characters long; the limit is {MAX_REASON}.")
    if ends_at <= max(starts_at, now):
        raise DelegationRefused("The end must be after the start and in the future.", field="ends_at")
    return reason


def _details(delegation):
    return {
        "delegation": delegation.pk,
        "domain": delegation.domain,
        "delegate": delegation.delegate.get_username(),
        "delegated_by": delegation.delegated_by.get_username(),
        "starts_at": delegation.starts_at.astimezone(UTC).isoformat(),
        "ends_at": delegation.ends_at.astimezone(UTC).isoformat(),
    }


def delegation_create(*, by, delegate, domain, reason, ends_at, starts_at=None, request=None):
    """The chair delegates ``domain``'s sign-off to ``delegate`` until ``ends_at``; recorded as a security event."""
    _refuse_unless_chair(by)
    now = timezone.now()
    starts_at = starts_at or now
    reason = _clean(delegate=delegate, domain=domain, reason=reason, starts_at=starts_at, ends_at=ends_at, now=now)
    with transaction.atomic():
        delegation = Delegation.objects.create(
            domain=domain,
            delegate=delegate,
            delegated_by=by,
            reason=reason,
            starts_at=starts_at,
            ends_at=ends_at,
            created_at=now,
        )
        security_events.record(
            security_events.Kind.DELEGATION_CREATED, user=by, request=request, reason=reason, **_details(delegation)
        )
        delegation_changed.send(sender=Delegation, delegation=delegation)
    return delegation


def delegation_change_end(*, by, delegation, ends_at, request=None):
    """The chair moves a delegation's end date (later or sooner, still in the future)."""
    _refuse_unless_chair(by)
    now = timezone.now()
    if delegation.ended_at is not None and delegation.ended_at <= now:
        raise DelegationRefused("This delegation has ended; grant a new one.", status=409)
    if ends_at <= max(delegation.starts_at, now):
        raise DelegationRefused("The end must be after the start and in the future.", field="ends_at")
    previous = delegation.ends_at.astimezone(UTC).isoformat()
    with transaction.atomic():
        delegation.ends_at = ends_at
        delegation.save(update_fields=["ends_at"])
        security_events.record(
            security_events.Kind.DELEGATION_CHANGED,
            user=by,
            request=request,
            previous_ends_at=previous,
            **_details(delegation),
        )
        delegation_changed.send(sender=Delegation, delegation=delegation)
    return delegation


def delegation_end(*, by, delegation, request=None):
    """The chair ends a delegation now; the delegate's rights stop at once."""
    _refuse_unless_chair(by)
    now = timezone.now()
    with transaction.atomic():
        # Claimed with a conditional update: two chairs ending it at once record one end.
        ended = Delegation.objects.filter(pk=delegation.pk, ended_at__isnull=True, ends_at__gt=now).update(
            ended_at=now, ended_by=by
        )
        if not ended:
            raise DelegationRefused("This delegation has ended already.", status=409)
        delegation.refresh_from_db()
        security_events.record(
            security_events.Kind.DELEGATION_ENDED, user=by, request=request, how="ended", **_details(delegation)
        )
        delegation_changed.send(sender=Delegation, delegation=delegation)
    return delegation


def delegations_expire(now=None):
    """Record the end of every delegation whose end date has passed (once each); return how many."""
    now = now or timezone.now()
    count = 0
    for delegation in Delegation.objects.select_related("delegate", "delegated_by").filter(
        ends_at__lte=now, ended_at__isnull=True
    ):
        with transaction.atomic():
            if Delegation.objects.filter(pk=delegation.pk, ended_at__isnull=True).update(ended_at=delegation.ends_at):
                security_events.record(
                    security_events.Kind.DELEGATION_ENDED,
                    user=delegation.delegate,
                    how="expired",
                    **_details(delegation),
                )
                delegation.ended_at = delegation.ends_at
                delegation_changed.send(sender=Delegation, delegation=delegation)
                count += 1
    return count
