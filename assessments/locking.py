"""The row lock every service takes on the assessment it changes (the services and the bias evidence services)."""

from .models import Assessment


def lock_assessment(assessment):
    """The assessment re-read under ``SELECT ... FOR UPDATE``, with its feature, team and the team's group."""
    return Assessment.objects.select_for_update().select_related("feature__team__group").get(pk=assessment.pk)
