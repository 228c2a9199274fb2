"""Each group of states in ``assessments/states.py`` is the rule the behaviour follows, state for state.

Every test puts an assessment in each of the 14 states in turn and asks the real service (or the transition
table) whether the thing is allowed. The states where it is must be the group (so the behaviour reads the
group, not a list of its own) and the policy written out here (so adding a state to a group, or removing
one, turns the matching test red).
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from assessments import services, transitions
from assessments.errors import TransitionConflict
from assessments.models import Assessment, EvidenceKind, QuestionComment, State
from assessments.states import (
    BIAS_EVIDENCE_STATES,
    DECISION_STATES,
    EDITABLE_STATES,
    MONITORING_STATES,
    REGISTER_STATES,
    REPLY_STATES,
    REVIEW_STATES,
    SUPERSEDED_BY_APPROVAL_STATES,
    TERMINAL_STATES,
    WITHDRAWABLE_STATES,
)

from .workflow import EVIDENCE, act, advance, bias_rows, create_draft

pytestmark = pytest.mark.django_db

REVIEW = {
    State.LEGAL_REVIEW,
    State.SECURITY_REVIEW,
    State.CLINICAL_REVIEW,
    State.PRODUCT_REVIEW,
    State.DATA_AI_REVIEW,
}
# The policy (DESIGN sections 2, 5 and 7), written out once more on purpose: the groups must say this.
EDITABLE = {State.DRAFT, State.CHANGES_REQUESTED}
TAKES_APPROVAL_EVIDENCE = {State.DRAFT, State.CHANGES_REQUESTED, *REVIEW}
TAKES_MONITORING_EVIDENCE = {State.LAUNCHED}
REPLIES_OPEN = {State.CHANGES_REQUESTED, *REVIEW}
WITHDRAWABLE = {State.DRAFT, State.CHANGES_REQUESTED, *REVIEW}
TERMINAL = {State.REJECTED, State.WITHDRAWN, State.RETIRED, State.SUPERSEDED}
IN_FORCE = {State.APPROVED, State.LAUNCHED, State.REASSESSMENT_DUE}
DECISIONS = {State.APPROVED, State.CHANGES_REQUESTED, State.REJECTED}


def put_in(assessment, state):
    """Move the row to ``state`` behind the state machine's back (only the rule under test is asked)."""
    Assessment.objects.filter(pk=assessment.pk).update(state=state)
    return Assessment.objects.select_related("feature__team__group").get(pk=assessment.pk)


def states_where(assessment, allowed):
    return {state for state in State if allowed(put_in(assessment, state))}


def test_answers_can_be_edited_in_exactly_the_editable_states(people):
    draft = create_draft(people)

    def edits(assessment):
        try:
            services.assessment_update_answers(assessment=assessment, answers={}, by=people.alice)
        except TransitionConflict as refusal:
            assert refusal.reasons[0].code == "not_editable"
            return False
        return True

    assert states_where(draft, edits) == set(EDITABLE_STATES) == EDITABLE


def test_bias_evidence_is_taken_in_exactly_its_states_and_monitoring_after_launch(people):
    draft = create_draft(people)
    taken = {}

    def adds(assessment):
        try:
            rows = services.bias_results_add(
                assessment=assessment, rows=bias_rows(("race",)), by=people.alice, description=EVIDENCE
            )
        except TransitionConflict:
            return False
        taken[assessment.state] = {row.kind for row in rows}
        return True

    assert states_where(draft, adds) == TAKES_APPROVAL_EVIDENCE | TAKES_MONITORING_EVIDENCE
    assert {state for state, kinds in taken.items() if kinds == {EvidenceKind.APPROVAL}} == set(BIAS_EVIDENCE_STATES)
    assert set(BIAS_EVIDENCE_STATES) == TAKES_APPROVAL_EVIDENCE
    assert {state for state, kinds in taken.items() if kinds == {EvidenceKind.MONITORING}} == set(MONITORING_STATES)
    assert set(MONITORING_STATES) == TAKES_MONITORING_EVIDENCE


def test_the_team_replies_to_reviewers_comments_in_exactly_the_reply_states(people):
    assessment = advance(people, create_draft(people), State.LEGAL_REVIEW)
    comment = services.question_comment_add(
        assessment=assessment, question="overview.audience", text="Which clinics?", by=people.reviewers["legal"]
    )
    assessment = act(people, assessment, "request_changes")
    assert QuestionComment.objects.get(pk=comment.pk).is_shared

    def replies(assessment):
        try:
            services.question_comment_add(
                assessment=assessment, question="", text="All of them.", by=people.alice, reply_to=comment.pk
            )
        except TransitionConflict as refusal:
            assert refusal.reasons[0].code == "reply_closed"
            return False
        return True

    assert states_where(assessment, replies) == set(REPLY_STATES) == REPLIES_OPEN


def test_withdraw_is_offered_in_exactly_the_withdrawable_states(people):
    draft = create_draft(people)
    assert set(transitions.get("withdraw").sources) == set(WITHDRAWABLE_STATES)

    def withdraws(assessment):
        return services.transition_refusal(assessment=assessment, name="withdraw", by=people.alice) is None

    assert states_where(draft, withdraws) == set(WITHDRAWABLE_STATES) == WITHDRAWABLE


def test_reviewers_decide_in_exactly_the_review_states():
    for name in ("approve", "request_changes", "reject"):
        assert set(transitions.get(name).sources) == set(REVIEW_STATES) == REVIEW, name


def test_no_transition_leaves_a_terminal_state():
    left = {source for spec in transitions.table().values() for source in spec.sources}
    assert set(State) - left == set(TERMINAL_STATES) == TERMINAL


def test_approving_a_version_supersedes_the_earlier_versions_in_exactly_the_superseded_by_approval_states(people):
    newest = create_draft(people)
    Assessment.objects.filter(pk=newest.pk).update(version=100)
    newest.refresh_from_db()
    older = {}
    for version, state in enumerate(State, start=1):
        earlier = Assessment.objects.create(
            feature=newest.feature,
            version=version,
            questionnaire_version=newest.questionnaire_version,
            answers=newest.answers,
            created_by=people.alice,
        )
        older[state] = put_in(earlier, state)

    advance(people, newest, State.APPROVED)

    superseded = {state for state, row in older.items() if Assessment.objects.get(pk=row.pk).state != state}
    assert superseded == set(SUPERSEDED_BY_APPROVAL_STATES) == IN_FORCE
    assert all(Assessment.objects.get(pk=older[s].pk).state == State.SUPERSEDED for s in superseded)


def test_the_weekly_summary_counts_as_decisions_exactly_the_states_reviewers_decisions_end_in(people):
    from committee.weekly import week_figures
    from reports import analytics

    start = timezone.now() - timedelta(hours=1)
    act(people, advance(people, create_draft(people), State.LEGAL_REVIEW), "reject")
    advance(people, create_draft(people), State.CHANGES_REQUESTED)
    advance(people, create_draft(people), State.APPROVED)  # four approvals move it on; the fifth decides
    now = timezone.now() + timedelta(hours=1)

    figures = week_figures(start, now, now)
    assert figures.decisions == dict.fromkeys(DECISIONS, 1)
    assert set(DECISION_STATES) == DECISIONS
    assert [state for state, _ in analytics.DECISIONS] == list(DECISION_STATES)


def test_the_public_register_lists_versions_in_exactly_the_register_states(people):
    from reports.register import register_assessments

    by_pk = {put_in(create_draft(people), state).pk: state for state in State}

    listed = {by_pk[a.pk] for a in register_assessments() if a.pk in by_pk}
    assert listed == set(REGISTER_STATES) == IN_FORCE


def test_open_conditions_are_reminded_unless_their_assessment_ended(people):
    from assessments.models import Condition
    from committee.schedule import schedules_restart

    assessment = advance(people, create_draft(people), State.DATA_AI_REVIEW)
    act(people, assessment, "approve", conditions=[{"text": "Publish it.", "due_date": "2099-01-01"}])
    condition = Condition.objects.get(assessment=assessment)

    def reminded(assessment):
        schedules_restart(assessments=Assessment, conditions=Condition)
        return Condition.objects.get(pk=condition.pk).next_reminder_on is not None

    assert set(State) - states_where(assessment, reminded) == set(TERMINAL_STATES) == TERMINAL
