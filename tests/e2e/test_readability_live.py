"""The disclosure's hardest sentences, live in the browser, agree with the server's computation.

static/js/readability.js mirrors assessments/readability.py; here the browser runs it on
fixture texts and every word of the questionnaire, and each answer is compared with
Python's, without Node: the page is the JavaScript runtime.
"""

import re

import pytest
from playwright.sync_api import expect

from assessments import readability
from assessments.questionnaire import DISCLOSURE, QUESTIONNAIRE_DIR
from tests.test_readability import AT_GRADE_8, GRADE_6, GRADE_8_1, GRADE_12

from ..workflow import create_draft

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

FIELD = "#f-transparency__disclosure_text"
PANEL = "[data-readability]"
FIXTURES = [
    GRADE_6,
    AT_GRADE_8,
    GRADE_8_1,
    GRADE_12,
    "The cat sat on the mat.",
    "  Leading space.   Many   spaces\n\nand a new line!!\tTabs? !!! and a last one without a stop",
    "It costs 3.5 dollars, e.g.in a shop. Don't worry: it's free. WHY? Because we said so...",
    "Une phrase en français, avec des accents: élève, garçon. Ünïcödé wörds\u00a0and\u2003odd\u3000spaces. End.",
    "Supercalifragilisticexpialidocious antidisestablishmentarianism pneumonoultramicroscopic. Ok.",
    "\u2028Line\u2029separators.\x1cFile separator! \ufeffA byte order mark.",
]


def hardest_in_python(text):
    return [(s.index, f"{s.grade:.1f}", s.text) for s in readability.hardest_sentences(text, 3)]


def shown_in_browser(page):
    return page.locator(f"{PANEL} li").evaluate_all(
        """items => items.map(li => [Number(li.dataset.sentenceIndex), li.dataset.sentenceGrade,
                                     li.querySelector('q').textContent])"""
    )


def type_disclosure(page, text):
    page.locator(FIELD).fill(text)
    grade = f"{readability.flesch_kincaid_grade(text):.1f}"
    if text.strip():
        expect(page.locator(f"{PANEL} [data-grade]")).to_have_text(grade)
    return grade


def test_the_browser_shows_the_same_hardest_sentences_as_the_server(people, browse, artifacts):
    page = browse(people.alice)
    page.goto("/assessments/new/")
    expect(page.locator(PANEL)).to_contain_text("Write the disclosure to see its reading grade")

    for number, text in enumerate(FIXTURES):
        type_disclosure(page, text)
        page.wait_for_function(
            "expected => document.querySelectorAll('[data-readability] li').length === expected",
            arg=len(readability.hardest_sentences(text, 3)),
        )
        assert [tuple(item) for item in shown_in_browser(page)] == hardest_in_python(text), number
        # The same numbers, straight from the two functions.
        assert page.evaluate("t => window.Readability.gradeTenthsOf(t)", text) == round(
            readability.flesch_kincaid_grade(text) * 10
        )
        stats = page.evaluate("t => window.Readability.sentenceStats(t)", text)
        assert [(s["index"], s["words"], s["syllables"], s["tenths"]) for s in stats] == [
            (s.index, s.words, s.syllables, round(s.grade * 10)) for s in readability.sentence_stats(text)
        ], number

    type_disclosure(page, GRADE_12)
    expect(page.locator(PANEL)).to_have_class(re.compile(r"\bis-too-hard\b"))
    expect(page.locator(f"{PANEL} li.too-hard").first).to_contain_text("Our matching system considers")
    page.locator(PANEL).scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "disclosure-grade-12.png"))
    type_disclosure(page, GRADE_6)
    expect(page.locator(PANEL)).not_to_have_class(re.compile(r"\bis-too-hard\b"))
    expect(page.locator(f"{PANEL} li.too-hard")).to_have_count(0)


def test_the_browser_counts_the_syllables_of_every_questionnaire_word_as_the_server_does(people, browse):
    words = set()
    for path in QUESTIONNAIRE_DIR.glob("*.yaml"):
        words.update(readability.WORD.findall(path.read_text(encoding="utf-8")))
    for text in FIXTURES:
        words.update(readability.WORD.findall(text))
    words = sorted(words)
    assert len(words) > 1000
    page = browse(people.alice)
    page.goto("/assessments/new/")

    counted = page.evaluate("words => words.map(w => window.Readability.countSyllables(w))", words)

    differ = [(w, c, readability.count_syllables(w)) for w, c in zip(words, counted, strict=True)]
    assert [d for d in differ if d[1] != d[2]] == []


def test_the_server_draws_the_same_panel_before_any_script_runs(people, browse, new_context, live_server):
    assessment = create_draft(people, **{DISCLOSURE: GRADE_12})
    context = new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    from .conftest import log_in

    log_in(page, "alice")
    page.goto(f"/assessments/{assessment.pk}/edit/")

    assert page.locator(f"{PANEL} [data-grade]").text_content() == "12.0"
    assert [tuple(item) for item in shown_in_browser(page)] == hardest_in_python(GRADE_12)
