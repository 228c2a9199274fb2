"""Complete, valid answers built from the questionnaire itself, for tests."""

from assessments.questionnaire import DISCLOSURE, current_questionnaire, get_questionnaire

PLAIN_DISCLOSURE = (
    "We use a computer program to help sort your intake form. "
    "A person on our care team reads every form. The program does not give therapy."
)


def complete_answers(**overrides):
    """Lowest-risk valid answer to every question of the current questionnaire, with ``overrides`` applied."""
    return _complete(current_questionnaire(), overrides)


def complete_answers_for(version, **overrides):
    """The same for questionnaire ``version`` (an older one, for history recorded on it)."""
    return _complete(get_questionnaire(version), overrides)


def _complete(questionnaire, overrides):
    answers = {}
    for question in questionnaire.questions.values():
        answers[question.id] = _safe_value(question)
    answers[DISCLOSURE] = PLAIN_DISCLOSURE
    answers.update(overrides)
    cleaned, errors = questionnaire.clean(answers)
    assert not errors, errors
    return cleaned


def _safe_value(question):
    if question.type == "boolean":
        if question.hard_stop:
            return not question.hard_stop["when"]
        if question.choices:
            return min(question.choices, key=lambda c: _rank(question, c)).value
        return False
    if question.type == "single_choice":
        candidates = [c for c in question.choices if not question.stops(c.value)]
        return min(candidates, key=lambda c: _rank(question, c)).value
    if question.type == "multi_choice":
        if question.id == "overview.audience":
            return ["clients"]
        if question.id == "bias.relevant_dimensions":
            return []  # only race, religion and gender then need evidence
        candidates = [c for c in question.choices if not question.stops([c.value])]
        return [min(candidates, key=lambda c: _rank(question, c)).value]
    if question.type == "number":
        return question.min if question.min is not None else 1
    if question.type == "long_text":
        return f"A considered answer to: {question.text}"[: question.max_length or 300]
    return f"Answer to {question.id}"[: question.max_length or 300]


def _rank(question, choice):
    score = choice.score or 0
    # Lowest risk, strongest mitigation.
    return -score if question.kind == "mitigation" else score
