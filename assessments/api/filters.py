import django_filters

from assessments.models import Assessment, State

RISK_LEVELS = [(level, str(level)) for level in (1, 2, 3, 4)]


class AssessmentFilter(django_filters.FilterSet):
    """Narrow the assessments a caller may see; never widens what the selector allows."""

    state = django_filters.ChoiceFilter(choices=State.choices, help_text="Only assessments in this state.")
    team = django_filters.CharFilter(
        field_name="feature__team__slug", max_length=60, help_text="Only assessments of the team with this slug."
    )
    risk_level = django_filters.TypedChoiceFilter(
        choices=RISK_LEVELS, coerce=int, help_text="Only assessments at this risk level (1 lowest to 4 highest)."
    )

    class Meta:
        model = Assessment
        fields = ["state", "team", "risk_level"]
