"""Roles and teams from the identity provider: the groups claim, mapped through ``OIDC_ROLE_MAP``.

``OIDC_ROLE_MAP`` is comma-separated ``<claim value>=<group>`` pairs, e.g.
``legal-reviewers=legal,team-triage=team:triage``. A group is one of this tool's roles (a review domain,
``committee_chair``, ``auditor``) or a team's group ``team:<slug>``. A claim value named twice maps to both
groups (``leads=legal,leads=security``).

Only the groups the map names are managed: at every single sign-on login the user is put in exactly the
managed groups their claim maps to, and groups the map does not name (an ``auditor`` granted here by hand,
while the map names no auditor value) are left alone.
"""

import re
from dataclasses import dataclass
from functools import lru_cache

from django.contrib.auth.models import Group
from django.db import transaction

from . import roles

ROLE_NAMES = frozenset(roles.COMMITTEE_GROUPS)
_TEAM_GROUP = re.compile(r"^team:[-a-zA-Z0-9_]{1,60}$")


class RoleMapInvalid(ValueError):
    """OIDC_ROLE_MAP cannot be read; the message says which entry and why."""


class GroupsClaimInvalid(ValueError):
    """The identity provider's groups claim is not a list of strings; the login is refused."""


@dataclass(frozen=True)
class RoleMap:
    """Claim value → the group names it grants; ``managed`` is every group the map names."""

    grants: dict
    managed: frozenset

    def groups_for(self, values):
        """The managed group names that these claim values grant (values the map does not name grant nothing)."""
        return frozenset(name for value in values for name in self.grants.get(value, ()))


def is_mappable_group(name):
    return name in ROLE_NAMES or bool(_TEAM_GROUP.match(name))


@lru_cache(maxsize=8)
def role_map_parse(text):
    """Read ``OIDC_ROLE_MAP`` text into a ``RoleMap``; raise ``RoleMapInvalid`` naming the first bad entry."""
    grants = {}
    for entry in (part.strip() for part in (text or "").split(",")):
        if not entry:
            continue
        value, sep, group = (side.strip() for side in entry.partition("="))
        if not sep or not value or not group:
            raise RoleMapInvalid(f"OIDC_ROLE_MAP entry {entry!r} is not <claim value>=<group>.")
        if not is_mappable_group(group):
            raise RoleMapInvalid(
                f"OIDC_ROLE_MAP entry {entry!r} names {group!r}, which is neither a role "
                f"({', '.join(sorted(ROLE_NAMES))}) nor a team group team:<slug>."
            )
        names = grants.setdefault(value, [])
        if group not in names:
            names.append(group)
    grants = {value: tuple(names) for value, names in grants.items()}
    return RoleMap(grants=grants, managed=frozenset(g for names in grants.values() for g in names))


def claim_values(claims, claim_name):
    """The groups claim as a list of strings. An absent claim is no groups; anything else that is not a list
    of strings raises ``GroupsClaimInvalid``."""
    value = claims.get(claim_name)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise GroupsClaimInvalid(
            f"The identity provider's {claim_name!r} claim is a {type(value).__name__}"
            + (" with values that are not text" if isinstance(value, list) else "")
            + ", not a list of group names."
        )
    return value


@dataclass(frozen=True)
class RoleChange:
    added: tuple
    removed: tuple
    # Mapped groups that do not exist here (a team not yet created): nothing to join.
    missing: tuple

    def __bool__(self):
        return bool(self.added or self.removed)


def user_groups_follow_claim(*, user, role_map, values):
    """Put ``user`` in exactly the managed groups that ``values`` grant; leave unmanaged groups alone.

    Role groups are created when missing; a team group is only joined when its team exists (a team's group is
    made with the team). Returns the ``RoleChange`` (sorted names), in one transaction.
    """
    wanted = role_map.groups_for(values)
    with transaction.atomic():
        current = dict(user.groups.filter(name__in=role_map.managed).values_list("name", "id"))
        to_add = sorted(wanted - current.keys())
        to_remove = sorted(current.keys() - wanted)
        existing = dict(Group.objects.filter(name__in=to_add).values_list("name", "id"))
        for name in to_add:
            if name not in existing and name in ROLE_NAMES:
                existing[name] = Group.objects.get_or_create(name=name)[0].pk
        added = [name for name in to_add if name in existing]
        if added:
            user.groups.add(*(existing[name] for name in added))
        if to_remove:
            user.groups.remove(*(current[name] for name in to_remove))
    roles.forget(user)
    return RoleChange(
        added=tuple(added), removed=tuple(to_remove), missing=tuple(n for n in to_add if n not in existing)
    )
