"""Word-level diffs (diff-match-patch over words): a changed word is that word, not the whole paragraph."""

from assessments.word_diff import ADDED, EQUAL, REMOVED, Segment, plain_word_diff, word_diff

PARAGRAPH = (
    "The assistant drafts a summary of the intake form.\n"
    "A clinician reads every summary before the first session and corrects it."
)


def test_one_changed_word_in_a_paragraph_is_that_word_removed_and_added():
    changed = PARAGRAPH.replace("corrects", "approves")
    segments = word_diff(PARAGRAPH, changed)
    assert [s for s in segments if s.changed] == [Segment(REMOVED, "corrects"), Segment(ADDED, "approves")]
    # Everything else is unchanged text, and the segments rebuild both sides exactly.
    assert "".join(s.text for s in segments if s.op != ADDED) == PARAGRAPH
    assert "".join(s.text for s in segments if s.op != REMOVED) == changed


def test_whole_words_not_characters():
    # A character diff would keep "form" of "format"; a word diff replaces the word.
    assert plain_word_diff(word_diff("the form", "the format")) == "the [-form-]{+format+}"


def test_empty_sides_and_no_change():
    assert word_diff("", "") == [] and word_diff(None, None) == []
    assert word_diff("Yes", "Yes") == [Segment(EQUAL, "Yes")]
    assert plain_word_diff(word_diff("", "Clients")) == "{+Clients+}"
    assert plain_word_diff(word_diff("Clients", None)) == "[-Clients-]"


def test_many_distinct_words_map_past_the_surrogate_range():
    before = " ".join(f"w{n}" for n in range(60000))
    after = before.replace("w59999", "last")
    segments = word_diff(before, after)
    assert [s for s in segments if s.changed] == [Segment(REMOVED, "w59999"), Segment(ADDED, "last")]
