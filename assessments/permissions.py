"""Who may take which transition on which assessment, and why not.

Object permissions come from django-guardian, granted per assessment to groups
by ``assessments.grants`` (the team's group: view and change; the committee:
view once submitted; the current stage's domain: sign-off). Role membership is
checked as well, so a superuser is not a reviewer or a team member by accident.

A refusal is a ``Denial``: ``status`` 403 when the caller could never take the
transition on this assessment (wrong role, own team, an editor, already signed
another stage of this round), 409 when only the moment is wrong (the stage is
another domain's now). The state itself is checked by the service.

The facts a decision needs (the user's grants on the assessment, whether they
edited it, which stages they signed this round) are read once per assessment
object and user, so a page asks for them once however many transitions it shows.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone

from accounts import roles
from accounts.delegation import acting_domains

from .errors import Reason
from .states import REPLY_STATES

# The audit actions that make their actor an editor of an assessment, who may never sign it off.
EDITING_ACTIONS = ("created", "answers_changed")


@dataclass(frozen=True)
class Denial:
    code: str
    message: str
    status: int  # 403: never, 409: not now

    @property
    def reason(self):
        return Reason(self.code, self.message)


def _facts(user, assessment):
    cache = assessment.__dict__.setdefault("_actor_facts", {})
    facts = cache.get(user.pk)
    if facts is None:
        facts = cache[user.pk] = {}
    return facts


def granted(user, assessment):
    """Codenames of the object permissions the user's groups hold on the assessment (one query)."""
    facts = _facts(user, assessment)
    if "grants" not in facts:
        group_ids = roles.group_ids(user)
        facts["grants"] = (
            set(
                assessment.assessmentgroupobjectpermission_set.filter(group_id__in=group_ids).values_list(
                    "permission__codename", flat=True
                )
            )
            if group_ids
            else set()
        )
    return facts["grants"]


def domain_granted(domain, assessment):
    """True when the domain's group holds sign-off on the assessment (what a delegate for the domain acts with)."""
    return assessment.assessmentgroupobjectpermission_set.filter(
        group__name=domain, permission__codename="sign_off_assessment"
    ).exists()


def is_team_member(user, assessment):
    return user.is_authenticated and assessment.feature.team.group_id in roles.group_ids(user)


def acts_for_team(user, assessment):
    """A member of the assessment's team, holding the team's change permission on it."""
    return (
        user.is_authenticated
        and user.is_active
        and is_team_member(user, assessment)
        and "change_assessment" in granted(user, assessment)
    )


def edited_by(user, assessment):
    """True when the user created or changed the answers of this assessment (any round)."""
    facts = _facts(user, assessment)
    if "edited" not in facts:
        facts["edited"] = assessment.audit_entries.filter(actor_id=user.pk, action__in=EDITING_ACTIONS).exists()
    return facts["edited"]


def stages_signed_this_round(user, assessment):
    facts = _facts(user, assessment)
    if "signed" not in facts:
        facts["signed"] = list(
            assessment.sign_offs.filter(
                reviewer_id=user.pk, review_round=assessment.review_round, invalidated_at__isnull=True
            ).values_list("stage", flat=True)
        )
    return facts["signed"]


def is_data_ai_reviewer_of(user, assessment):
    """A Data/AI reviewer who is not on the assessment's team (separation of duties)."""
    return (
        user.is_authenticated
        and user.is_active
        and roles.user_has_role(user, roles.DATA_AI)
        and not is_team_member(user, assessment)
    )


def may_add_bias_evidence(user, assessment):
    """The team, or a Data/AI reviewer from outside it (DESIGN section 5)."""
    return acts_for_team(user, assessment) or is_data_ai_reviewer_of(user, assessment)


def team_denial(user, assessment):
    if acts_for_team(user, assessment):
        return None
    return Denial("not_team_member", f"Only members of the team {assessment.feature.team.name} may do this.", 403)


def reviewer_denial(user, assessment):
    """Why this user may not decide at the current stage, or None when they may (or when no stage is current)."""
    if not user.is_authenticated or not user.is_active:
        return Denial("not_reviewer", "You must be signed in as a committee reviewer.", 403)
    domains = roles.user_domains(user)
    # A delegate acts with a domain's rights until the delegation ends, read at the service's clock.
    # (Read only when the user's own domains do not cover the stage; delegates are committee members.)
    if (not domains or (assessment.stage is not None and assessment.stage not in domains)) and roles.group_names(
        user
    ) & set(roles.COMMITTEE_GROUPS):
        delegated = acting_domains(user, getattr(assessment, "transition_now", None) or timezone.now())
    else:
        delegated = {}
    if not domains and not delegated:
        return Denial(
            "not_reviewer", "Only Legal, Security, Clinical, Product and Data/AI reviewers decide on assessments.", 403
        )
    if is_team_member(user, assessment):
        return Denial("own_team", "Separation of duties: you may not sign off an assessment of your own team.", 403)
    if edited_by(user, assessment):
        return Denial("edited_it", "Separation of duties: you may not sign off an assessment you edited.", 403)
    stage = assessment.stage
    if stage is None:
        return None  # the state decides; the service reports it as a conflict
    label = roles.DOMAIN_LABELS[stage]
    if stage not in domains and stage not in delegated:
        return Denial(
            "not_your_stage", f"This assessment is at {label} review; only {label} reviewers may decide now.", 409
        )
    signed = [s for s in stages_signed_this_round(user, assessment) if s != stage]
    if signed:
        other = roles.DOMAIN_LABELS.get(signed[0], signed[0])
        return Denial(
            "signed_other_stage",
            f"Separation of duties: you already signed {other} review in this round; "
            f"another person must sign {label} review.",
            403,
        )
    if stage in delegated and stage not in domains:
        if not domain_granted(stage, assessment):
            return Denial("no_sign_off_grant", f"{label} sign-off has not been granted on this assessment.", 403)
        return None
    if "sign_off_assessment" not in granted(user, assessment):
        return Denial("no_sign_off_grant", f"You have not been granted {label} sign-off on this assessment.", 403)
    return None


def system_denial(user, assessment):
    return Denial("system_only", "This happens on its own; nobody takes it by hand.", 403)


@dataclass(frozen=True)
class Permission:
    """Who may take a transition: the ``permission=`` of its ``@transition`` declaration, the one statement of it.

    ``actor`` says whom the transition is for ("team", "reviewer" or "system"); ``refusal(user, assessment)``
    gives the structured Denial (403 never, 409 not now) or None. Called as django-fsm calls a permission,
    ``(assessment, user)``, it answers whether the user may.
    """

    actor: str
    refusal: Callable

    def __call__(self, assessment, user):
        return self.refusal(user, assessment) is None


# The permissions the transition table names (assessments.models); the services and pages ask them through
# ``TransitionSpec.denial``.
team_may = Permission("team", team_denial)
reviewer_may = Permission("reviewer", reviewer_denial)
nobody_may = Permission("system", system_denial)


# -- comments on answers ---------------------------------------------------------------------------


def reviewer_comment_denial(user, assessment):
    """Why this user may not comment on an answer as a reviewer now, or None.

    The same people who may decide at the current stage may comment while deciding:
    a reviewer of another domain, the team, and anyone separation of duties excludes may not.
    """
    if assessment.stage is None:
        if user.is_authenticated and roles.user_domains(user) and not is_team_member(user, assessment):
            return Denial(
                "not_in_review",
                "Reviewers comment on answers only while the assessment is in review.",
                409,
            )
        return Denial("not_reviewer", "Only the reviewer deciding at the current stage comments on answers.", 403)
    return reviewer_denial(user, assessment)


def team_reply_denial(user, assessment):
    """Why this user may not reply to a reviewer's comment now, or None."""
    refusal = team_denial(user, assessment)
    if refusal is not None:
        return Denial(
            "not_team_member",
            f"Only members of the team {assessment.feature.team.name} reply to the committee's comments.",
            403,
        )
    if assessment.state not in REPLY_STATES:
        return Denial(
            "reply_closed",
            "Replies are open while changes are requested and during review; this assessment is "
            f"{assessment.get_state_display().lower()}.",
            409,
        )
    return None
