"""What a user may see, shared by the browser views and the API."""

from dataclasses import dataclass

from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import Exists, F, OuterRef, Q
from django.http import Http404
from django.utils import timezone

from accounts import roles
from accounts.delegation import acting_domains

from . import paging, permissions, transitions
from .grants import VIEW
from .models import STAGE_STATE, Assessment, AssessmentGroupObjectPermission, AuditEntry, QuestionComment, SignOff

# Matches no row; Django compiles a filter on it to "nothing" without asking the database.
NOTHING = Q(pk__in=[])


@dataclass(frozen=True)
class Visibility:
    """Which assessments a user may see: the one statement of the rule, read by the filter and by the count.

    A superuser sees ``everything``. Anyone else sees an assessment when one of
    ``group_ids`` (the user's groups) holds ``view_assessment`` on it in guardian's
    direct group-permission table (``AssessmentGroupObjectPermission``), which
    ``assessments.grants`` alone writes; anonymous and inactive users, and users in
    no group, see nothing.

    Only groups are granted (the team's group, the committee's groups; see
    ``assessments.grants``), so grants to single users
    (``AssessmentUserObjectPermission``) are not read: a row there gives nobody
    access (the audit verifier reports one as ``grant_drift``). If a per-user grant
    is ever introduced, it goes into ``grants`` and both readers follow.
    """

    everything: bool = False
    group_ids: tuple = ()

    @property
    def nothing(self):
        return not self.everything and not self.group_ids

    def grants(self, group_ids=None):
        """The grant rows that make an assessment visible (held by ``group_ids``, a subset of the user's groups,
        or by all of them). Rows, not assessments: ``content_object_id`` is the assessment."""
        held_by = self.group_ids if group_ids is None else group_ids
        return AssessmentGroupObjectPermission.objects.filter(permission_id=view_permission_id(), group_id__in=held_by)


def visibility_of(user):
    """The ``Visibility`` of ``user``: nothing, everything, or what the user's groups hold view grants on."""
    if not user.is_authenticated or not user.is_active:
        return Visibility()
    if user.is_superuser:
        return Visibility(everything=True)
    return Visibility(group_ids=tuple(sorted(roles.group_ids(user))))


def visibility_condition(user, *, through=None):
    """A filter condition for rows whose assessment the user may see: one indexed ``EXISTS`` per row.

    ``through`` names the foreign key to the assessment when filtering another
    model (``"assessment"`` for audit entries, conditions, dossier downloads);
    leave it out to filter assessments themselves.

    The rule is ``visibility_of``. The lookup is ``EXISTS (SELECT 1 FROM <grants>
    WHERE content_object_id = <row> AND permission_id = <view> AND group_id IN (<the user's group ids>))``,
    answered from the index ``(content_object_id, permission_id, group_id)``, so
    its cost per row does not depend on how many assessments or grants exist, and
    PostgreSQL can join it instead of hashing every grant of the user's groups.
    """
    visibility = visibility_of(user)
    if visibility.nothing:
        return NOTHING
    if visibility.everything:
        # Every assessment; through a foreign key, every row whose assessment exists (audit entries keep theirs
        # without a database constraint).
        return Q() if through is None else Exists(Assessment.objects.filter(pk=OuterRef(f"{through}_id")))
    return Exists(visibility.grants().filter(content_object_id=OuterRef("pk" if through is None else f"{through}_id")))


# Database alias -> id of the permission ``assessments.view_assessment``. Ids as literals let PostgreSQL use its
# statistics per value (a committee group holds view on most assessments, a team's group on few), where a
# subquery for the id would leave it guessing. Forgotten after every migrate or flush (``apps.ready``).
_view_permission_ids = {}


def view_permission_id(using="default"):
    """The id of ``assessments.view_assessment``, read once per process and database."""
    pk = _view_permission_ids.get(using)
    if pk is None:
        content_type = ContentType.objects.db_manager(using).get_for_model(Assessment)
        pk = Permission.objects.using(using).get(content_type=content_type, codename=VIEW).pk
        _view_permission_ids[using] = pk
    return pk


def forget_view_permission(**kwargs):
    """Drop the cached permission id: migrate and flush may create the permission afresh, with a new id."""
    _view_permission_ids.clear()


def assessments_visible_to(user):
    """Assessments the user may see: their teams' (drafts included) and, for the committee, all past draft.

    Visibility is ``visibility_condition``: one ``EXISTS`` over the group grants,
    never ``IN (SELECT ...)`` over the assessment table.
    """
    condition = visibility_condition(user)
    if condition is NOTHING:
        return Assessment.objects.none()
    return Assessment.objects.select_related("feature__team").filter(condition)


def visible_count(user, cap):
    """How many assessments the user may see, counted up to ``cap + 1`` (as ``paging.capped_count``), in one
    query over the grants alone: for a list with no filter.

    The assessments visible are exactly the ids the user's groups hold ``view_assessment`` on (a grant row's
    assessment always exists: the grant table's foreign key cascades), so the assessment table need not be read.
    When one group alone holds more than ``cap`` view grants, the answer is "more than ``cap``" after reading
    ``cap + 1`` entries of the index ``(group_id, permission_id, content_object_id)``; otherwise every group holds
    at most ``cap``, and the distinct ids of all of them are counted exactly (at most ``cap`` per group). Both
    branches are one ``CASE`` in one statement, and the database evaluates only the branch it takes, so the
    query is the same at every size and costs O(cap) at any size. It reads the grant rows of
    ``Visibility.grants``, as ``visibility_condition`` does; ``tests/test_visibility_one_rule.py`` holds them together.
    """
    limit = cap + 1
    visibility = visibility_of(user)
    if visibility.nothing:
        return 0
    if visibility.everything:
        return paging.capped_count(Assessment.objects.all(), cap)
    # The statement is glue around the compiled querysets of ``Visibility.grants``: the rule is not restated here.
    one_group = [
        _compiled(visibility.grants([group_id]).values("content_object_id")[:limit])
        for group_id in visibility.group_ids
    ]
    distinct_sql, distinct_params = _compiled(visibility.grants().values("content_object_id").distinct())
    # Only the ORM's compiled SQL is spliced in; the values travel in ``params``.
    over_cap = " OR ".join(f"(SELECT COUNT(*) FROM ({sql}) g) > %s" for sql, _ in one_group)  # noqa: S608  # nosec B608
    sql = f"SELECT CASE WHEN {over_cap} THEN %s ELSE (SELECT COUNT(*) FROM ({distinct_sql}) d) END"  # noqa: S608  # nosec B608
    params = [value for _, group_params in one_group for value in (*group_params, cap)]
    params += [limit, *distinct_params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        count = cursor.fetchone()[0]
    return min(count, limit)


def _compiled(queryset):
    """A queryset's SQL and parameters, to nest in a statement the ORM cannot write."""
    sql, params = queryset.query.sql_with_params()
    return sql, list(params)


def assessment_visible_to(user, pk):
    """The assessment if the user may see it; 404 otherwise, so its existence is not revealed."""
    try:
        return assessments_visible_to(user).get(pk=pk)
    except (Assessment.DoesNotExist, ValueError, TypeError):
        raise Http404("No such assessment.") from None


def queue_domains(user, now=None):
    """``(own, acting)``: the user's review domains, and ``{domain: Delegation}`` of those they act for now by the
    chair's delegation (not their own; read only for committee members, who alone may be delegates)."""
    own = roles.user_domains(user)
    if not roles.group_names(user) & set(roles.COMMITTEE_GROUPS):
        return own, {}
    acting = {d: x for d, x in acting_domains(user, now or timezone.now()).items() if d not in own}
    return own, acting


def review_queue_for(user, now=None):
    """Assessments waiting at the stages of the user's domains and of those delegated to them now, oldest first.

    Only those the user may sign: never their own teams', nor one they edited, nor one whose other stage they
    signed in this round (separation of duties, as ``permissions.reviewer_denial`` and the notices' recipients
    read it), so the queue holds what the user's notices ask of them."""
    own, acting = queue_domains(user, now)
    states = [STAGE_STATE[d] for d in (*own, *acting)]
    signed_this_round = SignOff.objects.filter(
        assessment=OuterRef("pk"), reviewer_id=user.pk, review_round=OuterRef("review_round"), invalidated_at=None
    )
    edited = AuditEntry.objects.filter(
        assessment=OuterRef("pk"), actor_id=user.pk, action__in=permissions.EDITING_ACTIONS
    )
    return (
        assessments_visible_to(user)
        .filter(state__in=states)
        .exclude(feature__team__group_id__in=roles.group_ids(user))
        .exclude(Exists(signed_this_round))
        .exclude(Exists(edited))
        .order_by(F("stage_entered_at").asc(nulls_last=True), "pk")
    )


def _concerns(user, spec):
    """Whether a transition belongs to this user's roles (team work for members, decisions for reviewers)."""
    if spec.actor == "reviewer":
        own, acting = queue_domains(user)
        return bool(own or acting)
    return spec.actor == "team" and bool(roles.group_ids(user))


def transitions_for(user, assessment):
    """The transitions of the user's roles in the current state, each with whether it can be taken now.

    ``[{"name", "label", "spec", "allowed", "reasons"}]``: ``allowed`` is True when
    it can be taken now; otherwise ``reasons`` (structured) say why not: a
    separation-of-duties refusal, another domain's stage, or the guards'
    reasons. Transitions that are simply not the user's business (a team's
    launch for a reviewer, anything for an auditor) are left out.
    """
    options = []
    for spec in transitions.user_transitions().values():
        if not spec.available_from(assessment.state):
            continue
        denial = spec.denial(user, assessment)
        if denial is not None:
            if spec.actor == "team" or not _concerns(user, spec) or denial.code == "not_reviewer":
                continue
            options.append(_option(spec, False, [denial.reason]))
            continue
        reasons = spec.blockers(assessment)
        options.append(_option(spec, not reasons, reasons))
    return options


def _option(spec, allowed, reasons):
    return {"name": spec.name, "label": spec.label, "spec": spec, "allowed": allowed, "reasons": reasons}


def available_transitions(user, assessment):
    """Transitions the user may take now: ``[{"name", "label"}]``."""
    return [{"name": t["name"], "label": t["label"]} for t in transitions_for(user, assessment) if t["allowed"]]


def question_comments_visible_to(user, assessment):
    """Comments on the answers of an assessment the user already may see.

    The committee and the auditor see every comment; the team sees the ones a
    change request sent them, and its own replies (a reviewer's notes stay with
    the committee until then). Call only with an assessment from the selectors above.
    """
    comments = QuestionComment.objects.filter(assessment=assessment).select_related("author")
    if permissions.is_team_member(user, assessment):
        comments = comments.filter(Q(shared_at__isnull=False) | Q(role=QuestionComment.Role.TEAM))
    return comments.order_by("review_round", "created_at", "pk")


__all__ = [
    "visibility_condition",
    "question_comments_visible_to",
    "assessments_visible_to",
    "assessment_visible_to",
    "visible_count",
    "review_queue_for",
    "transitions_for",
    "available_transitions",
]
