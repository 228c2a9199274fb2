"""The dossier shows each condition's steps from the audit log: set, carried, kept, edited, dropped, marked met with
its evidence (a file by name and SHA-256), reopened and confirmed, each with who and when; and a carried condition
of an assessment that ended is closed, saying so."""

import hashlib
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from assessments.models import Condition, State
from reports.dossier import dossier_record, record_context
from tests.signing_client import SigningClient

from ..resign import due_in
from ..workflow import act, advance, create_draft
from .conftest import page_texts

pytestmark = pytest.mark.django_db
CARD = b"%PDF-1.7\n% the model card\n%%EOF\n"
STAMP = r"\d{4}-\d\d-\d\d \d\d:\d\d UTC"


def client_for(user):
    client = SigningClient()
    client.force_authenticate(user)
    return client


def flat(text):
    return re.sub(r"\s+", "", text)


def test_every_step_of_each_condition_is_in_the_dossier_with_who_when_and_the_evidence(people):
    assessment = advance(people, create_draft(people), State.LEGAL_REVIEW)
    assessment = act(
        people,
        assessment,
        "approve",
        conditions=[
            {"text": "Publish the model card.", "before_launch": True},
            {"text": "Review the logs.", "due_date": due_in(30)},
            {"text": "Train the staff.", "due_date": due_in(30)},
        ],
    )
    card, logs, staff = Condition.objects.order_by("pk")
    assessment = act(people, assessment, "request_changes")
    assessment = act(people, assessment, "resubmit", comment="Named the signer.")
    path = f"/api/v1/assessments/{assessment.pk}/transitions/"
    decisions = [
        {"id": card.pk, "action": "keep"},
        {"id": logs.pk, "action": "edit", "text": "Review the deletion logs monthly."},
        {"id": staff.pk, "action": "drop", "comment": "Covered by the onboarding."},
    ]
    legal = client_for(people.reviewers["legal"])
    assert legal.post(path, {"name": "approve", "carried_conditions": decisions}, format="json").status_code == 200
    # Met before the decision (the team need not wait for the approval): in the dossier the approval issues.
    base = f"/api/v1/assessments/{assessment.pk}/conditions/{card.pk}/"
    team = client_for(people.alice)
    upload = SimpleUploadedFile("card.pdf", CARD)
    assert team.post(base + "met/", {"file": upload}, format="multipart").status_code == 200
    assert legal.post(base + "reopen/", {"comment": "Add the metrics."}, format="json").status_code == 200
    assert team.post(base + "met/", {"evidence": "https://example.org/card-v2"}, format="json").status_code == 200
    assert legal.post(base + "confirm/", {"comment": "Complete."}, format="json").status_code == 200
    assessment.refresh_from_db()
    assessment = advance(people, assessment, State.APPROVED)

    pdf = client_for(people.auditor).get(f"/api/v1/assessments/{assessment.pk}/dossier.pdf")
    assert pdf.status_code == 200
    text = re.sub(r"\s+", " ", " ".join(page_texts(pdf.content)))
    chapter = text.split("7. Conditions")[-1].split("8. Audit")[0]
    wanted = [
        rf"Set with the approval by legal_reviewer, {STAMP}",
        r"Carried to the next round as proposed \(the round ended with a change request\) "
        rf"by security_reviewer, {STAMP}",
        rf"Kept by its domain when signing again by legal_reviewer, {STAMP}",
        rf"Marked met by alice, {STAMP}; file card\.pdf, SHA-256",
        rf"Reopened by legal_reviewer, {STAMP}: “Add the metrics\.”",
        rf"Marked met by alice, {STAMP}; evidence: “https://example\.org/card-v2”",
        rf"Confirmed met by legal_reviewer, {STAMP}: “Complete\.”",
        rf"Edited by legal_reviewer, {STAMP}",
        rf"Dropped by legal_reviewer, {STAMP}: “Covered by the onboarding\.”",
    ]
    for step in wanted:
        assert re.search(step, chapter), step
    # The file's hash whole (a long hash wraps across lines in the PDF).
    assert hashlib.sha256(CARD).hexdigest() in flat(chapter)
    # In order, under the card's condition.
    card_steps = chapter.split("Publish the model card.")[1].split("Review the deletion logs")[0]
    order = ["Set with", "Carried", "Kept", "Marked met", "Reopened", "Marked met", "Confirmed"]
    at = [card_steps.find(word) for word in order]
    assert -1 not in at and at[:3] == sorted(at[:3]) and at[4] < at[6]
    # Kept at the re-signature, not set a second time.
    assert card_steps.count("Set with the approval") == 1


@pytest.mark.parametrize(("ending", "said"), [("withdraw", "withdrawn"), ("reject", "rejected")])
def test_a_carried_condition_of_an_assessment_that_ended_is_closed_saying_so(people, ending, said):
    assessment = advance(people, create_draft(people), State.LEGAL_REVIEW)
    assessment = act(people, assessment, "approve", conditions=[{"text": "Pen-test.", "before_launch": True}])
    assessment = act(people, assessment, "request_changes")
    if ending == "reject":
        assessment = act(people, act(people, assessment, "resubmit", comment="Fixed."), "reject", comment="No.")
    else:
        assessment = act(people, assessment, "withdraw")
    condition = Condition.objects.get()
    assert (condition.status, condition.review_comment) == ("dropped", f"Closed unanswered: the assessment was {said}.")
    assert condition.closed_at is not None and condition.next_reminder_on is None
    [row] = record_context(dossier_record(assessment))["conditions"]
    assert [s["label"] for s in row["steps"]][-1] == f"Closed unanswered: the assessment was {said}"


def test_the_dossier_calls_a_condition_overdue_from_the_day_after_its_due_date(people):
    from datetime import timedelta

    from django.utils import timezone

    assessment = advance(people, create_draft(people), State.LEGAL_REVIEW)
    assessment = act(people, assessment, "approve", conditions=[{"text": "Pen-test.", "due_date": due_in(30)}])
    record = dossier_record(assessment)
    today = timezone.localdate(record.as_of)
    for due, overdue in ((today, False), (today - timedelta(days=1), True)):
        Condition.objects.update(due_date=due)
        [row] = record_context(dossier_record(assessment, now=record.as_of))["conditions"]
        assert row["overdue"] is overdue, due
    Condition.objects.update(status=Condition.Status.AWAITING_CONFIRMATION)
    [row] = record_context(dossier_record(assessment, now=record.as_of))["conditions"]
    assert row["overdue"] is False  # met, waiting for its confirmation: no longer the team's to do
