"""Drafts are visible only to their team; the committee and auditors see everything past draft."""

import pytest
from django.http import Http404

from assessments.models import State
from assessments.selectors import assessment_visible_to, assessments_visible_to, review_queue_for

from .workflow import advance, create_draft


def visible(user, assessment):
    return assessments_visible_to(user).filter(pk=assessment.pk).exists()


def test_a_draft_is_visible_only_to_its_team(people):
    draft = create_draft(people)
    assert visible(people.alice, draft) and visible(people.ben, draft)
    for outsider in [*people.reviewers.values(), people.chair, people.auditor, people.olga, people.nobody]:
        assert not visible(outsider, draft), outsider
        with pytest.raises(Http404):
            assessment_visible_to(outsider, draft.pk)


def test_a_submitted_assessment_is_visible_to_the_committee_and_auditors_not_other_teams(people):
    submitted = advance(people, create_draft(people), State.LEGAL_REVIEW)
    for user in [people.alice, *people.reviewers.values(), people.chair, people.auditor]:
        assert visible(user, submitted), user
    assert not visible(people.olga, submitted)
    assert not visible(people.nobody, submitted)


def test_a_reassessment_draft_is_hidden_again_from_the_committee(people):
    launched = advance(people, create_draft(people), State.LAUNCHED)
    from .workflow import act

    act(people, launched, "start_reassessment")
    new_draft = launched.feature.assessments.get(version=2)
    assert visible(people.alice, new_draft)
    assert not visible(people.reviewers["legal"], new_draft)
    assert visible(people.reviewers["legal"], launched)


def test_anonymous_and_inactive_users_see_nothing(people):
    from django.contrib.auth.models import AnonymousUser

    draft = create_draft(people)
    assert not assessments_visible_to(AnonymousUser()).exists()
    people.alice.is_active = False
    assert not visible(people.alice, draft)


def test_the_review_queue_holds_only_the_reviewers_stage_oldest_first(people):
    first = advance(people, create_draft(people), State.LEGAL_REVIEW)
    second = advance(people, create_draft(people), State.LEGAL_REVIEW)
    at_security = advance(people, create_draft(people), State.SECURITY_REVIEW)
    assert list(review_queue_for(people.reviewers["legal"])) == [first, second]
    assert list(review_queue_for(people.reviewers["security"])) == [at_security]
    assert not review_queue_for(people.alice).exists()
    assert not review_queue_for(people.auditor).exists()


def test_an_unparseable_id_is_a_404_not_a_crash(people):
    for bad in ("abc", None, 10**30):
        with pytest.raises(Http404):
            assessment_visible_to(people.alice, bad)


def test_grants_are_stored_in_the_direct_foreign_key_table(people):
    from guardian.models import GroupObjectPermission

    from assessments.models import AssessmentGroupObjectPermission

    submitted = advance(people, create_draft(people), State.LEGAL_REVIEW)
    granted = set(
        AssessmentGroupObjectPermission.objects.filter(content_object=submitted).values_list(
            "group__name", "permission__codename"
        )
    )
    assert ("team:client-experience", "change_assessment") in granted
    assert ("legal", "sign_off_assessment") in granted
    assert ("security", "sign_off_assessment") not in granted
    assert not GroupObjectPermission.objects.exists()


def _sql(queryset):
    sql, _ = queryset.query.get_compiler(using=queryset.db).as_sql()
    return " ".join(sql.upper().split())


def test_visibility_is_one_exists_over_the_group_grants_never_in_select_over_the_assessments(people):
    """A guard against the old ``id IN (user grants) OR id IN (group grants ... IN (SELECT id FROM assessments))``:
    PostgreSQL hashed every grant of the user's groups on every query, even to fetch one row."""
    from assessments.models import Assessment, AssessmentGroupObjectPermission, AuditEntry, Condition
    from assessments.selectors import visibility_condition

    grants = AssessmentGroupObjectPermission._meta.db_table.upper()
    assessments = Assessment._meta.db_table.upper()
    for user in [people.alice, people.reviewers["legal"], people.chair, people.auditor, people.olga]:
        for queryset in (
            assessments_visible_to(user),
            assessments_visible_to(user).filter(pk=1),
            review_queue_for(user) if user is people.reviewers["legal"] else assessments_visible_to(user),
            AuditEntry.objects.filter(visibility_condition(user, through="assessment")),
            Condition.objects.filter(visibility_condition(user, through="assessment")),
        ):
            sql = _sql(queryset)
            assert "IN (SELECT" not in sql, sql
            # One EXISTS over the grants (the queue adds its separation-of-duties ones over sign-offs and edits).
            assert sql.count(f'FROM "{grants}"') == 1, sql
            if queryset.model is not Assessment or "ASSESSMENTS_SIGNOFF" not in sql:
                assert sql.count("EXISTS(") + sql.count("EXISTS (") == 1, sql
            assert f'"{grants}"' in sql, sql
            # Neither guardian's generic tables nor the per-user grants are read.
            assert "GUARDIAN_" not in sql and "USEROBJECTPERMISSION" not in sql, sql
            # The grant subquery is correlated to the row, not a scan of the assessment table of its own.
            exists = sql[sql.index("EXISTS") :]
            assert f'FROM "{assessments}"' not in exists, sql


def test_a_superuser_sees_everything_without_a_grant_lookup(people):
    draft = create_draft(people)
    assert visible(people.admin, draft)
    assert "EXISTS" not in _sql(assessments_visible_to(people.admin))


def test_a_grant_to_a_single_user_gives_no_access(people):
    """Only groups are granted (assessments.grants); the selector reads group grants alone."""
    from django.contrib.auth.models import Permission

    from assessments.models import AssessmentUserObjectPermission

    draft = create_draft(people)
    AssessmentUserObjectPermission.objects.create(
        user=people.olga, permission=Permission.objects.get(codename="view_assessment"), content_object=draft
    )
    assert not visible(people.olga, draft)


def test_a_group_grant_of_another_permission_gives_no_view(people):
    """Legal holds sign-off on an assessment at its stage; without view, that alone shows nothing."""
    from assessments.models import AssessmentGroupObjectPermission

    submitted = advance(people, create_draft(people), State.LEGAL_REVIEW)
    legal = people.reviewers["legal"]
    AssessmentGroupObjectPermission.objects.filter(
        content_object=submitted, group__name="legal", permission__codename="view_assessment"
    ).delete()
    assert AssessmentGroupObjectPermission.objects.filter(content_object=submitted, group__name="legal").exists()
    assert not visible(legal, submitted)
    with pytest.raises(Http404):
        assessment_visible_to(legal, submitted.pk)
