"""The plain-language disclosure's readability, for the include under its field (assessments/readability.html)."""

from django import template
from django.conf import settings

from ..readability import flesch_kincaid_grade, hardest_sentences

register = template.Library()

HARDEST_SHOWN = 3
# Above this many characters (the field takes 2000) the text is not analysed: a posted megabyte of words would
# cost seconds, and the form refuses it anyway. static/js/readability.js stops at the same length.
MAX_ANALYSED_CHARS = 5000


@register.simple_tag
def disclosure_readability(text):
    """The grade, the limit and the hardest sentences of ``text``; what static/js/readability.js redraws live."""
    text = text if isinstance(text, str) else ""
    limit = settings.DISCLOSURE_MAX_GRADE
    too_long = len(text) > MAX_ANALYSED_CHARS
    if too_long:
        text = ""
    grade = flesch_kincaid_grade(text)
    return {
        "too_long": too_long,
        "max_chars": MAX_ANALYSED_CHARS,
        "has_text": bool(text.strip()),
        "grade": grade,
        "limit": limit,
        "too_hard": grade > limit,
        "hardest": hardest_sentences(text, HARDEST_SHOWN),
        "shown": HARDEST_SHOWN,
    }
