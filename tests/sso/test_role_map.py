"""The groups claim → roles and teams: OIDC_ROLE_MAP's reading, the claim's checks, and the groups that follow."""

import pytest
from django.core import checks

from accounts import roles
from accounts.sso_roles import (
    GroupsClaimInvalid,
    RoleMapInvalid,
    claim_values,
    role_map_parse,
    user_groups_follow_claim,
)

from ..factories import TeamFactory, UserFactory

MAP = "legal-reviewers=legal,team-triage=team:triage,leads=legal,leads=security"


def names(user):
    return set(user.groups.values_list("name", flat=True))


def test_the_map_reads_values_to_groups_and_a_value_named_twice_grants_both():
    role_map = role_map_parse(f" {MAP} ,, ")
    assert role_map.grants == {
        "legal-reviewers": ("legal",),
        "team-triage": ("team:triage",),
        "leads": ("legal", "security"),
    }
    assert role_map.managed == {"legal", "security", "team:triage"}
    assert role_map.groups_for(["leads", "nobody-knows-this"]) == {"legal", "security"}


def test_an_empty_map_manages_nothing():
    assert role_map_parse("").managed == frozenset()


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("legal-reviewers", "is not <claim value>=<group>"),
        ("=legal", "is not <claim value>=<group>"),
        ("legal-reviewers=", "is not <claim value>=<group>"),
        ("admins=superuser", "neither a role"),
        ("triage=team:", "neither a role"),
        ("triage=team:has space", "neither a role"),
    ],
)
def test_a_bad_map_entry_is_named(text, says):
    with pytest.raises(RoleMapInvalid, match=says):
        role_map_parse(text)


def test_manage_py_check_refuses_a_bad_map(settings):
    settings.OIDC_ROLE_MAP = "admins=superuser"
    errors = [e for e in checks.run_checks() if e.id == "accounts.E001"]
    assert len(errors) == 1 and "superuser" in errors[0].msg
    settings.OIDC_ROLE_MAP = MAP
    assert not [e for e in checks.run_checks() if e.id.startswith("accounts.")]


def test_an_absent_claim_is_no_groups_and_an_empty_one_too():
    assert claim_values({}, "groups") == []
    assert claim_values({"groups": []}, "groups") == []
    assert claim_values({"groups": ["a", "b"]}, "groups") == ["a", "b"]


@pytest.mark.parametrize("value", ["legal-reviewers", {"legal-reviewers": True}, 7, ["legal-reviewers", 3]])
def test_a_claim_that_is_not_a_list_of_names_is_refused(value):
    with pytest.raises(GroupsClaimInvalid, match="not a list of group names"):
        claim_values({"groups": value}, "groups")


@pytest.mark.django_db
def test_the_user_gets_exactly_the_mapped_groups_of_the_claim():
    TeamFactory(slug="triage")
    user = UserFactory(username="sam")
    change = user_groups_follow_claim(
        user=user, role_map=role_map_parse(MAP), values=["leads", "team-triage", "unknown-value"]
    )
    assert names(user) == {"legal", "security", "team:triage"}
    assert change.added == ("legal", "security", "team:triage") and change.removed == ()
    again = user_groups_follow_claim(user=user, role_map=role_map_parse(MAP), values=["leads", "team-triage"])
    assert not again  # nothing changed, nothing to record


@pytest.mark.django_db
def test_an_empty_claim_removes_every_managed_group_and_only_those():
    user = UserFactory(username="sam", roles=[roles.LEGAL, roles.SECURITY, roles.AUDITOR, roles.CLINICAL])
    change = user_groups_follow_claim(user=user, role_map=role_map_parse(MAP), values=[])
    # auditor and clinical are not in the map: granted here, they stay.
    assert names(user) == {roles.AUDITOR, roles.CLINICAL}
    assert change.removed == (roles.LEGAL, roles.SECURITY) and change.added == ()


@pytest.mark.django_db
def test_a_local_auditor_grant_goes_when_the_map_names_auditor():
    user = UserFactory(username="sam", roles=[roles.AUDITOR])
    change = user_groups_follow_claim(user=user, role_map=role_map_parse("audit=auditor"), values=["other"])
    assert names(user) == set()
    assert change.removed == (roles.AUDITOR,)


@pytest.mark.django_db
def test_a_team_that_does_not_exist_here_is_not_created():
    user = UserFactory(username="sam")
    values = ["team-triage", "legal-reviewers"]
    change = user_groups_follow_claim(user=user, role_map=role_map_parse(MAP), values=values)
    assert names(user) == {"legal"}
    assert change.added == ("legal",) and change.missing == ("team:triage",)


@pytest.mark.django_db
def test_the_users_cached_roles_are_forgotten():
    user = UserFactory(username="sam")
    assert roles.user_domains(user) == []
    user_groups_follow_claim(user=user, role_map=role_map_parse(MAP), values=["legal-reviewers"])
    assert roles.user_domains(user) == [roles.LEGAL]
