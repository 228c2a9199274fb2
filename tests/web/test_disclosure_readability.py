"""The form's readability panel under the disclosure: drawn by the server, with the hardest sentences."""

import random
import string
import time

from assessments.questionnaire import DISCLOSURE
from assessments.templatetags.readability_tags import MAX_ANALYSED_CHARS, disclosure_readability
from tests.test_readability import GRADE_12

from ..workflow import create_draft
from .test_assessment_form import new_post


def panel_of(page):
    start = page.index("data-readability ")
    return page[start : page.index("</div>\n</div>", start)]


def test_the_edit_page_shows_the_grade_and_the_hardest_sentences(people, login):
    assessment = create_draft(people, **{DISCLOSURE: GRADE_12})

    page = login(people.alice).get(f"/assessments/{assessment.pk}/edit/").content.decode()

    panel = panel_of(page)
    assert "Reading grade <strong data-grade>12.0</strong>; plain language means grade 8 or lower." in panel
    assert panel.index("Our matching system considers") < panel.index("Licensed care coordinators")
    assert 'class="too-hard"' in panel
    assert '<script src="/static/js/readability.js" defer></script>' in page


def test_hostile_sentences_are_shown_as_text(people, login):
    assessment = create_draft(people, **{DISCLOSURE: 'We help. <script>alert("x")</script> works?'})

    panel = panel_of(login(people.alice).get(f"/assessments/{assessment.pk}/edit/").content.decode())

    assert "<script>alert" not in panel
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in panel


def test_a_posted_megabyte_is_refused_without_being_analysed(people, login):
    chooser = random.Random(3)
    huge = " ".join("".join(chooser.choices(string.ascii_lowercase, k=9)) for _ in range(100_000)) + "."

    started = time.monotonic()
    response = new_post(login(people.alice), {DISCLOSURE: huge})
    elapsed = time.monotonic() - started

    assert response.status_code == 400
    assert "This text is too long to check; shorten it first." in response.content.decode()
    assert elapsed < 5


def test_the_analysis_stops_at_its_limit_exactly():
    at_limit = ("Cats nap. " * MAX_ANALYSED_CHARS)[:MAX_ANALYSED_CHARS]

    assert disclosure_readability(at_limit)["too_long"] is False
    assert disclosure_readability(at_limit)["hardest"]
    over = disclosure_readability(at_limit + "x")
    assert over["too_long"] is True and over["hardest"] == []
    assert disclosure_readability(None)["has_text"] is False
