"""The auditor's filters: the assessment list's FilterSet, plus the decision date range; never drafts."""

import django_filters
from django import forms

from assessments.filters import INVALID_CHOICE, BrowserAssessmentFilter, FilterForm
from assessments.models import State

NOT_DRAFT = [(value, label) for value, label in State.choices if value != State.DRAFT]


class DecisionRangeForm(FilterForm):
    def clean(self):
        cleaned = super().clean()
        after, before = cleaned.get("decided_after"), cleaned.get("decided_before")
        if after and before and after > before:
            self.add_error("decided_before", "The end of the decision date range is before its start.")
        return cleaned


class AuditorAssessmentFilter(BrowserAssessmentFilter):
    decided_after = django_filters.DateFilter(
        field_name="decided_at",
        lookup_expr="date__gte",
        label="Decided on or after",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Enter a date as YYYY-MM-DD."},
    )
    decided_before = django_filters.DateFilter(
        field_name="decided_at",
        lookup_expr="date__lte",
        label="Decided on or before",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Enter a date as YYYY-MM-DD."},
    )

    class Meta(BrowserAssessmentFilter.Meta):
        fields = [*BrowserAssessmentFilter.Meta.fields, "decided_after", "decided_before"]
        form = DecisionRangeForm

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        super().__init__(data, queryset, request=request, prefix=prefix)
        # Drafts are never in the auditor's view, so they are not a choice either.
        self.filters["state"] = django_filters.ChoiceFilter(
            field_name="state",
            choices=NOT_DRAFT,
            label="State",
            empty_label="Any state",
            error_messages=INVALID_CHOICE,
        )
