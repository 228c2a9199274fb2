from assessments.models import State

from .workflow import advance, create_draft


def test_an_assessment_goes_from_draft_to_superseded(people):
    assessment = create_draft(people)
    for state in (State.APPROVED, State.LAUNCHED):
        assessment = advance(people, assessment, state)
        assert assessment.state == state
    superseded = advance(people, create_draft(people), State.SUPERSEDED)
    assert superseded.state == State.SUPERSEDED
