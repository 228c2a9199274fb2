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
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from accounts import roles
from assessments.deadlines import overdue_q

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


class TrueFalseCheckbox(forms.CheckboxInput):
    """A checkbox whose value is passed on as sent, so that its field can refuse anything but true and false."""

    def __init__(self, attrs=None):
        super().__init__(attrs, check_test=lambda value: value in (True, "true", "on"))

    def value_from_datadict(self, data, files, name):
        return data.get(name)


class TrueFalseField(forms.Field):
    """``true`` (or a ticked checkbox's ``on``) and ``false``; anything else is refused, as the API schema says."""

    widget = TrueFalseCheckbox

    def to_python(self, value):
        if value in (None, "", False, "false"):
            return False
        if value in (True, "true", "on"):
            return True
        raise forms.ValidationError("Give true or false.", code="invalid")


class TrueFalseFilter(django_filters.Filter):
    field_class = TrueFalseField


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
    # Not stripped: the schema's maxLength counts the value as sent. An unknown slug, or one of a team the
    # caller may not see, simply matches nothing: the same answer for both, so it reveals no team names.
    team = django_filters.CharFilter(
        field_name="feature__team__slug",
        max_length=60,
        strip=False,
        label="Team",
        help_text="Only assessments of the team with this slug.",
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
    overdue = TrueFalseFilter(
        method="filter_overdue",
        label="Overdue at their stage only",
        help_text="true: only assessments past their stage's deadline.",
    )

    class Meta:
        model = Assessment
        form = FilterForm
        fields = ["q", "state", "team", "risk_level", "stage", "overdue"]

    def filter_stage(self, queryset, name, value):
        return queryset.filter(state=STAGE_STATE[value]) if value else queryset

    @extend_schema_field(OpenApiTypes.BOOL)
    def filter_overdue(self, queryset, name, value):
        return queryset.filter(overdue_q(timezone.now())) if value else queryset

    def active_filters(self):
        if not self.is_bound or not self.is_valid():
            return {}
        return {k: v for k, v in self.form.cleaned_data.items() if v not in (None, "", False)}


class BrowserAssessmentFilter(AssessmentFilter):
    """The same filters for the browser's list, with the team chosen from the teams the user may filter by."""

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        super().__init__(data, queryset, request=request, prefix=prefix)
        user = getattr(request, "user", None)
        self.filters["team"] = django_filters.ChoiceFilter(
            field_name="feature__team__slug",
            # Read only when needed (a team is asked for, or the form is shown), and then once.
            choices=cache(lambda: [(t.slug, t.name) for t in teams_to_filter_by(user)]),
            label="Team",
            empty_label="Any team",
            error_messages=INVALID_CHOICE,
        )
