"""Many assessments at once, for query-count tests.

Rows are written in bulk with the same grants the services give (team: view and
change; committee: view once submitted; the stage's domain: sign-off), so the
selectors see exactly what they would see after real use.
"""

import itertools
from datetime import timedelta

from django.utils import timezone

from assessments.grants import grant_rows
from assessments.models import STAGE_STATE, AIFeature, Assessment, AssessmentGroupObjectPermission, State
from assessments.questionnaire import current_questionnaire
from assessments.risk import risk_score

from ..answers import complete_answers

STATES = (
    State.LEGAL_REVIEW,
    State.DRAFT,
    State.SECURITY_REVIEW,
    State.CHANGES_REQUESTED,
    State.LEGAL_REVIEW,
    State.APPROVED,
    State.LAUNCHED,
    State.DATA_AI_REVIEW,
    State.REJECTED,
    State.CLINICAL_REVIEW,
)
_batch = itertools.count(1)


def bulk_assessments(people, count, team=None):
    team = team or people.team
    questionnaire = current_questionnaire()
    answers = complete_answers()
    score = risk_score(questionnaire, answers)
    now = timezone.now()
    batch = next(_batch)
    features = AIFeature.objects.bulk_create(
        [AIFeature(name=f"Bulk {batch}-{i}", team=team, owner=people.alice) for i in range(count)]
    )
    rows = []
    for i, feature in enumerate(features):
        state = STATES[i % len(STATES)]
        submitted = state != State.DRAFT
        in_review = state in STAGE_STATE.values()
        rows.append(
            Assessment(
                feature=feature,
                version=1,
                questionnaire_version=questionnaire.version,
                answers=answers,
                state=state,
                risk_level=(i % 4) + 1,
                risk_score=score,
                content_hash=f"{i:064d}",
                review_round=1 if submitted else 0,
                created_by=people.alice,
                created_at=now - timedelta(days=30),
                updated_at=now - timedelta(minutes=i),
                submitted_at=now - timedelta(days=20) if submitted else None,
                # Every third one has waited long enough to be overdue at any risk level.
                stage_entered_at=(now - timedelta(days=30 if i % 3 == 0 else 1)) if in_review else None,
            )
        )
    for row in rows:
        row.schedule_start()  # as saving it would
    created = Assessment.objects.bulk_create(rows)
    AssessmentGroupObjectPermission.objects.bulk_create(grant_rows(created))
    return created
