"""The re-assessment sweeps: on the re-review date, or when a monitoring bias flag went unmitigated past its
deadline, the system opens a re-assessment (the audit log names "system") and tells the team."""

import logging

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from assessments import services
from assessments.errors import NotPermitted, TransitionConflict
from assessments.models import Assessment, BiasMitigation, EvidenceKind, MonitoringFlag, State

from . import recipients
from .notices import Notice, assessment_facts, event_key, iso, notify

logger = logging.getLogger(__name__)


def reassessments_due(now=None):
    """Ids of launched assessments whose re-review date has come (one query)."""
    today = timezone.localdate(now or timezone.now())
    return list(
        Assessment.objects.filter(state=State.LAUNCHED, next_review_due__lte=today)
        .order_by("next_review_due", "pk")
        .values_list("pk", flat=True)
    )


def reassessment_start(assessment_id, now=None):
    """The system starts a due re-assessment (the audit log names "system") and tells the team.

    Returns the new draft version, or None when there is nothing to do (no longer launched,
    not due yet: a second delivery of the same task changes nothing).
    """
    today = timezone.localdate(now or timezone.now())
    with transaction.atomic():
        assessment = Assessment.objects.filter(pk=assessment_id).select_related("feature__team").first()
        if assessment is None or assessment.state != State.LAUNCHED or not assessment.next_review_due:
            return None
        if assessment.next_review_due > today:
            return None
        try:
            assessment = services.assessment_transition(
                assessment=assessment, name="start_reassessment", by=services.SYSTEM, expected_state=State.LAUNCHED
            )
        except (TransitionConflict, NotPermitted) as refusal:
            logger.info("Re-assessment of %s not started: %s", assessment_id, refusal)
            return None
        new = assessment.feature.assessments.order_by("-version").first()
        context = {
            **assessment_facts(assessment),
            "new_version": new.version,
            "next_review_due": iso(assessment.next_review_due),
        }
        key = event_key(
            "rereview_started",
            assessment_id=assessment.pk,
            review_round=assessment.review_round,
            day=assessment.next_review_due,
        )
        notify(
            [
                Notice("rereview_started", uid, key, new.pk, context)
                for uid in recipients.team_members([assessment])[assessment.pk]
            ]
        )
    return new


def bias_reassessments_due(now=None):
    """Ids of launched assessments with a monitoring bias flag past its deadline and no mitigation (one query)."""
    now = now or timezone.now()
    mitigated = BiasMitigation.objects.filter(
        assessment_id=OuterRef("assessment_id"), kind=EvidenceKind.MONITORING, flag=OuterRef("flag")
    )
    return list(
        MonitoringFlag.objects.filter(assessment__state=State.LAUNCHED, due_at__lte=now)
        .exclude(Exists(mitigated))
        .order_by("assessment_id")
        .values_list("assessment_id", flat=True)
        .distinct()
    )


def bias_reassessment_start(assessment_id, now=None):
    """The system opens a re-assessment of a launched feature whose monitoring bias flag went unmitigated
    past its deadline (the audit log names "system"), and tells the team and Data/AI.

    Returns the new draft version, or None when there is nothing to do (a mitigation came in, the feature
    is no longer launched: a second delivery of the same task changes nothing).
    """
    with transaction.atomic():
        assessment = Assessment.objects.filter(pk=assessment_id).select_related("feature__team").first()
        if assessment is None or assessment.state != State.LAUNCHED:
            return None
        try:
            assessment = services.assessment_transition(
                assessment=assessment,
                name="bias_reassessment",
                by=services.SYSTEM,
                expected_state=State.LAUNCHED,
                now=now,
            )
        except (TransitionConflict, NotPermitted) as refusal:
            logger.info("Bias re-assessment of %s not started: %s", assessment_id, refusal)
            return None
        new = assessment.feature.assessments.order_by("-version").first()
        context = {**assessment_facts(assessment), "new_version": new.version}
        key = event_key("bias_reassessment_started", assessment_id=assessment.pk, review_round=assessment.review_round)
        people = (
            recipients.team_members([assessment])[assessment.pk]
            + recipients.data_ai_reviewers([assessment])[assessment.pk]
        )
        notify([Notice("bias_reassessment_started", uid, key, new.pk, context) for uid in people])
    return new
