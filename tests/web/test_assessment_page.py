"""The assessment page: answers, risk, NIST coverage, sign-offs, conditions, timeline, the reviewer's diff."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from assessments import services
from assessments.models import State

from ..workflow import EVIDENCE, act, advance, bias_rows, create_draft


def page_of(client, assessment):
    response = client.get(reverse("assessment_detail", args=[assessment.pk]))
    assert response.status_code == 200
    return response, response.content.decode()


def test_it_shows_answers_by_section_risk_and_nist_coverage(people, login):
    assessment = create_draft(people, name="Intake summary")
    response, page = page_of(login(people.alice), assessment)
    assert "Intake summary" in page
    for heading in ("Answers", "Risk level", "NIST AI RMF coverage", "Sign-offs", "Conditions", "Audit trail"):
        assert heading in page
    assert "Clinical boundary" in page  # a questionnaire section
    assert "Clients (people receiving care)" in page  # a choice shown by its label
    nist = {f["function"]: f for f in response.context["nist"]}
    assert set(nist) == {"GOVERN", "MAP", "MEASURE", "MANAGE"}
    assert all(f["covered"] > 0 for f in nist.values())
    risk = response.context["risk"]
    assert risk["score"]["level"] == assessment.risk_level
    assert "Alice" in page and "created version 1 as a draft" in page


def test_hard_stops_are_shown_on_the_page(people, login):
    assessment = create_draft(people, **{"data.trained_on_therapy_conversations": True})
    _, page = page_of(login(people.alice), assessment)
    assert "Hard stop" in page and "rule against training on private" in page
    # Submit is offered only as blocked, with the reason.
    assert "Submit for review: not now" in page


def test_sign_offs_conditions_and_timeline_appear_as_the_review_goes(people, login):
    assessment = advance(people, create_draft(people), State.SECURITY_REVIEW)
    due = (timezone.localdate() + timedelta(days=20)).isoformat()
    assessment = act(
        people,
        assessment,
        "approve",
        comment="Fine with the pen test.",
        conditions=[{"text": "Rotate the vendor keys quarterly.", "owner": "ben", "due_date": due}],
    )
    response, page = page_of(login(people.auditor), assessment)
    assert "Fine with the pen test." in page
    assert "Rotate the vendor keys quarterly." in page
    assert "approved at Security review" in page
    assert [step["status"] for step in response.context["progress"]] == [
        "signed",
        "signed",
        "waiting",
        "not_reached",
        "not_reached",
    ]


def test_a_reviewer_who_signed_an_earlier_round_sees_what_changed_since(people, login):
    assessment = advance(people, create_draft(people), State.CLINICAL_REVIEW)
    assessment = act(people, assessment, "request_changes", comment="Describe the escalation path.")
    services.assessment_update_answers(
        assessment=assessment,
        answers={"oversight.human_oversight_description": "On-call clinicians see every flagged message."},
        by=people.alice,
    )
    assessment = act(people, assessment, "resubmit")
    response, page = page_of(login(people.reviewers["legal"]), assessment)
    diff = response.context["diff"]
    assert diff is not None and diff["stage"] == "Legal"
    assert [row["text"] for row in diff["rows"]] == [
        "Describe the human oversight: who checks what, when, and what they can do about it."
    ]
    # Legal signed the round the change request ended: its diff is in the re-sign panel (test_resign_panel.py).
    assert "Re-sign as Legal reviewer" in page and "Answers changed since your sign-off" in page
    assert "On-call clinicians see every flagged message." in page
    # A reviewer who has not signed before sees no diff.
    response, _ = page_of(login(people.reviewers["product"]), assessment)
    assert response.context["diff"] is None


def test_a_change_and_its_undo_leave_no_diff(people, login):
    assessment = advance(people, create_draft(people), State.SECURITY_REVIEW)
    assessment = act(people, assessment, "request_changes", comment="Check the text.")
    original = assessment.answers["impact.benefits"]
    for text in ("Something else.", original):
        services.assessment_update_answers(assessment=assessment, answers={"impact.benefits": text}, by=people.alice)
    assessment = act(people, assessment, "resubmit")
    response, page = page_of(login(people.reviewers["legal"]), assessment)
    assert response.context["diff"]["rows"] == []
    assert "No answers changed since your sign-off." in page


def test_bias_evidence_is_listed_with_the_four_fifths_check(people, login):
    assessment = create_draft(people)
    rows = bias_rows(("race",)) + [
        {"dimension": "religion", "group": "a", "n": 100, "metric": "selection_rate", "value": 0.9},
        {"dimension": "religion", "group": "b", "n": 100, "metric": "selection_rate", "value": 0.5},
    ]
    services.bias_results_add(description=EVIDENCE, assessment=assessment, rows=rows, by=people.alice)
    response, page = page_of(login(people.alice), assessment)
    flagged = {r["dimension"]: r["flagged"] for r in response.context["bias_ratios"]}
    assert flagged == {"race": False, "religion": True}
    assert "Below 0.8: flagged" in page


def test_the_team_marks_a_condition_met(people, login):
    assessment = advance(people, create_draft(people), State.DATA_AI_REVIEW)
    due = (timezone.localdate() + timedelta(days=20)).isoformat()
    assessment = act(
        people, assessment, "approve", conditions=[{"text": "Publish the notice.", "owner": "", "due_date": due}]
    )
    condition = assessment.conditions.get()
    url = reverse("condition_met", args=[condition.pk])
    assert login(people.auditor).post(url, {"evidence": "done"}).status_code == 403
    assert login(people.olga).post(url).status_code == 404
    assert login(people.ben).post(url, {"evidence": "  "}).status_code == 400  # evidence required
    condition.refresh_from_db()
    assert condition.is_open
    response = login(people.ben).post(url, {"evidence": "Live on the website."})
    condition.refresh_from_db()
    assert response.status_code == 302 and condition.awaits_confirmation
    assert condition.evidence == "Live on the website."
    assert login(people.ben).post(url, {"evidence": "Again."}).status_code == 409


def test_withdrawn_and_rejected_assessments_still_show_their_history(people, login):
    rejected = advance(people, create_draft(people), State.REJECTED)
    _, page = page_of(login(people.auditor), rejected)
    assert "rejected it at Legal review" in page
    assert "Please explain the escalation path." in page
