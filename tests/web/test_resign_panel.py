"""The "Re-sign" panel: the note, the word-level diff since the sign-off, the earlier comment and carried conditions."""

import re

from django.urls import reverse

from assessments.models import AuditEntry, Condition, SignOff, State

from ..factories import UserFactory
from ..resign import LEGAL_COMMENT, NOTE, change_summary, due_in, ended_by_security
from ..workflow import act


def resubmitted(people):
    assessment = ended_by_security(people)
    change_summary(people, assessment)
    return act(people, assessment, "resubmit", comment=NOTE)


def page(client, assessment, status=200):
    response = client.get(reverse("assessment_detail", args=[assessment.pk]))
    assert response.status_code == status
    return response


def test_the_reviewer_who_signed_the_ended_round_sees_the_panel_pre_filled(people, login):
    assessment = resubmitted(people)
    response = page(login(people.reviewers["legal"]), assessment)
    panel = response.context["resign"]
    assert panel["comment"] == LEGAL_COMMENT and panel["note"] == NOTE
    assert [c.text for c in panel["carried"]] == ["Publish the retention schedule.", "Review the deletion logs."]
    html = response.content.decode()
    assert 'id="resign"' in html and NOTE in html
    assert f">{LEGAL_COMMENT}</textarea>" in html
    # Word by word: the added words are marked (and announced), the unchanged ones are not.
    panel_html = html.split('id="resign"')[1].split("</section>")[0]
    added = re.findall(r'<ins><span class="visually-hidden">\[added: </span>(.*?)<span', panel_html)
    assert added == ["treating ", "and sign ", "filed"], added
    removed = re.findall(r'<del><span class="visually-hidden">\[removed: </span>(.*?)<span', panel_html)
    assert removed == ["saved"] and "Drafts session notes for the " in panel_html


def test_no_panel_for_others(people, login):
    assessment = resubmitted(people)
    # Security's stage is later; the team and the auditor never re-sign.
    for user in (people.reviewers["security"], people.alice, people.auditor):
        assert page(login(user), assessment).context["resign"] is None
    # A Legal reviewer who did not sign round 1 signs as usual, without the panel.
    other = UserFactory(username="legal_two", roles=["legal"])
    response = page(login(other), assessment)
    assert response.context["resign"] is None and "approve" in response.context["action_forms"]


def test_re_signing_from_the_panel_keeps_edits_and_drops_in_one_post(people, login):
    assessment = resubmitted(people)
    retention, logs = Condition.objects.filter(assessment=assessment).order_by("pk")
    client = login(people.reviewers["legal"])
    response = client.post(
        reverse("assessment_transition", args=[assessment.pk, "approve"]),
        {
            "expected_state": State.LEGAL_REVIEW,
            "comment": LEGAL_COMMENT,
            "carried": [retention.pk, logs.pk],
            f"carried-{retention.pk}-action": "edit",
            f"carried-{retention.pk}-text": "Publish the retention schedule on the wiki.",
            f"carried-{retention.pk}-before_launch": "1",
            f"carried-{logs.pk}-action": "drop",
            f"carried-{logs.pk}-comment": "Not needed any more.",
        },
    )
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert assessment.state == State.SECURITY_REVIEW
    sign_off = SignOff.objects.get(assessment=assessment, review_round=2, stage="legal")
    assert sign_off.comment == LEGAL_COMMENT and sign_off.content_hash == assessment.content_hash
    retention.refresh_from_db()
    logs.refresh_from_db()
    assert (retention.status, retention.text, retention.sign_off_id) == (
        "open",
        "Publish the retention schedule on the wiki.",
        sign_off.pk,
    )
    assert (logs.status, logs.review_comment) == ("dropped", "Not needed any more.")
    assert AuditEntry.objects.filter(assessment=assessment, action="condition_edited").count() == 1


def test_a_bad_edit_in_the_panel_is_a_400_shown_in_the_panel(people, login):
    assessment = resubmitted(people)
    _, logs = Condition.objects.filter(assessment=assessment).order_by("pk")
    response = login(people.reviewers["legal"]).post(
        reverse("assessment_transition", args=[assessment.pk, "approve"]),
        {
            "expected_state": State.LEGAL_REVIEW,
            "comment": "Changed my mind.",
            "carried": [logs.pk],
            f"carried-{logs.pk}-action": "edit",
            f"carried-{logs.pk}-text": "Review the logs.",
            f"carried-{logs.pk}-due_date": "2001-01-01",
        },
    )
    assert response.status_code == 400
    assert "The due date is in the past." in [str(e) for e in response.context["resign_errors"]]
    assert ">Changed my mind.</textarea>" in response.content.decode()
    logs.refresh_from_db()
    assert logs.status == "proposed" and logs.text == "Review the deletion logs."


def test_the_carried_condition_buttons_drop_and_edit_for_its_domain_only(people, login):
    assessment = resubmitted(people)
    retention, logs = Condition.objects.filter(assessment=assessment).order_by("pk")
    html = page(login(people.reviewers["legal"]), assessment).content.decode()
    assert reverse("condition_drop", args=[logs.pk]) in html
    assert reverse("condition_drop", args=[logs.pk]) not in page(login(people.alice), assessment).content.decode()

    team = login(people.alice)
    assert team.post(reverse("condition_drop", args=[logs.pk]), {"comment": "Ours."}).status_code == 403
    security = login(people.reviewers["security"])
    assert security.post(reverse("condition_drop", args=[logs.pk]), {"comment": "No."}).status_code == 403
    legal = login(people.reviewers["legal"])
    assert legal.post(reverse("condition_drop", args=[logs.pk]), {"comment": ""}).status_code == 400
    edit = {"text": "Review the deletion logs monthly.", "due_date": due_in(40)}
    assert legal.post(reverse("condition_edit", args=[logs.pk]), edit).status_code == 302
    assert legal.post(reverse("condition_drop", args=[retention.pk]), {"comment": "Done."}).status_code == 302
    logs.refresh_from_db()
    retention.refresh_from_db()
    assert (logs.status, logs.text) == ("proposed", "Review the deletion logs monthly.")
    assert retention.status == "dropped"
