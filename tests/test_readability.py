"""The hand-written Flesch-Kincaid grade of assessments/readability.py, its sentences, and its refusals.

Grades worked out by hand: grade = 0.39 words/sentences + 11.8 syllables/words - 15.59.
"""

import random
import re

import pytest

from assessments import readability
from assessments.errors import TransitionConflict
from assessments.models import State
from assessments.questionnaire import DISCLOSURE, current_questionnaire

from .workflow import act, create_draft

# 6 words, 1 sentence, 6 syllables: 0.39*6 + 11.8 - 15.59 = -1.45, exactly half a tenth; half to even: -1.4.
CAT = "The cat sat on the mat."
# 10 words, 1 sentence, 15 syllables (dif-fer-ent, ther-a-pist, an-y): 3.9 + 17.7 - 15.59 = 6.01.
GRADE_6 = "You can ask for a different therapist at any time."
GRADE_6_TWO_SENTENCES = "If you prefer, a coordinator will match you by hand instead. A person checks each suggestion."
GRADE_6_1 = (
    "The software never diagnoses conditions or recommends treatment. We keep your answers private. "
    "Questions? Write to our support team."
)
AT_GRADE_8 = (
    "You can ask for a different therapist at any time. Licensed care coordinators review each automated "
    "suggestion before it reaches you. Questions? Write to our support team."
)
GRADE_8_1 = (
    "You can ask for a different therapist at any time. The software never diagnoses conditions or recommends "
    "treatment. If you prefer, a coordinator will match you by hand instead."
)
GRADE_12 = (
    "You can ask for a different therapist at any time. Our matching system considers your stated preferences, "
    "availability and insurance information. Licensed care coordinators review each automated suggestion before "
    "it reaches you. It does not read your messages."
)


@pytest.mark.parametrize(
    ("word", "syllables"),
    [
        ("cat", 1),
        ("the", 1),
        ("care", 1),  # silent e: one vowel group left
        ("water", 2),
        ("people", 2),
        ("little", 2),  # -le is a syllable
        ("agree", 2),
        ("program", 2),
        ("computer", 3),
        ("therapist", 3),
        ("suggestion", 3),
        ("university", 5),
        ("recommendation", 5),
        ("don't", 1),
        ("AI", 1),
    ],
)
def test_syllables_of_known_words(word, syllables):
    assert readability.count_syllables(word) == syllables


@pytest.mark.parametrize(
    ("text", "grade"),
    [
        (CAT, -1.4),
        (GRADE_6, 6.0),
        (GRADE_6_TWO_SENTENCES, 6.0),
        (GRADE_6_1, 6.1),
        (AT_GRADE_8, 8.0),
        (GRADE_8_1, 8.1),
        (GRADE_12, 12.0),
        ("", 0.0),
        ("123 456 !!!", 0.0),
    ],
)
def test_grades_of_known_texts(text, grade):
    assert readability.flesch_kincaid_grade(text) == grade


def test_the_grade_is_exact_and_rounds_half_to_even():
    # 6 words, 1 sentence, 6 syllables: -1.45 exactly, to -1.4. 6 words, 12 syllables: 10.35 exactly, to 10.4;
    # 10 words, 18 syllables: 9.55, to 9.6. Floating point would see 10.349999... or 9.5500001 and guess.
    assert readability.grade_tenths(6, 1, 6) == -14
    assert readability.grade_tenths(6, 1, 12) == 104
    assert readability.grade_tenths(10, 1, 18) == 96


def test_the_exact_grade_agrees_with_the_formula_away_from_ties():
    chooser = random.Random(11)
    for _ in range(5000):
        words, sentences = chooser.randint(1, 400), chooser.randint(1, 40)
        syllables = chooser.randint(words, 4 * words)
        exact = 0.39 * words / sentences + 11.8 * syllables / words - 15.59
        if abs(exact * 10 - round(exact * 10) - 0.5) < 1e-6 or abs(exact * 10 - round(exact * 10) + 0.5) < 1e-6:
            continue
        assert readability.grade_tenths(words, sentences, syllables) == round(exact * 10)


def test_the_grade_ignores_whitespace_and_counts_a_last_sentence_without_a_full_stop():
    assert readability.flesch_kincaid_grade("  \n" + AT_GRADE_8 + "\n\n ") == 8.0
    assert readability.flesch_kincaid_grade("One short line") == readability.flesch_kincaid_grade("One short line.")


def test_sentences_are_split_at_end_marks_and_collapsed():
    text = "First one here.  Second\n one!!\tThird? !!! and a last one without a stop"

    stats = readability.sentence_stats(text)

    assert [s.text for s in stats] == [
        "First one here.",
        "Second one!!",
        "Third?",
        "and a last one without a stop",  # the lone "!!!" is no sentence
    ]
    assert [s.index for s in stats] == [0, 1, 2, 3]
    assert [s.words for s in stats] == [3, 2, 1, 7]
    assert text[stats[1].start : stats[1].end] == " Second\n one!!\t"
    # A decimal point or an abbreviation without a space after it ends nothing.
    assert [s.text for s in readability.sentence_stats("It costs 3.5 dollars, e.g.in a shop. Yes.")] == [
        "It costs 3.5 dollars, e.g.in a shop.",
        "Yes.",
    ]


def test_each_sentence_has_its_own_grade():
    (only,) = readability.sentence_stats(GRADE_6)
    assert (only.words, only.syllables, only.grade) == (10, 15, 6.0)
    assert only.as_data() == {"index": 0, "text": GRADE_6, "words": 10, "syllables": 15, "grade": 6.0}


def test_the_hardest_sentences_come_first_then_the_longest_then_the_earliest():
    text = (
        "Short words here. "
        "Our matching system considers your stated preferences, availability and insurance information. "
        "Go now. "
        "Licensed care coordinators review each automated suggestion before it reaches you."
    )

    hardest = readability.hardest_sentences(text, 3)

    assert [(s.index, s.words, s.grade) for s in hardest] == [(1, 11, 19.8), (3, 11, 15.5), (0, 3, -2.6)]
    # Equal grades and lengths: the earlier one first.
    assert [s.index for s in readability.hardest_sentences("Cats nap. Dogs nap. Cats nap all day.", 3)] == [2, 0, 1]
    assert readability.hardest_sentences("", 3) == []


def test_the_browsers_patterns_are_the_ones_the_server_uses():
    """static/js/hyphenation-en-us.js is exactly what ``manage.py export_hyphenation`` writes from pyphen now."""
    from django.conf import settings

    from assessments.management.commands.export_hyphenation import TARGET, hyphenation_script

    assert TARGET == settings.BASE_DIR / "static" / "js" / "hyphenation-en-us.js"
    assert TARGET.read_text(encoding="utf-8") == hyphenation_script()


def test_only_patterns_that_can_match_a_word_are_left_out():
    all_patterns = readability._dictionary().hd.patterns
    exported = readability.pattern_table()
    left_out = set(all_patterns) - set(exported)
    assert left_out, "the dictionary has ligature and non-ASCII patterns"
    assert all(not re.fullmatch(r"[a-z'.]+", p) for p in left_out)


# -- the guard: a disclosure above the limit is refused with its grade ------------------------------------


def refusal_of(people, text):
    assessment = create_draft(people, **{DISCLOSURE: text, "overview.audience": ["clients"]})
    try:
        act(people, assessment, "submit")
    except TransitionConflict as refused:
        return [r for r in refused.reasons if r.code == "disclosure_too_hard"]
    return []


def test_a_disclosure_at_grade_12_is_refused_with_its_grade(people):
    (reason,) = refusal_of(people, GRADE_12)

    assert reason.message.startswith("The plain-language disclosure reads at grade 12.0;")
    assert "grade 8 or lower" in reason.message
    assert reason.question == DISCLOSURE


def test_a_disclosure_at_grade_6_passes(people):
    assert refusal_of(people, GRADE_6_TWO_SENTENCES) == []


def test_the_limit_itself_passes_and_a_tenth_above_it_is_refused(people):
    assert refusal_of(people, AT_GRADE_8) == []
    (reason,) = refusal_of(people, GRADE_8_1)
    assert reason.message.startswith("The plain-language disclosure reads at grade 8.1;")


def test_the_configured_limit_is_the_boundary(people, settings):
    settings.DISCLOSURE_MAX_GRADE = 6

    assert refusal_of(people, GRADE_6) == []
    (reason,) = refusal_of(people, GRADE_6_1)
    assert "reads at grade 6.1; plain language means grade 6 or lower" in reason.message


def test_an_internal_only_feature_needs_no_plain_disclosure(people):
    assessment = create_draft(people, **{DISCLOSURE: GRADE_12, "overview.audience": ["internal"]})

    assert act(people, assessment, "submit").state == State.LEGAL_REVIEW


def test_the_questionnaire_reasons_name_the_grade_without_a_database():
    answers = {DISCLOSURE: GRADE_12, "overview.audience": ["therapists"]}

    reasons = [r for r in current_questionnaire().submit_blockers(answers) if r.code == "disclosure_too_hard"]

    assert [r.message[:52] for r in reasons] == ["The plain-language disclosure reads at grade 12.0; p"]
