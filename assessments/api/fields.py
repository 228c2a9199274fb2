"""Strict input fields: each accepts exactly what the OpenAPI schema generated from it says.

DRF's own fields are lenient in ways a schema cannot describe: a CharField
takes 7 as "7", an IntegerField takes "5" and 5.0, a BooleanField takes "yes"
and 1, a ChoiceField matches str(value). These refuse anything of the wrong JSON
type, so that "the schema allows it" and "the server accepts it" are the same
statement (schemathesis checks both directions). Text is measured as sent, not
after trimming, and its rules are regular expressions anchored with \\A and \\Z,
which drf-spectacular writes as ^ and $ for the schema's ECMA-262 dialect (a
Python $ would also match before a final newline).
"""

import datetime
import math
import re

from django.core.validators import RegexValidator
from rest_framework import serializers

from assessments.questionnaire import MAX_NUMBER

# Every character str.strip() removes: the services strip text before checking it is not empty.
WHITESPACE = "".join(f"\\u{code:04x}" for code in range(0x10000) if chr(code).isspace())
# PostgreSQL cannot store NUL in text, so no text anywhere may hold one.
NO_NUL = r"\A[^\u0000]*\Z"
# Something besides whitespace: what the services call "not blank".
NOT_BLANK = rf"\A[^\u0000]*[^\u0000{WHITESPACE}][^\u0000]*\Z"
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def ecma_pattern(pattern):
    """A pattern of this module as the schema writes it (ECMA-262 anchors)."""
    return pattern.replace(r"\A", "^").replace(r"\Z", "$")


class Text(serializers.CharField):
    """A JSON string of at most ``max_length`` characters as sent, without NUL; ``blank=False`` needs a non-space.

    The value is passed on untrimmed; the services trim it.
    """

    default_error_messages = {
        "invalid": "Give text (a JSON string).",
        "no_nul": "Text may not contain NUL characters.",
        "blank": "This field may not be blank.",
    }

    def __init__(self, *, blank=True, pattern=None, pattern_message=None, **kwargs):
        kwargs.setdefault("trim_whitespace", False)
        # DRF skips validators for "": allow it only where the pattern would match it anyway.
        kwargs.setdefault("allow_blank", blank if pattern is None else bool(re.search(pattern, "")))
        super().__init__(**kwargs)
        # Django's own NUL check says the same thing less plainly; the pattern below documents it as well.
        self.validators = [v for v in self.validators if type(v).__name__ != "ProhibitNullCharactersValidator"]
        if pattern is not None:  # a pattern of its own, which must exclude NUL itself
            self.pattern = pattern
            self.validators.append(RegexValidator(pattern, pattern_message))
        elif blank:
            self.pattern = NO_NUL
            self.validators.append(RegexValidator(NO_NUL, self.error_messages["no_nul"]))
        else:
            self.pattern = NOT_BLANK
            self.validators.append(RegexValidator(NOT_BLANK, self.error_messages["blank"]))

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return data


class StrictBoolean(serializers.BooleanField):
    default_error_messages = {"invalid": "Give true or false."}

    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid")
        return data


class StrictInteger(serializers.IntegerField):
    default_error_messages = {"invalid": "Give a whole number (a JSON integer)."}

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return data


class StrictNumber(serializers.FloatField):
    """A JSON number (integer or not) within ±MAX_NUMBER, returned as sent (an integer stays an integer)."""

    default_error_messages = {
        "invalid": "Give a number.",
        "min_value": "Must be at least {min_value}.",
        "max_value": "Must be at most {max_value}.",
    }

    def __init__(self, **kwargs):
        minimum = kwargs.pop("min_value", None)
        maximum = kwargs.pop("max_value", None)
        super().__init__(
            min_value=-MAX_NUMBER if minimum is None else max(minimum, -MAX_NUMBER),
            max_value=MAX_NUMBER if maximum is None else min(maximum, MAX_NUMBER),
            **kwargs,
        )

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int | float) or not math.isfinite(data):
            self.fail("invalid")
        return data


class StrictChoice(serializers.ChoiceField):
    """One of the given string choices, compared as sent (1 is not "1")."""

    def to_internal_value(self, data):
        if not isinstance(data, str) or data not in self.choices:
            self.fail("invalid_choice", input=str(data)[:100])
        return data


class StrictDate(serializers.DateField):
    """A calendar date written YYYY-MM-DD, and nothing else ISO 8601 allows."""

    default_error_messages = {"invalid": "Give the date as YYYY-MM-DD."}

    def to_internal_value(self, data):
        if not isinstance(data, str) or not ISO_DATE.fullmatch(data):
            self.fail("invalid")
        try:
            return datetime.date.fromisoformat(data)
        except ValueError:
            self.fail("invalid")
