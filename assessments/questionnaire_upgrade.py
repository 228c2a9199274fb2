"""Moving answers from one questionnaire version to the next (``questionnaires/upgrades/<from>-<to>.yaml``).

A re-assessment of a feature assessed on an older questionnaire starts on the current one, pre-filled
through the documented mapping: each old question id names the new question that asks the same thing.
The mapping is checked when loaded, against both questionnaires, so an answer is never carried into a
question of another type or with choices it does not offer.
"""

from dataclasses import dataclass
from functools import cache

import yaml
from django.core.exceptions import ImproperlyConfigured

from .questionnaire import QUESTIONNAIRE_DIR, get_questionnaire

UPGRADES_DIR = QUESTIONNAIRE_DIR / "upgrades"


@dataclass(frozen=True)
class Upgrade:
    source: str
    target: str
    answers: dict  # old question id -> new question id
    dropped: dict  # old question id -> why its answer is not carried

    @classmethod
    def from_data(cls, data, source_questionnaire, target_questionnaire, origin="upgrade"):
        problems = []
        if not isinstance(data, dict):
            raise ImproperlyConfigured(f"{origin}: not a mapping")
        if data.get("from") != source_questionnaire.version or data.get("to") != target_questionnaire.version:
            problems.append(f"from and to must be {source_questionnaire.version} and {target_questionnaire.version}")
        answers = data.get("answers") or {}
        dropped = data.get("dropped") or {}
        if not isinstance(answers, dict) or not isinstance(dropped, dict):
            raise ImproperlyConfigured(f"{origin}: answers and dropped must be mappings")
        old_questions, new_questions = source_questionnaire.questions, target_questionnaire.questions
        for qid in old_questions:
            if (qid in answers) == (qid in dropped):
                problems.append(f"{qid}: map it to a new question or list it under dropped with a reason, once")
        for qid in set(answers) | set(dropped):
            if qid not in old_questions:
                problems.append(f"{qid}: not a question of {source_questionnaire.version}")
        for qid, reason in dropped.items():
            if not isinstance(reason, str) or not reason.strip():
                problems.append(f"{qid}: say why its answer is dropped")
        targets = list(answers.values())
        for target in {t for t in targets if targets.count(t) > 1}:
            problems.append(f"{target}: two old answers map to it")
        for qid, target in answers.items():
            old, new = old_questions.get(qid), new_questions.get(target)
            if old is None:
                continue
            if new is None:
                problems.append(f"{qid}: {target!r} is not a question of {target_questionnaire.version}")
            elif new.type != old.type:
                problems.append(f"{qid}: is {old.type} but {target} is {new.type}")
            elif missing := [v for v in old.choice_values if v not in new.choice_values]:
                problems.append(f"{qid}: {target} has no choice {missing[0]!r}")
        if problems:
            raise ImproperlyConfigured(f"{origin}: " + "; ".join(problems))
        return cls(source_questionnaire.version, target_questionnaire.version, dict(answers), dict(dropped))

    def carry(self, answers):
        """The old answers under their new ids (not yet validated against the new questionnaire)."""
        return {self.answers[qid]: value for qid, value in answers.items() if qid in self.answers}


@cache
def get_upgrade(source, target):
    path = UPGRADES_DIR / f"{source}-{target}.yaml"
    if not path.exists():
        raise ImproperlyConfigured(f"No answer mapping from questionnaire {source} to {target} at {path}")
    with open(path, encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    return Upgrade.from_data(data, get_questionnaire(source), get_questionnaire(target), origin=str(path))


@dataclass(frozen=True)
class UpgradedAnswers:
    answers: dict  # valid answers to the target questionnaire
    carried: tuple  # target question ids pre-filled from the old answers
    asked: tuple  # visible target questions nobody has answered yet: what the team is asked anew


def upgrade_answers(*, answers, source, target):
    """Answers of questionnaire ``source`` moved to ``target``, with what was carried and what is asked anew.

    An answer that no longer validates (a limit that tightened) is left out, so the team answers it again
    rather than meeting an error on a draft it did not write.
    """
    questionnaire = get_questionnaire(target)
    moved = dict(answers) if source == target else get_upgrade(source, target).carry(answers)
    cleaned, errors = questionnaire.clean(moved)
    if errors:
        cleaned, _ = questionnaire.clean({qid: v for qid, v in moved.items() if qid not in errors})
        cleaned = cleaned or {}
    asked = tuple(
        q.id for q in questionnaire.questions.values() if q.id not in cleaned and questionnaire.is_visible(q, cleaned)
    )
    return UpgradedAnswers(cleaned, tuple(cleaned), asked)
