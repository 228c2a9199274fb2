"""Every role against every transition: only the rightful role may take it."""

import pytest

from accounts import roles
from assessments.errors import NotPermitted, TransitionConflict
from assessments.models import Assessment, State

from .factories import make_people
from .workflow import act, advance, create_draft

# A state from which each transition is valid, and who rightly takes it there.
SETUP = {
    "submit": (State.DRAFT, "team"),
    "withdraw": (State.LEGAL_REVIEW, "team"),
    "resubmit": (State.CHANGES_REQUESTED, "team"),
    "launch": (State.APPROVED, "team"),
    "start_reassessment": (State.LAUNCHED, "team"),
    "retire": (State.LAUNCHED, "team"),
    **dict.fromkeys(("approve", "request_changes", "reject"), (State.LEGAL_REVIEW, roles.LEGAL)),
}
ROLES = ["team", "teammate", "other_team", *roles.DOMAINS, "chair", "auditor", "admin", "nobody"]


def person(people, role):
    named = {
        "team": people.alice,
        "teammate": people.ben,
        "other_team": people.olga,
        "chair": people.chair,
        "auditor": people.auditor,
        "admin": people.admin,
        "nobody": people.nobody,
    }
    return named.get(role) or people.reviewers[role]


def rightful(role_needed, role):
    if role_needed == "team":
        return role in ("team", "teammate")
    return role == role_needed


@pytest.fixture(scope="module")
def at_state(module_db):
    """An assessment in each state of SETUP, made once for the module: ``{state: id}`` (each test acts on it in
    its own savepoint, rolled back after it)."""

    def make():
        people = make_people()
        return {state: advance(people, create_draft(people), state).pk for state, _ in set(SETUP.values())}

    return module_db(make)


@pytest.mark.parametrize("name", list(SETUP))
@pytest.mark.parametrize("role", ROLES)
def test_only_the_rightful_role_may_take_each_transition(people, at_state, name, role):
    state, needed = SETUP[name]
    assessment = Assessment.objects.get(pk=at_state[state])
    assert assessment.state == state
    user = person(people, role)
    if rightful(needed, role):
        moved = act(people, assessment, name, by=user)
        assert moved.state != state
    elif needed in roles.DOMAINS and role in roles.DOMAINS:
        # Another domain's reviewer: only the moment is wrong (it is not their stage), a conflict.
        with pytest.raises(TransitionConflict) as refused:
            act(people, assessment, name, by=user)
        assert [r.code for r in refused.value.reasons] == ["not_your_stage"]
        assert Assessment.objects.get(pk=assessment.pk).state == state
    else:
        with pytest.raises(NotPermitted) as denied:
            act(people, assessment, name, by=user)
        assert denied.value.message
        assert Assessment.objects.get(pk=assessment.pk).state == state


@pytest.mark.parametrize("stage_state", [State.SECURITY_REVIEW, State.CLINICAL_REVIEW, State.DATA_AI_REVIEW])
def test_reviewers_cannot_act_outside_their_stage(people, stage_state):
    assessment = advance(people, create_draft(people), stage_state)
    for domain, reviewer in people.reviewers.items():
        if domain == assessment.stage:
            continue
        for name in ("approve", "request_changes", "reject"):
            with pytest.raises(TransitionConflict) as refused:
                act(people, assessment, name, by=reviewer)
            label = roles.DOMAIN_LABELS[assessment.stage]
            assert refused.value.reasons[0].code == "not_your_stage"
            assert refused.value.message == (
                f"This assessment is at {label} review; only {label} reviewers may decide now."
            )
    assert Assessment.objects.get(pk=assessment.pk).state == stage_state


def test_sign_off_permission_moves_with_the_stage(people):
    assessment = advance(people, create_draft(people), State.SECURITY_REVIEW)
    assessment = Assessment.objects.get(pk=assessment.pk)
    assert not people.reviewers["legal"].has_perm("assessments.sign_off_assessment", assessment)
    security = type(people.reviewers["security"]).objects.get(pk=people.reviewers["security"].pk)
    assert security.has_perm("assessments.sign_off_assessment", assessment)
    # Never granted globally.
    assert not security.has_perm("assessments.sign_off_assessment")
