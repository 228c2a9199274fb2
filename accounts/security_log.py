"""The security events page: what auditors and the chair read of sign-ins, failures, lockouts and the rest."""

import django_filters as filters
from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_safe

from . import roles
from .models import SecurityEvent

PAGE_SIZE = 50


def may_read_security_events(user):
    return roles.user_has_role(user, roles.AUDITOR) or roles.user_has_role(user, roles.CHAIR)


class SecurityEventFilter(filters.FilterSet):
    kind = filters.ChoiceFilter(choices=SecurityEvent.Kind.choices, empty_label="Every kind", label="Kind of event")
    user = filters.CharFilter(field_name="username", lookup_expr="iexact", label="Username", max_length=150)
    since = filters.DateFilter(
        field_name="at", lookup_expr="date__gte", label="From", widget=forms.DateInput(attrs={"type": "date"})
    )
    until = filters.DateFilter(
        field_name="at", lookup_expr="date__lte", label="Until", widget=forms.DateInput(attrs={"type": "date"})
    )

    class Meta:
        model = SecurityEvent
        fields = ["kind", "user", "since", "until"]

    def is_valid(self):
        valid = super().is_valid()
        since, until = self.form.cleaned_data.get("since"), self.form.cleaned_data.get("until")
        if valid and since and until and since > until:
            self.form.add_error("until", "The end date is before the start date.")
            return False
        return valid


def details_text(details):
    """One line of an event's structured details, for the page (lists joined, keys as they are)."""
    if not isinstance(details, dict):
        return ""
    parts = []
    for key, value in details.items():
        if isinstance(value, list):
            value = ", ".join(str(item) for item in value) or "none"
        parts.append(f"{key.replace('_', ' ')}: {value}")
    return "; ".join(parts)


@require_safe
@login_required
def security_events(request):
    """Security events, newest first, filtered by kind, username and date range; auditors and the chair only."""
    if not may_read_security_events(request.user):
        raise PermissionDenied("Only auditors and the committee chair read the security events.")
    events = SecurityEvent.objects.only("kind", "at", "username", "address", "details").order_by("-at", "-id")
    filterset = SecurityEventFilter(request.GET, queryset=events)
    status = 200
    if filterset.is_valid():
        events = filterset.filter_queryset(events)
    else:
        events = events.none()
        status = 400
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(event, details_text(event.details)) for event in page.object_list]
    return render(
        request, "accounts/security_events.html", {"filter": filterset, "page": page, "rows": rows}, status=status
    )
