"""The one filter set of assessment lists, for the browser list and the API list alike.

It only narrows what ``selectors.assessments_visible_to`` allows, never widens
it. Teams a user may filter by are their own teams, or every team for the
committee and staff; any other slug is refused the same way as one that does
not exist, so the filter reveals no team names.
"""

from functools import cache

import django_filters
from django import forms
from django.utils import timezone

from committee import roles
from committee.deadlines import overdue_q

from .forms import RefusesUnstorableText
from .models import STAGE_STATE, Assessment, State, Team

RISK_LEVELS = [(level, f"Level {level}") for level in (1, 2, 3, 4)]
INVALID_CHOICE = {"invalid_choice": "Choose one of the listed options."}


def teams_to_filter_by(user):
    if not getattr(user, "is_authenticated", False):
        return Team.objects.none()
    if user.is_superuser or any(roles.user_has_role(user, r) for r in roles.COMMITTEE_GROUPS):
        return Team.objects.order_by("name")
    return Team.objects.of(user).order_by("name")


class FilterForm(RefusesUnstorableText, forms.Form):
    """Filter values that could never be stored (NUL, lone surrogates) are form errors, not failed queries."""


class AssessmentFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        field_name="feature__name",
        lookup_expr="icontains",
        max_length=100,
        label="Feature name contains",
        help_text="Only features whose name contains this text.",
        error_messages={"max_length": "Search for at most 100 characters."},
    )
    state = django_filters.ChoiceFilter(
        choices=State.choices,
        label="State",
        empty_label="Any state",
        help_text="Only assessments in this state.",
        error_messages=INVALID_CHOICE,
    )
    team = django_filters.CharFilter(
        field_name="feature__team__slug",
        max_length=60,
        label="Team",
        help_text="Only assessments of the team with this slug (one of your teams; any team for the committee).",
    )
    risk_level = django_filters.TypedChoiceFilter(
        choices=[("", "Any risk level"), *RISK_LEVELS],
        coerce=int,
        empty_value=None,
        label="Risk level",
        help_text="Only assessments at this risk level (1 lowest to 4 highest).",
        error_messages=INVALID_CHOICE,
    )
    stage = django_filters.ChoiceFilter(
        choices=[(d, roles.DOMAIN_LABELS[d]) for d in roles.DOMAINS],
        method="filter_stage",
        label="Review stage",
        empty_label="Any stage",
        help_text="Only assessments waiting at this domain's review stage.",
        error_messages=INVALID_CHOICE,
    )
    overdue = django_filters.BooleanFilter(
        method="filter_overdue",
        widget=forms.CheckboxInput,
        label="Overdue at their stage only",
        help_text="true: only assessments past their stage's deadline.",
    )

    class Meta:
        model = Assessment
        form = FilterForm
        fields = ["q", "state", "team", "risk_level", "stage", "overdue"]

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        super().__init__(data, queryset, request=request, prefix=prefix)
        user = getattr(request, "user", None)
        if user is not None:
            self.filters["team"] = django_filters.ChoiceFilter(
                field_name="feature__team__slug",
                # Read only when needed (a team is asked for, or the form is shown), and then once.
                choices=cache(lambda: [(t.slug, t.name) for t in teams_to_filter_by(user)]),
                label="Team",
                empty_label="Any team",
                error_messages=INVALID_CHOICE,
            )

    def filter_stage(self, queryset, name, value):
        return queryset.filter(state=STAGE_STATE[value]) if value else queryset

    def filter_overdue(self, queryset, name, value):
        return queryset.filter(overdue_q(timezone.now())) if value else queryset

    def active_filters(self):
        if not self.is_bound or not self.is_valid():
            return {}
        return {k: v for k, v in self.form.cleaned_data.items() if v not in (None, "", False)}
