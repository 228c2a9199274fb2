"""A feature's name as people mistype it, and the features a new one may duplicate.

The hint is advice, never a block: two teams may name features alike. It names only features whose assessments
the person may already see (``assessments_visible_to``), so typing a name reveals nothing new.
"""

from dataclasses import dataclass

from django.db.models import F, Value
from django.db.models.functions import Lower, Replace

from .selectors import assessments_visible_to

MAX_SHOWN = 3


def name_key(name):
    """The name compared without case or spaces: "Session  Notes" and "session notes" are one name."""
    return "".join((name or "").split()).lower()


@dataclass(frozen=True)
class SameName:
    feature_name: str
    team_name: str
    assessment_id: int
    version: int
    state: str


def features_named_like(user, name):
    """The features the user may see whose name matches ``name`` (case and spaces aside), their latest version.

    One query; at most ``MAX_SHOWN`` features, most recent first.
    """
    key = name_key(name)
    if not key:
        return []
    spaceless = Replace(Replace(Lower(F("feature__name")), Value(" "), Value("")), Value("\t"), Value(""))
    rows = (
        assessments_visible_to(user)
        .annotate(name_key=spaceless)
        .filter(name_key=key)
        .order_by("-feature__created_at", "feature_id", "-version")
        .values_list("feature_id", "feature__name", "feature__team__name", "pk", "version", "state")[:50]
    )
    found = {}
    for feature_id, feature_name, team_name, pk, version, state in rows:
        if feature_id not in found:
            found[feature_id] = SameName(feature_name, team_name, pk, version, state)
    return list(found.values())[:MAX_SHOWN]
