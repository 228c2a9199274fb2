"""Flesch-Kincaid grade level of a plain-language disclosure.

Syllables are counted with pyphen's English hyphenation dictionary (shipped with
the package, no downloads), the usual offline approximation.
"""

import re
from functools import cache

import pyphen

WORD = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)?")
SENTENCE_END = re.compile(r"[.!?]+(?:\s|$)")


@cache
def _dictionary():
    return pyphen.Pyphen(lang="en_US")


def count_syllables(word):
    word = word.lower()
    hyphenated = _dictionary().inserted(word)
    count = hyphenated.count("-") + 1
    # Hyphenation dictionaries do not split short words; count vowel groups there.
    vowel_groups = len(re.findall(r"[aeiouy]+", word))
    if word.endswith("e") and not word.endswith(("le", "ee")) and vowel_groups > 1:
        vowel_groups -= 1
    return max(count, vowel_groups, 1)


def flesch_kincaid_grade(text):
    words = WORD.findall(text)
    if not words:
        return 0.0
    sentences = max(1, len(SENTENCE_END.findall(text.strip() + " ")))
    syllables = sum(count_syllables(w) for w in words)
    return round(0.39 * len(words) / sentences + 11.8 * syllables / len(words) - 15.59, 1)
