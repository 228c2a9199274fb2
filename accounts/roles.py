"""The committee's roles, as Django groups.

Reviewer groups are named after their domain; a team's group is ``team:<slug>``.
Object permissions are granted per assessment to these groups (django-guardian),
never globally.
"""

LEGAL = "legal"
SECURITY = "security"
CLINICAL = "clinical"
PRODUCT = "product"
DATA_AI = "data_ai"
CHAIR = "committee_chair"
AUDITOR = "auditor"

# Sign-off order of the Responsible AI Committee.
DOMAINS = (LEGAL, SECURITY, CLINICAL, PRODUCT, DATA_AI)
DOMAIN_LABELS = {
    LEGAL: "Legal",
    SECURITY: "Security",
    CLINICAL: "Clinical",
    PRODUCT: "Product",
    DATA_AI: "Data/AI",
}
# Everyone who sees an assessment once it has left draft.
COMMITTEE_GROUPS = (*DOMAINS, CHAIR, AUDITOR)


def team_group_name(slug):
    return f"team:{slug}"


def user_domains(user):
    """The review domains the user belongs to, in sign-off order."""
    if not user.is_authenticated:
        return []
    names = group_names(user)
    return [d for d in DOMAINS if d in names]


def user_has_role(user, role):
    return user.is_authenticated and role in group_names(user)


def group_ids(user):
    """Ids of the user's groups (roles and teams), read once per request."""
    return set(_groups(user))


def group_names(user):
    return set(_groups(user).values())


# Where accounts.delegation keeps the user's delegations for the request; dropped with the groups.
DELEGATIONS_CACHE = "_delegation_cache"


def forget(user):
    """Drop the cached groups and delegations, so the next check reads them afresh (services do, before deciding)."""
    if hasattr(user, "_group_cache"):
        del user._group_cache
    if hasattr(user, "__dict__"):
        user.__dict__.pop(DELEGATIONS_CACHE, None)


def _groups(user):
    # Cached on the user object for the request: roles are read many times per page.
    if not getattr(user, "is_authenticated", False):
        return {}
    cached = getattr(user, "_group_cache", None)
    if cached is None:
        cached = dict(user.groups.values_list("id", "name"))
        user._group_cache = cached
    return cached
