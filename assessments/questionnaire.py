"""The versioned questionnaire: loading, answer validation, visibility, hard stops, NIST coverage.

The questionnaire is data (``questionnaires/<version>.yaml``), checked strictly when
loaded so that a malformed file fails at start-up, not in front of a user.
"""

import math
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from .canonical import is_storable_text, normalise_number, unstorable_text
from .errors import Reason
from .frameworks import read_mappings
from .readability import flesch_kincaid_grade

QUESTIONNAIRE_DIR = Path(__file__).resolve().parent / "questionnaires"
TYPES = ("text", "long_text", "boolean", "single_choice", "multi_choice", "number")
KINDS = ("risk", "mitigation", "info")
DEFAULT_MAX_LENGTH = {"text": 300, "long_text": 10000}
NIST_ID = re.compile(r"^(GOVERN|MAP|MEASURE|MANAGE) \d+\.\d+$")
NIST_FUNCTIONS = ("GOVERN", "MAP", "MEASURE", "MANAGE")

AUDIENCE = "overview.audience"
DISCLOSURE = "transparency.disclosure_text"
# Audiences whose features must carry a plain-language disclosure.
DISCLOSED_AUDIENCES = ("clients", "therapists")
HARD_STOP_IDS = (
    "clinical.provides_therapy",
    "clinical.diagnoses_or_treats",
    "clinical.makes_clinical_decisions",
    "data.trained_on_therapy_conversations",
    "data.third_party_ai_in_therapy_communications",
)


@dataclass(frozen=True)
class Choice:
    value: object
    label: str
    score: int | None = None
    # Of a multi_choice: this choice excludes every other ("Internal staff only").
    exclusive: bool = False


@dataclass(frozen=True)
class Question:
    id: str
    section: str
    text: str
    help: str
    type: str
    required: bool
    kind: str
    nist: tuple = ()
    iso42005: tuple = ()
    eu_ai_act: tuple = ()
    choices: tuple = ()
    max_length: int | None = None
    min: float | None = None
    max: float | None = None
    show_if: dict | None = None
    hard_stop: dict | None = None

    @property
    def choice_values(self):
        return [c.value for c in self.choices]

    @property
    def exclusive_values(self):
        return [c.value for c in self.choices if c.exclusive]

    def choice_label(self, value):
        for choice in self.choices:
            if choice.value == value:
                return choice.label
        return str(value)

    def score_of(self, value):
        """Score of an answer (sum of selected choices for multi_choice)."""
        scores = {c.value: c.score or 0 for c in self.choices}
        if self.type == "multi_choice":
            return sum(scores.get(v, 0) for v in value or [])
        return scores.get(value, 0)

    @property
    def max_score(self):
        scores = [c.score or 0 for c in self.choices]
        if self.type == "multi_choice":
            return sum(scores)
        return max(scores, default=0)

    def stops(self, value):
        """True when this answer hits the question's hard stop."""
        if not self.hard_stop or value is None:
            return False
        when = self.hard_stop["when"]
        triggers = when if isinstance(when, list) else [when]
        if self.type == "multi_choice":
            return any(v in triggers for v in value)
        return any(value is t or (value == t and type(value) is type(t)) for t in triggers)


@dataclass
class Section:
    id: str
    title: str
    description: str = ""
    questions: list = field(default_factory=list)


class Questionnaire:
    def __init__(self, version, title, sections, questions):
        self.version = version
        self.title = title
        self.sections = sections
        self.questions = questions  # dict id -> Question, in file order
        for question in questions.values():
            sections[question.section].questions.append(question)

    # -- loading ---------------------------------------------------------------------------

    @classmethod
    def from_file(cls, path):
        with open(path, encoding="utf-8") as handle:
            data = yaml.safe_load(handle)
        return cls.from_data(data, source=str(path))

    @classmethod
    def from_data(cls, data, source="questionnaire"):
        problems = []

        def fail(message):
            problems.append(message)

        if not isinstance(data, dict):
            raise ImproperlyConfigured(f"{source}: not a mapping")
        sections = {}
        for raw in data.get("sections") or []:
            if raw.get("id") in sections:
                fail(f"section {raw.get('id')!r} defined twice")
            sections[raw["id"]] = Section(raw["id"], raw["title"], raw.get("description", ""))
        questions = {}
        allowed_keys = set(Question.__dataclass_fields__)
        for raw in data.get("questions") or []:
            qid = raw.get("id", "?")
            extra = set(raw) - allowed_keys
            if extra:
                fail(f"{qid}: unknown keys {sorted(extra)}")
                continue
            if qid in questions:
                fail(f"{qid}: defined twice")
            if raw.get("section") not in sections or not str(qid).startswith(f"{raw.get('section')}."):
                fail(f"{qid}: section must be one of the defined sections and prefix the id")
            if raw.get("type") not in TYPES:
                fail(f"{qid}: type must be one of {TYPES}")
            if raw.get("kind", "info") not in KINDS:
                fail(f"{qid}: kind must be one of {KINDS}")
            nist = tuple(raw.get("nist") or ())
            for ref in nist:
                if not NIST_ID.match(ref):
                    fail(f"{qid}: {ref!r} is not a NIST AI RMF subcategory id")
            mappings, mapping_problems = read_mappings(qid, raw)
            problems.extend(mapping_problems)
            choices = []
            for c in raw.get("choices") or ():
                unknown = set(c) - {"value", "label", "score", "exclusive"} if isinstance(c, dict) else {"?"}
                if unknown or "value" not in c:
                    fail(f"{qid}: a choice needs a value and may have only label, score and exclusive")
                    continue
                if not isinstance(c.get("exclusive", False), bool):
                    fail(f"{qid}: exclusive must be true or false")
                choices.append(
                    Choice(c["value"], str(c.get("label", c["value"])), c.get("score"), c.get("exclusive") is True)
                )
            choices = tuple(choices)
            kind = raw.get("kind", "info")
            qtype = raw.get("type")
            if any(c.exclusive for c in choices) and qtype != "multi_choice":
                fail(f"{qid}: only the choices of a multi_choice question can be exclusive")
            if qtype in ("single_choice", "multi_choice") and not choices:
                fail(f"{qid}: a choice question needs choices")
            if kind in ("risk", "mitigation"):
                if qtype not in ("boolean", "single_choice", "multi_choice"):
                    fail(f"{qid}: a {kind} question must be boolean or a choice")
                if not choices or any(not isinstance(c.score, int) or c.score < 0 for c in choices):
                    fail(f"{qid}: every choice of a {kind} question needs an integer score >= 0")
                if qtype == "boolean" and {c.value for c in choices} != {True, False}:
                    fail(f"{qid}: a scored boolean needs choices true and false")
            show_if = raw.get("show_if")
            if show_if is not None:
                target = show_if.get("question")
                operators = {"equals", "includes", "in"} & set(show_if)
                if target not in questions:
                    fail(f"{qid}: show_if must name an earlier question, not {target!r}")
                if len(operators) != 1:
                    fail(f"{qid}: show_if needs exactly one of equals, includes, in")
            hard_stop = raw.get("hard_stop")
            if hard_stop is not None and not {"when", "message"} <= set(hard_stop):
                fail(f"{qid}: hard_stop needs when and message")
            elif hard_stop is not None:
                # Pages and reasons add the "Hard stop" label themselves; keep the message without it.
                hard_stop = {**hard_stop, "message": _without_label(str(hard_stop["message"]))}
            questions[qid] = Question(
                id=qid,
                section=raw.get("section"),
                text=raw.get("text", ""),
                help=raw.get("help", ""),
                type=qtype,
                required=bool(raw.get("required", False)),
                kind=kind,
                nist=nist,
                iso42005=mappings["iso42005"],
                eu_ai_act=mappings["eu_ai_act"],
                choices=choices,
                max_length=raw.get("max_length", DEFAULT_MAX_LENGTH.get(qtype)),
                min=raw.get("min"),
                max=raw.get("max"),
                show_if=show_if,
                hard_stop=hard_stop,
            )
        for fixed in (AUDIENCE, DISCLOSURE, *HARD_STOP_IDS):
            if fixed not in questions:
                fail(f"the fixed question {fixed} is missing")
        for fixed in HARD_STOP_IDS:
            if fixed in questions and not questions[fixed].hard_stop:
                fail(f"{fixed} must be a hard stop")
        if problems:
            raise ImproperlyConfigured(f"{source}: " + "; ".join(problems))
        return cls(str(data["version"]), data.get("title", ""), sections, questions)

    # -- visibility --------------------------------------------------------------------------

    def is_visible(self, question, answers):
        condition = question.show_if
        if not condition:
            return True
        target = self.questions[condition["question"]]
        if not self.is_visible(target, answers):
            return False
        value = answers.get(target.id)
        if value is None:
            return False
        if "equals" in condition:
            expected = condition["equals"]
            return value == expected and type(value) is type(expected)
        if "includes" in condition:
            return isinstance(value, list) and condition["includes"] in value
        return value in condition["in"]

    def visible_answers(self, answers):
        return {
            qid: value
            for qid, value in answers.items()
            if qid in self.questions and self.is_visible(self.questions[qid], answers)
        }

    # -- validation --------------------------------------------------------------------------

    def clean(self, answers):
        """Validate answers for saving (a draft may be incomplete).

        Returns ``(cleaned, errors)``: ``errors`` maps a question id to a readable
        message; unknown ids are errors; empty values mean "not answered";
        answers to questions hidden by ``show_if`` are dropped.
        """
        if not isinstance(answers, dict):
            return {}, {"answers": "Answers must be an object mapping question ids to values."}
        errors = {}
        cleaned = {}
        for qid, value in answers.items():
            question = self.questions.get(qid)
            if question is None:
                name = str(qid)[:100]
                # A key that is not text cannot name its own error: say so under a printable name.
                errors[name if is_storable_text(name) else ascii(name)] = f"Unknown question id {name!r}."
                continue
            if _is_empty(value):
                continue
            message, value = _check_value(question, value)
            if message:
                errors[qid] = f"{question.text} — {message}"
            else:
                cleaned[qid] = value
        if errors:
            return None, errors
        return self.visible_answers(cleaned), {}

    def is_required(self, question, answers):
        """Whether ``question`` must be answered to submit these answers: a visible required question, or the
        disclosure once the audience includes clients or therapists."""
        if question.id == DISCLOSURE and self.needs_disclosure(answers):
            return True
        return question.required and self.is_visible(question, answers)

    def missing_required(self, answers):
        """Questions required for these answers (``is_required``) without an answer, in questionnaire order."""
        return [q for q in self.questions.values() if q.id not in answers and self.is_required(q, answers)]

    def needs_disclosure(self, answers):
        audience = answers.get(AUDIENCE) or []
        return any(a in DISCLOSED_AUDIENCES for a in audience)

    def hard_stops(self, answers):
        """``(question, message)`` for every visible answer that hits a hard stop."""
        visible = self.visible_answers(answers)
        return [
            (q, q.hard_stop["message"]) for q in self.questions.values() if q.id in visible and q.stops(visible[q.id])
        ]

    def submit_blockers(self, answers):
        """Why these answers cannot be submitted: structured reasons, worded with the questions' text."""
        reasons = [
            Reason("answer_required", f"Answer required: {q.text}", q.id) for q in self.missing_required(answers)
        ]
        reasons.extend(Reason("hard_stop", f"Hard stop: {message}", q.id) for q, message in self.hard_stops(answers))
        disclosure = answers.get(DISCLOSURE)
        if disclosure and self.needs_disclosure(answers):
            grade = flesch_kincaid_grade(disclosure)
            limit = settings.DISCLOSURE_MAX_GRADE
            if grade > limit:
                reasons.append(
                    Reason(
                        "disclosure_too_hard",
                        f"The plain-language disclosure reads at grade {grade:.1f}; plain language means grade "
                        f"{limit} or lower. Use shorter sentences and simpler words.",
                        DISCLOSURE,
                    )
                )
        return reasons

    # -- NIST AI RMF coverage -----------------------------------------------------------------

    def nist_coverage(self, answers):
        """Subcategories addressed by the answered, visible questions, grouped by function."""
        visible = self.visible_answers(answers)
        covered = {f: set() for f in NIST_FUNCTIONS}
        for qid in visible:
            for ref in self.questions[qid].nist:
                covered[ref.split()[0]].add(ref)
        return {f: sorted(refs, key=_nist_sort_key) for f, refs in covered.items()}

    def all_nist_subcategories(self):
        refs = {ref for q in self.questions.values() for ref in q.nist}
        return sorted(refs, key=lambda r: (NIST_FUNCTIONS.index(r.split()[0]), _nist_sort_key(r)))

    # -- export ----------------------------------------------------------------------------

    def as_data(self):
        """The questionnaire as plain data, with the same fields as the YAML."""
        return {
            "version": self.version,
            "title": self.title,
            "sections": [{"id": s.id, "title": s.title, "description": s.description} for s in self.sections.values()],
            "questions": [_question_data(q) for q in self.questions.values()],
        }


def _question_data(question):
    data = {
        "id": question.id,
        "section": question.section,
        "text": question.text,
        "help": question.help,
        "type": question.type,
        "required": question.required,
        "kind": question.kind,
        "nist": list(question.nist),
        "iso42005": list(question.iso42005),
        "eu_ai_act": list(question.eu_ai_act),
        "choices": [
            {"value": c.value, "label": c.label, "score": c.score, **({"exclusive": True} if c.exclusive else {})}
            for c in question.choices
        ],
    }
    for key in ("max_length", "min", "max", "show_if", "hard_stop"):
        value = getattr(question, key)
        if value is not None:
            data[key] = value
    return data


def _without_label(message):
    text = " ".join(message.split())
    if text.lower().startswith("hard stop:"):
        text = text[len("hard stop:") :].strip()
    return text[:1].upper() + text[1:]


def _nist_sort_key(ref):
    function, number = ref.split()
    major, minor = number.split(".")
    return (function, int(major), int(minor))


def _is_empty(value):
    return value is None or (isinstance(value, str) and not value.strip()) or value == []


def _check_value(question, value):
    """Return ``(error message or None, normalised value)``."""
    qtype = question.type
    if qtype in ("text", "long_text"):
        if not isinstance(value, str):
            return "must be text.", value
        value = value.strip()
        if question.max_length and len(value) > question.max_length:
            return f"is {len(value)} characters long; the limit is {question.max_length}.", value
        problem = unstorable_text(value)
        if problem:
            return problem, value
        return None, value
    if qtype == "boolean":
        if not isinstance(value, bool):
            return "must be yes or no (true or false).", value
        return None, value
    if qtype == "single_choice":
        if not isinstance(value, str) or value not in question.choice_values:
            return f"{_short(value)} is not one of the choices: {', '.join(map(str, question.choice_values))}.", value
        return None, value
    if qtype == "multi_choice":
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            return "must be a list of choices.", value
        unknown = [v for v in value if v not in question.choice_values]
        if unknown:
            return (
                f"{_short(unknown[0])} is not one of the choices: {', '.join(map(str, question.choice_values))}.",
                value,
            )
        picked = [v for v in question.choice_values if v in value]
        alone = [c for c in question.choices if c.exclusive and c.value in picked]
        if alone and len(picked) > 1:
            return f"“{alone[0].label}” excludes the other choices: choose it alone, or untick it.", value
        # Keep the questionnaire's order and drop repeats, so equal selections hash equally.
        return None, picked
    if qtype == "number":
        if not is_finite_number(value):
            return "must be a number.", value
        if abs(value) > MAX_NUMBER:
            return f"is too large; the limit is {MAX_NUMBER:,}.", value
        if question.min is not None and value < question.min:
            return f"must be at least {question.min}.", value
        if question.max is not None and value > question.max:
            return f"must be at most {question.max}.", value
        # Stored as the database gives it back (-0.0 as 0, 1e2 as 100), so it hashes alike everywhere.
        return None, normalise_number(value)
    return "has an unknown type.", value


# Larger magnitudes lose precision in JSON and databases; no answer needs them.
MAX_NUMBER = 10**15


def is_finite_number(value):
    """A real int or float (not a bool), finite; huge ints are checked without float overflow."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return isinstance(value, int) or math.isfinite(value)


def _short(value):
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


@cache
def get_questionnaire(version=None):
    version = version or settings.QUESTIONNAIRE_VERSION
    if not re.fullmatch(r"[A-Za-z0-9_.-]+", version):
        raise ImproperlyConfigured(f"Bad questionnaire version {version!r}")
    path = QUESTIONNAIRE_DIR / f"{version}.yaml"
    if not path.exists():
        raise ImproperlyConfigured(f"No questionnaire {version!r} at {path}")
    return Questionnaire.from_file(path)


def current_questionnaire():
    return get_questionnaire(settings.QUESTIONNAIRE_VERSION)
