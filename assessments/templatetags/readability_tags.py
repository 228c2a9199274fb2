"""The plain-language disclosure's readability, for the include under its field (assessments/readability.html)."""

from django import template
from django.conf import settings

from ..readability import flesch_kincaid_grade, hardest_sentences

register = template.Library()

HARDEST_SHOWN = 3


@register.simple_tag
def disclosure_readability(text):
    """The grade, the limit and the hardest sentences of ``text``; what static/js/readability.js redraws live."""
    text = text if isinstance(text, str) else ""
    limit = settings.DISCLOSURE_MAX_GRADE
    grade = flesch_kincaid_grade(text)
    return {
        "has_text": bool(text.strip()),
        "grade": grade,
        "limit": limit,
        "too_hard": grade > limit,
        "hardest": hardest_sentences(text, HARDEST_SHOWN),
        "shown": HARDEST_SHOWN,
    }
