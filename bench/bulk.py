"""Bulk benchmark data: thousands of assessments in every state, inserted directly.

This is load for the benchmark only, never demo or real data: every feature is
named "Bench feature N". Rows are bulk-inserted (going through the services would
take many minutes); the grants are exactly the ones the services would make, so
the pages under test see the same permissions as in real use.
"""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from assessments.demo import INTAKE, MATCHING, NOTES
from assessments.grants import grant_rows
from assessments.models import (
    STAGE_STATE,
    AIFeature,
    Assessment,
    AssessmentGroupObjectPermission,
    State,
    Team,
)
from assessments.questionnaire import current_questionnaire
from assessments.risk import risk_score
from committee import roles

STATES = [
    State.DRAFT,
    State.LEGAL_REVIEW,
    State.SECURITY_REVIEW,
    State.CLINICAL_REVIEW,
    State.PRODUCT_REVIEW,
    State.DATA_AI_REVIEW,
    State.CHANGES_REQUESTED,
    State.APPROVED,
    State.LAUNCHED,
    State.REJECTED,
]
PASSWORD = "bench-password"
TEAMS = 20


def bench_users():
    user_model = get_user_model()
    users = {}
    for username, role in [
        ("bench_team", None),
        *[(f"bench_{d}", d) for d in roles.DOMAINS],
        ("bench_chair", roles.CHAIR),
        ("bench_auditor", roles.AUDITOR),
    ]:
        user, created = user_model.objects.get_or_create(username=username)
        if created:
            user.set_password(PASSWORD)
            user.save()
        if role:
            user.groups.add(Group.objects.get_or_create(name=role)[0])
        users[username] = user
    return users


@transaction.atomic
def bulk_seed(count):
    """Top the database up to ``count`` bench assessments; return how many were added."""
    users = bench_users()
    existing = Assessment.objects.filter(feature__name__startswith="Bench feature").count()
    missing = count - existing
    if missing <= 0:
        return 0
    teams = [
        Team.objects.get_or_create(slug=f"bench-team-{i}", defaults={"name": f"Bench team {i}"})[0]
        for i in range(TEAMS)
    ]
    teams[0].members.add(users["bench_team"])
    questionnaire = current_questionnaire()
    templates = []
    for answers in (INTAKE, MATCHING, NOTES):
        cleaned, _ = questionnaire.clean(answers)
        templates.append((cleaned, risk_score(questionnaire, cleaned)))
    now = timezone.now()
    features = AIFeature.objects.bulk_create(
        [
            AIFeature(
                name=f"Bench feature {existing + i}",
                team=teams[(existing + i) % TEAMS],
                owner=users["bench_team"],
                created_at=now,
            )
            for i in range(missing)
        ],
        batch_size=2000,
    )
    assessments = []
    for i, feature in enumerate(features):
        answers, score = templates[i % len(templates)]
        state = STATES[(existing + i) % len(STATES)]
        age = timedelta(days=(i % 30), hours=i % 24)
        assessment = Assessment(
            feature=feature,
            version=1,
            questionnaire_version=questionnaire.version,
            answers=answers,
            state=state,
            risk_level=score["level"],
            risk_score=score,
            review_round=0 if state == State.DRAFT else 1,
            created_by=users["bench_team"],
            created_at=now - age,
            updated_at=now - age,
            submitted_at=None if state == State.DRAFT else now - age,
            stage_entered_at=now - age if state in STAGE_STATE.values() else None,
        )
        assessment.content_hash = assessment.compute_content_hash()
        assessments.append(assessment)
    Assessment.objects.bulk_create(assessments, batch_size=2000)
    _grant(assessments)
    return missing


def _grant(assessments):
    AssessmentGroupObjectPermission.objects.bulk_create(grant_rows(assessments), batch_size=5000)
