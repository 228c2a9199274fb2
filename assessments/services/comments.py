"""Comments on answers: a reviewer's on one answer, the team's reply to one sent to it."""

from django.db import transaction
from django.utils import timezone

from accounts import roles
from accounts.delegation import acting_by

from .. import canonical, permissions
from ..audit.chain import audit_event
from ..audit_records import records_of
from ..errors import InputError, NotPermitted, TransitionConflict
from ..locking import lock_assessment
from ..models import AuditEntry, QuestionComment
from ..questionnaire import get_questionnaire

MAX_QUESTION_COMMENT = 2000


def question_comment_add(*, assessment, question, text, by, reply_to=None):
    """A reviewer comments on one answer, or the team replies to a comment the team can see.

    Guarantees, in the order of the transitions' checks, with the assessment row
    locked: NotPermitted when the caller could never comment here (not the
    deciding reviewer, own team, an editor; not a team member for a reply),
    TransitionConflict when only the moment is wrong (another domain's stage, not
    in review, replies closed), InputError for an unknown question, a comment
    to reply to that the team cannot see, or bad text. The comment and its audit
    row are written together, or neither is.
    """
    with transaction.atomic():
        locked = lock_assessment(assessment)
        roles.forget(by)
        replying = reply_to is not None
        if replying:
            denial = permissions.team_reply_denial(by, locked)
        else:
            denial = permissions.reviewer_comment_denial(by, locked)
        if denial is not None:
            if denial.status == 403:
                raise NotPermitted(denial.message, code=denial.code)
            raise TransitionConflict(denial.message, [denial.reason])
        parent = None
        if replying:
            parent = _comment_to_answer(locked, reply_to)
            question = parent.question
        questionnaire = get_questionnaire(locked.questionnaire_version)
        if not isinstance(question, str) or question not in questionnaire.questions:
            raise InputError({"question": "Choose a question of this assessment's questionnaire."})
        text = _clean_question_comment(text)
        now = timezone.now()
        comment = QuestionComment.objects.create(
            assessment=locked,
            question=question,
            review_round=parent.review_round if parent else locked.review_round,
            role=QuestionComment.Role.TEAM if replying else QuestionComment.Role.REVIEWER,
            stage="" if replying else locked.stage,
            author=by,
            reply_to=parent,
            text=text,
            created_at=now,
            shared_at=now if replying else None,
        )
        audit_event(
            locked,
            actor=by,
            action=AuditEntry.Action.QUESTION_COMMENT,
            comment=text,
            details={
                "comment_id": comment.pk,
                "question": question,
                "review_round": comment.review_round,
                "role": comment.role,
                "stage": comment.stage,
                "reply_to": parent.pk if parent else None,
                "records": records_of(QuestionComment.objects.filter(pk=comment.pk)),
            },
            acting_for=None if replying else acting_by(by, locked.stage, now),
        )
    return comment


def _comment_to_answer(assessment, reply_to):
    """The shared reviewer comment the team replies to; anything else is bad input, whoever asks."""
    try:
        pk = int(reply_to)
    except (TypeError, ValueError, OverflowError):
        pk = None
    parent = (
        QuestionComment.objects.filter(
            assessment=assessment, pk=pk, role=QuestionComment.Role.REVIEWER, shared_at__isnull=False
        ).first()
        if pk is not None and 0 < pk < 2**63
        else None
    )
    if parent is None:
        raise InputError({"reply_to": "Reply to a comment the committee sent you on this assessment."})
    return parent


def _clean_question_comment(text):
    if not isinstance(text, str):
        raise InputError({"text": "The comment must be text."})
    text = text.strip()
    if not canonical.is_storable_text(text):
        raise InputError({"text": "The comment " + canonical.unstorable_text(text)})
    if not text:
        raise InputError({"text": "Write the comment: it is empty."})
    if len(text) > MAX_QUESTION_COMMENT:
        raise InputError({"text": f"The comment is {len(text)} characters long; the limit is {MAX_QUESTION_COMMENT}."})
    return text
