"""Who holds which object permission on an assessment: the one grants policy.

Grants are django-guardian group permissions on one assessment, never global and
never to single users. The policy is a pure function of the assessment's team,
state and review round, so the services (``grants_sync``), bulk seeding
(``grant_rows``) and the audit verifier (``expected_grants``) share one
definition:

- the team's group: view and change, always (drafts are visible to it alone);
- every committee group (reviewers, chair, auditor): view, once the assessment
  was first submitted (``review_round > 0``);
- the domain whose stage is current: sign-off, only while that stage is current.
"""

from django.contrib.auth.models import Group, Permission

from accounts import roles

from .models import STATE_STAGE, AssessmentGroupObjectPermission

VIEW = "view_assessment"
CHANGE = "change_assessment"
SIGN_OFF = "sign_off_assessment"
CODENAMES = (VIEW, CHANGE, SIGN_OFF)


def expected_grants(*, team_group_name, state, review_round):
    """The set of ``(group name, permission codename)`` the policy grants for these facts."""
    grants = {(team_group_name, VIEW), (team_group_name, CHANGE)}
    if review_round > 0:
        grants.update((name, VIEW) for name in roles.COMMITTEE_GROUPS)
    domain = STATE_STAGE.get(state)
    if domain is not None:
        grants.add((domain, SIGN_OFF))
    return grants


def expected_grants_for(assessment):
    return expected_grants(
        team_group_name=assessment.feature.team.group.name,
        state=assessment.state,
        review_round=assessment.review_round,
    )


def _permissions():
    return {
        p.codename: p for p in Permission.objects.filter(content_type__app_label="assessments", codename__in=CODENAMES)
    }


def _groups(names):
    existing = {g.name: g for g in Group.objects.filter(name__in=names)}
    for name in set(names) - set(existing):
        existing[name] = Group.objects.get_or_create(name=name)[0]
    return existing


def grants_sync(assessment):
    """Make the assessment's grant rows equal the policy: add what is missing, remove what is extra.

    Runs inside the caller's transaction (the transition's), so grants move with the state.
    """
    wanted = expected_grants_for(assessment)
    rows = AssessmentGroupObjectPermission.objects.filter(content_object=assessment).select_related(
        "group", "permission"
    )
    have = {(row.group.name, row.permission.codename): row.pk for row in rows}
    extra = [pk for key, pk in have.items() if key not in wanted]
    if extra:
        AssessmentGroupObjectPermission.objects.filter(pk__in=extra).delete()
    missing = wanted - set(have)
    if missing:
        permissions = _permissions()
        groups = _groups({name for name, _ in missing})
        AssessmentGroupObjectPermission.objects.bulk_create(
            [
                AssessmentGroupObjectPermission(
                    group=groups[name], permission=permissions[codename], content_object=assessment
                )
                for name, codename in sorted(missing)
            ]
        )


def grant_rows(assessments):
    """Unsaved grant rows for many new assessments (bulk seeding), exactly as ``grants_sync`` would make them.

    Each assessment must have ``feature.team.group`` loaded or loadable.
    """
    permissions = _permissions()
    team_names = {a.feature.team.group.name for a in assessments}
    groups = _groups([*roles.COMMITTEE_GROUPS, *team_names])
    rows = []
    for assessment in assessments:
        for name, codename in sorted(expected_grants_for(assessment)):
            rows.append(
                AssessmentGroupObjectPermission(
                    group=groups[name], permission=permissions[codename], content_object=assessment
                )
            )
    return rows
