"""Comments on answers: who may write them, when the team sees them, how the audit log keeps them."""

import pytest

from assessments import services
from assessments.errors import InputError, NotPermitted, TransitionConflict
from assessments.models import AuditEntry, QuestionComment, State
from assessments.selectors import question_comments_visible_to

from .audit_tools import problems, quoted, sql, verify
from .workflow import act, advance, create_draft

QUESTION = "overview.audience"
OTHER = "impact.benefits"


def comment(people, assessment, text="Who exactly sees the output?", question=QUESTION, by=None):
    by = by or people.reviewers["legal"]
    return services.question_comment_add(assessment=assessment, question=question, text=text, by=by)


@pytest.fixture
def in_legal(people):
    return advance(people, create_draft(people), State.LEGAL_REVIEW)


def test_the_deciding_reviewer_comments_and_the_audit_log_records_it(people, in_legal):
    made = comment(people, in_legal)
    assert (made.question, made.review_round, made.role, made.stage) == (QUESTION, 1, "reviewer", "legal")
    assert made.shared_at is None
    entry = AuditEntry.objects.filter(action=AuditEntry.Action.QUESTION_COMMENT).get()
    assert entry.comment == "Who exactly sees the output?"
    assert entry.details["comment_id"] == made.pk and entry.details["question"] == QUESTION
    assert verify()[0] == 0


def test_a_reviewer_of_another_domain_cannot_comment_now(people, in_legal):
    with pytest.raises(TransitionConflict) as refused:
        comment(people, in_legal, by=people.reviewers["security"])
    assert refused.value.reasons[0].code == "not_your_stage"
    assert not QuestionComment.objects.exists()


@pytest.mark.parametrize("who", ["alice", "auditor", "chair", "olga", "nobody"])
def test_the_team_and_people_without_a_stage_cannot_comment_as_reviewers(people, in_legal, who):
    user = people.auditor if who == "auditor" else people.chair if who == "chair" else getattr(people, who)
    with pytest.raises(NotPermitted):
        comment(people, in_legal, by=user)
    assert not QuestionComment.objects.exists()
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.QUESTION_COMMENT).exists()


def test_a_reviewer_on_the_team_cannot_comment(people, in_legal):
    people.team.members.add(people.reviewers["legal"])
    with pytest.raises(NotPermitted) as refused:
        comment(people, in_legal)
    assert refused.value.code == "own_team"


def test_no_reviewer_comments_outside_review(people):
    draft = create_draft(people)
    with pytest.raises(TransitionConflict) as refused:
        comment(people, draft)
    assert refused.value.reasons[0].code == "not_in_review"
    approved = advance(people, create_draft(people), State.APPROVED)
    with pytest.raises(TransitionConflict) as refused:
        comment(people, approved)
    assert refused.value.reasons[0].code == "not_in_review"


@pytest.mark.parametrize(
    ("question", "text", "field"),
    [
        ("overview.nope", "Fine.", "question"),
        (None, "Fine.", "question"),
        (QUESTION, "   ", "text"),
        (QUESTION, "x" * 2001, "text"),
        (QUESTION, "bad \x00 byte", "text"),
        (QUESTION, "lone \ud800 surrogate", "text"),
        (QUESTION, 42, "text"),
    ],
)
def test_bad_comments_are_input_errors(people, in_legal, question, text, field):
    with pytest.raises(InputError) as refused:
        comment(people, in_legal, text=text, question=question)
    assert field in refused.value.errors
    assert not QuestionComment.objects.exists()


def test_a_comment_at_the_length_limit_is_kept(people, in_legal):
    assert len(comment(people, in_legal, text="x" * 2000).text) == 2000


def test_request_changes_sends_the_rounds_comments_to_the_team(people, in_legal):
    first = comment(people, in_legal)
    in_security = act(people, in_legal, "approve")
    second = comment(people, in_security, text="Name the vendor.", question=OTHER, by=people.reviewers["security"])
    # Before the request, the team sees nothing; the committee sees both.
    assert list(question_comments_visible_to(people.alice, in_security)) == []
    assert len(question_comments_visible_to(people.chair, in_security)) == 2
    changed = act(people, in_security, "request_changes", comment="See the comments on two answers.")
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.is_shared and second.is_shared
    assert first.sign_off_id == second.sign_off_id == changed.sign_offs.get(decision="changes_requested").pk
    assert [c.pk for c in question_comments_visible_to(people.alice, changed)] == [first.pk, second.pk]
    row = AuditEntry.objects.filter(transition="request_changes").get()
    assert row.details["question_comments"] == [first.pk, second.pk]
    assert verify()[0] == 0


def test_approving_does_not_send_comments(people, in_legal):
    made = comment(people, in_legal)
    act(people, in_legal, "approve")
    made.refresh_from_db()
    assert not made.is_shared


def test_the_team_replies_to_a_comment_it_was_sent(people, in_legal):
    made = comment(people, in_legal)
    changed = act(people, in_legal, "request_changes")
    reply = services.question_comment_add(
        assessment=changed, question=None, text="Only clients who opted in.", by=people.ben, reply_to=made.pk
    )
    assert (reply.question, reply.role, reply.reply_to_id, reply.review_round) == (QUESTION, "team", made.pk, 1)
    assert reply.is_shared
    # Kept per round: after resubmission the next round starts clean, and the old thread stays.
    resubmitted = act(people, changed, "resubmit")
    assert resubmitted.review_round == 2
    newer = comment(people, resubmitted, text="Still unclear.")
    assert newer.review_round == 2
    assert verify()[0] == 0


def test_replies_are_refused_to_others_and_to_unsent_comments(people, in_legal):
    pending = comment(people, in_legal)
    with pytest.raises(InputError):  # not sent yet: the team cannot answer what it cannot see
        services.question_comment_add(
            assessment=in_legal, question=None, text="?", by=people.alice, reply_to=pending.pk
        )
    changed = act(people, in_legal, "request_changes")
    for outsider in (people.olga, people.reviewers["legal"], people.auditor):
        with pytest.raises(NotPermitted):
            services.question_comment_add(
                assessment=changed, question=None, text="Me too.", by=outsider, reply_to=pending.pk
            )
    for bad in (10**30, -1, "x", pending.pk + 999):
        with pytest.raises(InputError):
            services.question_comment_add(assessment=changed, question=None, text="?", by=people.alice, reply_to=bad)
    withdrawn = act(people, changed, "withdraw")
    with pytest.raises(TransitionConflict):
        services.question_comment_add(
            assessment=withdrawn, question=None, text="Late.", by=people.alice, reply_to=pending.pk
        )


def test_the_verifier_finds_comments_changed_behind_the_log(people, in_legal):
    made = comment(people, in_legal)
    sql(f"UPDATE {quoted(QuestionComment)} SET text = %s WHERE id = %s", ["Approve it.", made.pk])  # noqa: S608
    status, output = verify()
    assert status != 0 and "question_comment_altered" in problems(output)


def test_the_verifier_finds_comments_shared_behind_the_log(people, in_legal):
    made = comment(people, in_legal)
    sql(f"UPDATE {quoted(QuestionComment)} SET shared_at = created_at WHERE id = %s", [made.pk])  # noqa: S608
    status, output = verify()
    assert status != 0 and problems(output) == ["question_comment_altered"]
    assert f"assessments_questioncomment row {made.pk} (assessment {in_legal.pk}): shared_at is" in output


def test_the_verifier_finds_comments_inserted_or_deleted_behind_the_log(people, in_legal):
    made = comment(people, in_legal)
    table = quoted(QuestionComment)
    columns = "assessment_id, question, review_round, role, stage, author_id, text, created_at"
    sql(
        f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {table} WHERE id = %s",  # noqa: S608
        [made.pk],
    )
    assert "question_comment_inserted" in problems(verify()[1])
    sql(f"DELETE FROM {table}")  # noqa: S608
    assert "question_comment_missing" in problems(verify()[1])
