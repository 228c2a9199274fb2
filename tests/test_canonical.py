"""Canonical JSON is RFC 8785 byte for byte: the fast path agrees with the rfc8785 package on every input."""

import random

import pytest
import rfc8785

from assessments import canonical

ALPHABET = (
    'abcXYZ019 _-."\\/\b\f\n\r\t\x01\x1f\x7f'  # escapes and controls
    "éßЖ中文עב"  # two- and three-byte UTF-8
    "\ue000\uf8ff\uffef"  # private use and specials: sort differently from astral characters in UTF-16
    "\U0001f600\U0001f9e0\U00010000"  # astral (surrogate pairs in UTF-16)
)


def random_text(rng):
    return "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 8)))


def random_value(rng, depth=0):
    roll = rng.random()
    if depth > 3 or roll < 0.5:
        return rng.choice(
            [
                None,
                True,
                False,
                rng.randint(-(2**53) + 1, 2**53 - 1),
                rng.choice([0, -1, 1, 2**53 - 1, -(2**53) + 1]),
                random_text(rng),
                rng.choice([0.1, -2.5, 1e-7, 123456.789, 5e-324, 1.7976931348623157e308, -0.0, 1.0, 1e21]),
            ]
        )
    if roll < 0.75:
        return [random_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    return {random_text(rng): random_value(rng, depth + 1) for _ in range(rng.randint(0, 5))}


def test_the_fast_path_and_the_rfc8785_package_agree_on_thousands_of_values():
    rng = random.Random(8785)
    for _ in range(3000):
        value = random_value(rng)
        assert canonical.dumps(value) == rfc8785.dumps(value), value


def test_keys_sort_by_utf16_code_units_as_rfc_8785_requires():
    # U+1F600 is the surrogate pair D83D DE00 in UTF-16, so it sorts before U+E000 (Python's order is the other way).
    assert canonical.dumps({"\ue000": 1, "\U0001f600": 2, "a": 3}) == '{"a":3,"\U0001f600":2,"\ue000":1}'.encode()


def test_rfc_8785_number_forms():
    assert (
        canonical.dumps([1e21, 1e-7, 0.000001, 123.0, -0.0, 2**53 - 1])
        == b"[1e+21,1e-7,0.000001,123,0,9007199254740991]"
    )


@pytest.mark.parametrize("value", [{"a": "\udfff"}, {"\ud800": 1}, [2**53], {1: "a"}, {"a": float("nan")}, object()])
def test_values_without_a_canonical_form_are_refused(value):
    with pytest.raises(canonical.NotCanonical):
        canonical.dumps(value)
