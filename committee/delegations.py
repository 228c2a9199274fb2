"""The chair's delegations page: who acts for which domain until when, granting one and ending one.

The rules (only the chair, a committee member as delegate, a reason, an end in the future) and the security
events live in ``accounts.delegation``; this module parses the form and renders.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from accounts import roles
from accounts.delegation import (
    MAX_REASON,
    DelegationRefused,
    current_delegations,
    delegation_create,
    delegation_end,
    may_delegate,
)
from accounts.models import Delegation
from assessments.views.common import problem


class DelegationForm(forms.Form):
    domain = forms.ChoiceField(label="Domain", choices=[(d, roles.DOMAIN_LABELS[d]) for d in roles.DOMAINS])
    delegate = forms.ModelChoiceField(label="Delegate to", queryset=None, empty_label="Choose a person")
    ends_at = forms.DateTimeField(
        label="Until",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={"invalid": "Give the end as a date and time, for example 2026-12-31 17:00."},
    )
    reason = forms.CharField(label="Reason", max_length=MAX_REASON, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["delegate"].queryset = (
            get_user_model()
            .objects.filter(is_active=True, groups__name__in=roles.COMMITTEE_GROUPS)
            .distinct()
            .order_by("username")
        )
        self.fields["delegate"].label_from_instance = lambda u: f"{u.get_full_name() or u.username} ({u.username})"


def _refuse(request):
    return problem(
        request, 403, "Not permitted", "Only the committee chair delegates a domain's sign-off.", back=reverse("home")
    )


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def delegations(request):
    if not may_delegate(request.user):
        return _refuse(request)
    form = DelegationForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                made = delegation_create(
                    by=request.user,
                    delegate=data["delegate"],
                    domain=data["domain"],
                    reason=data["reason"],
                    ends_at=data["ends_at"],
                    request=request,
                )
            except DelegationRefused as refused:
                form.add_error(refused.field if refused.field in form.fields else None, refused.message)
            else:
                messages.success(request, f"{made.delegate.get_username()} now acts for {made.get_domain_display()}.")
                return redirect("delegations")
        status = 400
    return render(
        request,
        "committee/delegations.html",
        {"form": form, "current": list(current_delegations())},
        status=status,
    )


@require_POST
@login_required
def delegation_stop(request, pk):
    if not may_delegate(request.user):
        return _refuse(request)
    delegation = get_object_or_404(Delegation, pk=pk)
    try:
        delegation_end(by=request.user, delegation=delegation, request=request)
    except DelegationRefused as refused:
        return problem(request, refused.status, "Not ended", refused.message, back=reverse("delegations"))
    messages.success(request, f"The delegation of {delegation.get_domain_display()} has ended.")
    return redirect("delegations")
