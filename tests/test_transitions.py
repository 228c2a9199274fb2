"""Every transition from every state: allowed ones succeed, the rest are refused with a reason."""

import pytest

from assessments.errors import TransitionConflict
from assessments.models import Assessment, AuditEntry, State
from assessments.transitions import user_transitions

from .workflow import act, advance, create_draft

TRANSITIONS = list(user_transitions())

REVIEWS = {
    State.LEGAL_REVIEW: State.SECURITY_REVIEW,
    State.SECURITY_REVIEW: State.CLINICAL_REVIEW,
    State.CLINICAL_REVIEW: State.PRODUCT_REVIEW,
    State.PRODUCT_REVIEW: State.DATA_AI_REVIEW,
    State.DATA_AI_REVIEW: State.APPROVED,
}
ALLOWED = {
    State.DRAFT: {"submit": State.LEGAL_REVIEW, "withdraw": State.WITHDRAWN},
    **{
        review: {
            "approve": following,
            "request_changes": State.CHANGES_REQUESTED,
            "reject": State.REJECTED,
            "withdraw": State.WITHDRAWN,
        }
        for review, following in REVIEWS.items()
    },
    State.CHANGES_REQUESTED: {"resubmit": State.LEGAL_REVIEW, "withdraw": State.WITHDRAWN},
    State.APPROVED: {"launch": State.LAUNCHED},
    State.LAUNCHED: {"start_reassessment": State.REASSESSMENT_DUE, "retire": State.RETIRED},
    State.REASSESSMENT_DUE: {"retire": State.RETIRED},
    State.REJECTED: {},
    State.WITHDRAWN: {},
    State.RETIRED: {},
    State.SUPERSEDED: {},
}


def actor_for(people, assessment, name):
    """The person who would rightly take ``name`` now (the stage's reviewer, or the team)."""
    if name in ("approve", "request_changes", "reject"):
        stage = assessment.stage or "legal"
        return people.reviewers[stage]
    return people.alice


def test_the_table_covers_every_state_and_transition():
    assert set(ALLOWED) == set(State)
    assert {n for moves in ALLOWED.values() for n in moves} == set(TRANSITIONS)


@pytest.mark.parametrize("state", list(State), ids=str)
def test_refused_transitions_leave_the_state_unchanged(people, state):
    assessment = advance(people, create_draft(people), state)
    audit_rows = AuditEntry.objects.count()
    for name in TRANSITIONS:
        if name in ALLOWED[state]:
            continue
        with pytest.raises(TransitionConflict) as refused:
            act(people, assessment, name, by=actor_for(people, assessment, name))
        assert refused.value.reasons, name
        assert assessment.get_state_display() in refused.value.message
        assert Assessment.objects.get(pk=assessment.pk).state == state
    assert AuditEntry.objects.count() == audit_rows


@pytest.mark.parametrize(
    ("state", "name"), [(s, n) for s, moves in ALLOWED.items() for n in moves], ids=lambda v: str(v)
)
def test_allowed_transitions_reach_their_target(people, state, name):
    assessment = advance(people, create_draft(people), state)
    moved = act(people, assessment, name, by=actor_for(people, assessment, name))
    expected = ALLOWED[state][name]
    assert moved.state == expected
    assert Assessment.objects.get(pk=assessment.pk).state == expected
    entry = AuditEntry.objects.filter(assessment_id=assessment.pk).last()
    assert (entry.transition, entry.from_state, entry.to_state) == (name, state, expected)
    assert entry.actor_username == actor_for(people, assessment, name).username


def test_state_cannot_be_written_directly(people):
    assessment = create_draft(people)
    with pytest.raises(AttributeError):
        assessment.state = State.APPROVED


def test_start_reassessment_opens_a_new_draft_version(people):
    launched = advance(people, create_draft(people, name="Intake summary"), State.LAUNCHED)
    act(people, launched, "start_reassessment")
    versions = list(launched.feature.assessments.order_by("version").values_list("version", "state"))
    assert versions == [(1, State.REASSESSMENT_DUE), (2, State.DRAFT)]
    new = launched.feature.assessments.get(version=2)
    assert new.answers == launched.answers


def test_approving_a_new_version_supersedes_the_previous_one(people):
    superseded = advance(people, create_draft(people), State.SUPERSEDED)
    assert superseded.state == State.SUPERSEDED
    latest = superseded.feature.assessments.get(version=2)
    assert latest.state == State.APPROVED


def test_launch_sets_the_next_review_by_risk_level(people, settings):
    launched = advance(people, create_draft(people), State.LAUNCHED)
    days = settings.REREVIEW_INTERVAL_DAYS[launched.risk_level]
    assert (launched.next_review_due - launched.launched_at.date()).days == days


def test_request_changes_and_reject_need_a_comment(people):
    from assessments.errors import InputError

    assessment = advance(people, create_draft(people), State.LEGAL_REVIEW)
    for name in ("request_changes", "reject"):
        with pytest.raises(InputError) as error:
            act(people, assessment, name, comment="  ")
        assert "comment" in error.value.errors
    assert Assessment.objects.get(pk=assessment.pk).state == State.LEGAL_REVIEW


def test_an_unknown_transition_is_refused_clearly(people):
    from assessments.errors import InputError

    assessment = create_draft(people)
    with pytest.raises(InputError) as error:
        act(people, assessment, "publish")
    assert "Unknown transition" in error.value.errors["name"]


def test_a_stale_page_gets_a_conflict(people):
    assessment = advance(people, create_draft(people), State.SECURITY_REVIEW)
    with pytest.raises(TransitionConflict) as conflict:
        act(people, assessment, "approve", expected_state=State.LEGAL_REVIEW)
    assert "moved to Security review" in conflict.value.message
