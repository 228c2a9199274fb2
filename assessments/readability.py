"""Flesch-Kincaid grade level of a plain-language disclosure, and of each of its sentences.

Syllables are counted with pyphen's English hyphenation dictionary (shipped with
the package, no downloads), the usual offline approximation.

``static/js/readability.js`` repeats this computation in the browser, so that the
form can show the hardest sentences as the user types: the same word and
sentence patterns, the hyphenation patterns exported from the same dictionary
(``manage.py export_hyphenation``), and the grade in exact integer arithmetic
(tenths, rounded half to even) so that both sides round alike. Change one, change
the other; ``tests/e2e/test_readability_live.py`` compares them.
"""

import re
from dataclasses import dataclass
from functools import cache

import pyphen

WORD = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)?")
SENTENCE_END = re.compile(r"[.!?]+(?:\s|$)")
VOWEL_GROUP = re.compile(r"[aeiouy]+")
# Pyphen's defaults: no break closer than two letters to either end of a word.
LEFT_MIN = 2
RIGHT_MIN = 2


@cache
def _dictionary():
    return pyphen.Pyphen(lang="en_US", left=LEFT_MIN, right=RIGHT_MIN)


def count_syllables(word):
    word = word.lower()
    hyphenated = _dictionary().inserted(word)
    count = hyphenated.count("-") + 1
    # Hyphenation dictionaries do not split short words; count vowel groups there.
    vowel_groups = len(VOWEL_GROUP.findall(word))
    if word.endswith("e") and not word.endswith(("le", "ee")) and vowel_groups > 1:
        vowel_groups -= 1
    return max(count, vowel_groups, 1)


def grade_tenths(words, sentences, syllables):
    """0.39 words/sentence + 11.8 syllables/word - 15.59, in tenths, rounded half to even.

    Exact: ``(39 W² + 1180 Y S - 1559 W S) / (10 W S)`` in integers, so the
    browser's copy rounds every text the same way.
    """
    numerator = 39 * words * words + 1180 * syllables * sentences - 1559 * words * sentences
    denominator = 10 * words * sentences
    quotient, remainder = divmod(numerator, denominator)
    if 2 * remainder > denominator or (2 * remainder == denominator and quotient % 2):
        quotient += 1
    return quotient


def flesch_kincaid_grade(text):
    """The text's grade, to one decimal; sentences are counted by their end marks (at least one)."""
    words = WORD.findall(text)
    if not words:
        return 0.0
    sentences = max(1, len(SENTENCE_END.findall(text.strip() + " ")))
    syllables = sum(count_syllables(w) for w in words)
    return grade_tenths(len(words), sentences, syllables) / 10


@dataclass(frozen=True)
class SentenceStats:
    """One sentence of a text: where it is, how long, how hard (its own Flesch-Kincaid grade)."""

    index: int  # its position among the text's sentences, from 0
    start: int  # character offsets in the text
    end: int
    text: str  # the sentence, whitespace collapsed
    words: int
    syllables: int
    grade: float

    def as_data(self):
        return {
            "index": self.index,
            "text": self.text,
            "words": self.words,
            "syllables": self.syllables,
            "grade": self.grade,
        }


def sentence_spans(text):
    """``(start, end)`` of each sentence: up to and including an end mark and the space after it; the rest
    of the text is a last sentence. Pieces without a word (a stray "!") are not sentences."""
    spans = []
    start = 0
    for match in SENTENCE_END.finditer(text):
        spans.append((start, match.end()))
        start = match.end()
    if start < len(text):
        spans.append((start, len(text)))
    return [(s, e) for s, e in spans if WORD.search(text, s, e)]


def sentence_stats(text):
    """Every sentence of ``text`` with its word and syllable counts and its grade, in order."""
    stats = []
    for index, (start, end) in enumerate(sentence_spans(text)):
        words = WORD.findall(text, start, end)
        syllables = sum(count_syllables(w) for w in words)
        stats.append(
            SentenceStats(
                index=index,
                start=start,
                end=end,
                text=" ".join(text[start:end].split()),
                words=len(words),
                syllables=syllables,
                grade=grade_tenths(len(words), 1, syllables) / 10,
            )
        )
    return stats


def hardest_sentences(text, count=3):
    """The ``count`` hardest sentences: highest grade first, then the longest, then the earliest."""
    ranked = sorted(sentence_stats(text), key=lambda s: (-s.grade, -s.words, s.index))
    return ranked[:count]


def pattern_table():
    """The hyphenation patterns pyphen uses, as ``{letters: [offset, "digits"]}``, for the browser's copy.

    Only patterns of lowercase ASCII letters, apostrophes and word boundaries: words
    here are ASCII letters (``WORD``), so no other pattern can ever match.
    """
    table = {}
    for letters, (offset, values) in sorted(_dictionary().hd.patterns.items()):
        if re.fullmatch(r"[a-z'.]+", letters):
            table[letters] = [offset, "".join(str(int(v)) for v in values)]
    return table
