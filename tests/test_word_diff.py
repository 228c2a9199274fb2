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


# -- what is compared word by word, and what as a whole (presenters.review.diff_rows) -----------------------------


def test_only_text_is_compared_word_by_word():
    from assessments.presenters.review import diff_rows
    from tests.answers import current_questionnaire

    questionnaire = current_questionnaire()
    rows = diff_rows(
        questionnaire,
        {
            "data.retention_days": {"from": 1200, "to": 1500},
            "oversight.human_in_the_loop": {"from": "sampled_review", "to": "every_output_reviewed"},
            "overview.audience": {"from": ["clients", "therapists"], "to": ["therapists", "internal"]},
            "overview.purpose": {"from": "Drafts notes for review.", "to": "Drafts notes for a clinician's review."},
        },
    )
    by_question = {row["anchor"]: plain_word_diff(row["words"]) for row in rows}
    values = list(by_question.values())
    # A number and a choice are replaced whole: never "1,[-200-]{+500+}" nor half a label kept.
    assert "[-1,200-]{+1,500+}" in values
    assert (
        "[-A person reviews a regular sample of outputs-]"
        "{+Every output is reviewed and approved by a person before it is used+}"
    ) in values
    # A multiple choice item by item: kept, removed, added, each a whole label.
    assert (
        "[-Clients (people receiving care)-], Therapists and other clinical providers, "
        "{+Internal staff only (support, operations, engineering)+}"
    ) in values
    # Text word by word.
    assert "Drafts notes for {+a clinician's +}review." in values


def test_value_and_list_diffs():
    from assessments.word_diff import list_diff, value_diff

    assert value_diff("12", "12") == [Segment(EQUAL, "12")] and value_diff(None, "") == []
    assert plain_word_diff(value_diff("", "Yes")) == "{+Yes+}" and plain_word_diff(value_diff("No", "")) == "[-No-]"
    assert plain_word_diff(list_diff(["a", "b"], ["b", "c"])) == "[-a-], b, {+c+}"
    assert list_diff([], []) == [] and plain_word_diff(list_diff(None, ["x"])) == "{+x+}"


def test_a_long_text_with_one_change_is_that_change_and_the_dossier_shortens_the_rest():
    from reports.dossier import UNCHANGED_SHOWN, _shortened

    before = " ".join(f"Sentence {n} of the plan." for n in range(400))
    after = before.replace("Sentence 200 of", "Sentence 200, revised, of")
    segments = word_diff(before, after)
    assert [s for s in segments if s.changed] == [Segment(ADDED, ", revised,")]
    shortened = _shortened(segments)
    assert [s["text"] for s in shortened if s["op"] == ADDED] == [", revised,"]
    for s in shortened:
        if s["op"] == EQUAL:
            assert len(s["text"]) <= UNCHANGED_SHOWN + 3 and " … " in s["text"]
    assert shortened[0]["text"].startswith("Sentence 0 of the plan.")
    assert shortened[-1]["text"].endswith("Sentence 399 of the plan.")
