"""The dossier lists the comments on answers per review round, with the team's replies, in its data too."""

from assessments import services
from assessments.models import State
from reports.dossier import dossier_record, record_html
from reports.dossier_data import record_data

from ..workflow import act, advance, create_draft


def test_the_dossier_lists_comments_per_round_with_replies(people):
    in_legal = advance(people, create_draft(people), State.LEGAL_REVIEW)
    made = services.question_comment_add(
        assessment=in_legal, question="overview.audience", text="Do therapists see it?", by=people.reviewers["legal"]
    )
    changed = act(people, in_legal, "request_changes")
    services.question_comment_add(
        assessment=changed, question=None, text="Only care coordinators.", by=people.alice, reply_to=made.pk
    )
    record = dossier_record(changed)
    data = record_data(record)
    assert [(c["question"], c["role"], c["review_round"]) for c in data["question_comments"]] == [
        ("overview.audience", "reviewer", 1),
        ("overview.audience", "team", 1),
    ]
    assert data["question_comments"][0]["shared_at"] is not None
    html = record_html(record)
    assert "Comments on answers" in html
    assert "Do therapists see it?" in html and "Only care coordinators." in html
    assert "Who sees the feature" in html
    # Every comment is also in the audit trail of the dossier.
    assert [e["action"] for e in data["audit_trail"]].count("question_comment") == 2


def test_a_dossier_without_comments_has_no_comment_section(people):
    record = dossier_record(advance(people, create_draft(people), State.LEGAL_REVIEW))
    assert record_data(record)["question_comments"] == []
    assert "Comments on answers" not in record_html(record)


def test_a_draft_dossier_keeps_a_reviewers_unsent_comment_from_the_team(people):
    # The team may download a draft dossier during review: a comment the committee has not sent yet stays out.
    in_legal = advance(people, create_draft(people), State.LEGAL_REVIEW)
    services.question_comment_add(
        assessment=in_legal,
        question="overview.audience",
        text="Internal note: ask Security first.",
        by=people.reviewers["legal"],
    )
    record = dossier_record(in_legal)
    data = record_data(record)
    assert data["question_comments"] == []
    commented = [e for e in data["audit_trail"] if e["action"] == "question_comment"]
    assert len(commented) == 1 and commented[0]["comment"] is None
    html = record_html(record)
    assert "Internal note" not in html
    assert "not yet sent to the team" in html

    # Once a change request sends it, the draft shows it.
    sent = dossier_record(act(people, in_legal, "request_changes"))
    assert "Internal note: ask Security first." in record_html(sent)
    assert [c["text"] for c in record_data(sent)["question_comments"]] == ["Internal note: ask Security first."]
