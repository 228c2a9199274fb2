"""The "Re-sign" panel: the note, the word-level diff since the sign-off, the earlier comment and carried conditions."""

import re

from django.urls import reverse

from accounts import reauth
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


def test_a_bad_edit_in_the_panel_is_a_400_shown_beside_its_field(people, login):
    assessment = resubmitted(people)
    retention, logs = Condition.objects.filter(assessment=assessment).order_by("pk")
    response = login(people.reviewers["legal"]).post(
        reverse("assessment_transition", args=[assessment.pk, "approve"]),
        {
            "expected_state": State.LEGAL_REVIEW,
            "comment": "Changed my mind.",
            "carried": [retention.pk, logs.pk],
            f"carried-{retention.pk}-action": "drop",
            f"carried-{retention.pk}-comment": "Published already.",
            f"carried-{logs.pk}-action": "edit",
            f"carried-{logs.pk}-text": "Review the logs.",
            f"carried-{logs.pk}-due_date": "2001-01-01",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    panel = html.split('id="resign"')[1].split("</section>")[0]
    field = f"carried-{logs.pk}-due_date"
    # Beside the due date of that condition, described by it and marked invalid; not at the top of the panel.
    date_input = re.search(rf'<input type="date" name="{field}"[^>]*>', panel).group(0)
    assert f'aria-describedby="{field}-error"' in date_input and 'aria-invalid="true"' in date_input
    error = re.search(rf'<p class="field-error" id="{field}-error">(.*?)</p>', panel).group(1)
    assert "The due date is in the past." in error
    assert panel.index(f'id="carried-{logs.pk}"') < panel.index(f'id="{field}-error"')
    # The summary names the condition and links to the field; the other condition's fields carry no error.
    summary = panel.split('id="resign-errors"')[1].split("</div>")[0]
    assert f'<a href="#{field}">Condition “Review the deletion logs.”</a>: The due date is in the past.' in summary
    assert f'id="carried-{retention.pk}-comment-error"' not in panel
    assert 'aria-invalid="true"' not in panel.split(f'id="carried-{logs.pk}"')[0].split('id="resign-errors"')[1]
    # What was typed is kept: the comment, the edit and its text, the other condition's drop and reason.
    assert ">Changed my mind.</textarea>" in panel
    assert ">Review the logs.</textarea>" in panel and 'value="2001-01-01"' in date_input
    assert re.search(rf'name="carried-{logs.pk}-action" value="edit" checked', panel)
    assert re.search(rf'name="carried-{retention.pk}-action" value="drop" checked', panel)
    assert f'id="carried-{retention.pk}-comment" maxlength="5000" value="Published already."' in panel
    logs.refresh_from_db()
    retention.refresh_from_db()
    assert (logs.status, logs.text, retention.status) == ("proposed", "Review the deletion logs.", "proposed")


def test_an_error_about_the_whole_condition_sits_at_its_fieldset(people, login):
    assessment = resubmitted(people)
    _, logs = Condition.objects.filter(assessment=assessment).order_by("pk")
    response = login(people.reviewers["legal"]).post(
        reverse("assessment_transition", args=[assessment.pk, "approve"]),
        {"expected_state": State.LEGAL_REVIEW, "carried": [logs.pk], f"carried-{logs.pk}-action": "burn"},
    )
    assert response.status_code == 400
    panel = response.content.decode().split('id="resign"')[1].split("</section>")[0]
    group = re.search(r'<div class="choices" role="radiogroup"[^>]*>', panel.split(f'id="carried-{logs.pk}"')[1])
    assert f'aria-describedby="carried-{logs.pk}-action-error"' in group.group(0)
    assert f'<a href="#carried-{logs.pk}-action-keep">' in panel
    assert "The action must be keep, edit or drop." in panel.split(f'id="carried-{logs.pk}-action-error"')[1]


def test_a_wrong_password_is_said_beside_the_password_field_of_the_panel(people, login):
    assessment = resubmitted(people)
    ids = list(Condition.objects.filter(assessment=assessment).values_list("pk", flat=True))
    client = login(people.reviewers["legal"])
    session = client.session
    session[reauth.SESSION_KEY] = 0  # signed in long ago: signing asks for the password
    session.save()
    response = client.post(
        reverse("assessment_transition", args=[assessment.pk, "approve"]),
        {"expected_state": State.LEGAL_REVIEW, "carried": ids, "password": "wrong", "comment": "Again."},
    )
    assert response.status_code == 400, response.status_code
    panel = response.content.decode().split('id="resign"')[1].split("</section>")[0]
    assert 'id="password-resign-approve-error"' in panel
    assert '<a href="#password-resign-approve">Password</a>' in panel


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
    edit = {"text": "Review the deletion logs monthly.", "due_date": due_in(40), "version": logs.version}
    assert security.post(reverse("condition_edit", args=[logs.pk]), edit).status_code == 403
    assert legal.post(reverse("condition_edit", args=[logs.pk]), edit).status_code == 302
    assert legal.post(reverse("condition_drop", args=[retention.pk]), {"comment": "Done."}).status_code == 302
    logs.refresh_from_db()
    retention.refresh_from_db()
    assert (logs.status, logs.text) == ("proposed", "Review the deletion logs monthly.")
    assert retention.status == "dropped"


def test_the_diff_escapes_what_the_team_typed_in_the_panel_and_the_dossier(people, login):
    from assessments import services
    from reports.dossier import dossier_record, record_html

    assessment = ended_by_security(people)
    services.assessment_update_answers(
        assessment=assessment,
        answers={"overview.feature_summary": "Drafts notes <script>alert(1)</script> & <b>bold</b> for review."},
        by=people.alice,
    )
    assessment = act(people, assessment, "resubmit", comment="Said <i>who</i> signs.")
    html = page(login(people.reviewers["legal"]), assessment).content.decode()
    panel = html.split('id="resign"')[1].split("</section>")[0]
    assert "<script>alert(1)</script>" not in html and "<b>bold</b>" not in html and "<i>who</i>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in panel and "&amp;" in panel
    assert "Said &lt;i&gt;who&lt;/i&gt; signs." in panel
    dossier = record_html(dossier_record(assessment))
    assert "<script>" not in dossier and "<b>bold</b>" not in dossier
    history = dossier.split('id="audit"')[1].split('id="integrity"')[0]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in history
