"""Every open flag on one form: several mitigation notes saved in one request (htmx answers with the flags'
section), all or none, each in the audit log with who wrote it and when."""

from django.urls import reverse

from assessments import services
from assessments.models import AuditEntry, BiasMitigation, State

from ..workflow import EVIDENCE, advance, bias_rows, create_draft

RATIO = "ratio_below_four_fifths:race:false_positive_rate"
SMALL = "group_too_small:race:Pacific Islander"


def flagged(people):
    assessment = create_draft(people)
    rows = [
        *bias_rows(["religion", "gender"]),
        {"dimension": "race", "group": "White", "n": 800, "metric": "false_positive_rate", "value": 0.10},
        {"dimension": "race", "group": "Black", "n": 700, "metric": "false_positive_rate", "value": 0.40},
        {"dimension": "race", "group": "Pacific Islander", "n": 12, "metric": "false_positive_rate", "value": 0.2},
        {"dimension": "race", "group": "Pacific Islander", "n": 12, "metric": "selection_rate", "value": 0.5},
    ]
    services.bias_results_add(description=EVIDENCE, assessment=assessment, rows=rows, by=people.alice)
    return assessment


def post(client, assessment, notes, htmx=True):
    data = {"flag": list(notes), "text": list(notes.values())}
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(reverse("bias_mitigation_add", args=[assessment.pk]), data, headers=headers)


def test_the_page_lists_every_open_flag_on_one_form(people, login):
    assessment = flagged(people)

    page = login(people.alice).get(reverse("assessment_detail", args=[assessment.pk])).content.decode()

    form = page.split('class="bias-note-form"', 1)[1].split("</form>", 1)[0]
    assert form.count('name="flag"') == 2 and RATIO in form and SMALL in form
    assert form.count("<textarea") == 2 and 'hx-post="' in page


def test_several_notes_are_saved_in_one_request_and_the_section_comes_back(people, login):
    assessment = flagged(people)
    client = login(people.alice)

    response = post(client, assessment, {RATIO: "Threshold recalibrated per group.", SMALL: "Pooling two quarters."})

    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<section class="bias-notes" id="bias-flags"')
    assert "2 mitigation notes were recorded." in html and 'class="bias-note-form"' not in html
    assert {m.flag: m.text for m in BiasMitigation.objects.all()} == {
        RATIO: "Threshold recalibrated per group.",
        SMALL: "Pooling two quarters.",
    }
    entries = AuditEntry.objects.filter(action="bias_mitigated").order_by("seq")
    assert [(e.details["flag"], e.details["created_by"], e.actor) for e in entries] == [
        (RATIO, "alice", people.alice),
        (SMALL, "alice", people.alice),
    ]
    mitigation = BiasMitigation.objects.get(flag=RATIO)
    assert entries[0].details["mitigation_id"] == mitigation.pk
    assert entries[0].details["created_at"].startswith(mitigation.created_at.strftime("%Y-%m-%dT%H:%M:%S"))


def test_an_empty_note_is_left_open_and_the_others_saved(people, login):
    assessment = flagged(people)

    response = post(login(people.alice), assessment, {RATIO: "Threshold recalibrated per group.", SMALL: "  "})

    assert response.status_code == 200
    assert list(BiasMitigation.objects.values_list("flag", flat=True)) == [RATIO]
    assert 'name="flag" value="group_too_small:race:Pacific Islander"' in response.content.decode()


def test_a_bad_note_saves_none_and_the_form_keeps_what_was_written(people, login):
    assessment = flagged(people)

    response = post(login(people.alice), assessment, {RATIO: "Kept text.", SMALL: "x" * 5001})

    assert response.status_code == 400
    html = response.content.decode()
    assert "the limit is 5000" in html and "Kept text." in html
    assert not BiasMitigation.objects.exists() and not AuditEntry.objects.filter(action="bias_mitigated").exists()


def test_no_note_at_all_is_400(people, login):
    assessment = flagged(people)

    response = post(login(people.alice), assessment, {RATIO: "", SMALL: ""})

    assert response.status_code == 400 and not BiasMitigation.objects.exists()


def test_a_flag_the_evidence_does_not_raise_is_409(people, login):
    assessment = flagged(people)

    response = post(login(people.alice), assessment, {"ratio_below_four_fifths:race:selection_rate": "x"})

    assert response.status_code == 409 and not BiasMitigation.objects.exists()


def test_without_htmx_the_form_saves_and_returns_to_the_page(people, login):
    assessment = flagged(people)

    response = post(login(people.alice), assessment, {RATIO: "Recalibrated."}, htmx=False)

    assert response.status_code == 302 and response["Location"].endswith("#bias")
    assert BiasMitigation.objects.get().text == "Recalibrated."


def test_a_reviewer_of_another_domain_may_not_save_notes(people, login):
    assessment = flagged(people)
    assessment = services.assessment_transition(assessment=assessment, name="submit", by=people.alice)
    assessment = advance(people, assessment, State.SECURITY_REVIEW)

    response = post(login(people.reviewers["legal"]), assessment, {RATIO: "x"})

    assert response.status_code == 403 and not BiasMitigation.objects.exists()


def test_a_stored_note_under_the_earlier_per_metric_key_still_mitigates_the_group(people, login):
    assessment = flagged(people)
    BiasMitigation.objects.create(
        assessment=assessment,
        kind="approval",
        flag="group_too_small:race:selection_rate:Pacific Islander",
        text="Recorded before the flag became one per group.",
        created_by=people.alice,
    )

    flags = {f["key"]: f["mitigated"] for f in services.bias_flags_of(assessment)}

    assert flags == {RATIO: False, SMALL: True}
    response = post(login(people.alice), assessment, {SMALL: "Again."})
    assert response.status_code == 409


def _panel(html, where):
    start = html.index(f'id="actions-{where}"')
    return html[html.rindex("<section", 0, start) : html.index("</section>", start)]


def test_a_saved_note_that_opens_the_approval_swaps_both_action_panels_in_place(people, login):
    """The approval's gate reads the mitigations: the htmx answer carries both action panels out of band."""
    draft = create_draft(people)
    services.bias_results_add(
        description=EVIDENCE, assessment=draft, rows=bias_rows(["religion", "gender"]), by=people.alice
    )
    assessment = advance(
        people, services.assessment_transition(assessment=draft, name="submit", by=people.alice), State.DATA_AI_REVIEW
    )
    rows = [
        {"dimension": "race", "group": "Black", "n": 412, "metric": "selection_rate", "value": 0.30},
        {"dimension": "race", "group": "White", "n": 655, "metric": "selection_rate", "value": 0.44},
    ]
    data_ai = people.reviewers["data_ai"]
    services.bias_results_add(description=EVIDENCE, assessment=assessment, rows=rows, by=data_ai)
    client = login(data_ai)
    page = client.get(reverse("assessment_detail", args=[assessment.pk])).content.decode()
    assert 'id="action-approve"' not in _panel(page, "side") and "is flagged" in _panel(page, "side")

    response = post(client, assessment, {"ratio_below_four_fifths:race:selection_rate": "Recalibrated per group."})

    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<section class="bias-notes" id="bias-flags"')
    for where, action in (("side", 'id="action-approve"'), ("end", 'id="end-action-approve"')):
        panel = _panel(html, where)
        assert 'hx-swap-oob="true"' in panel.split(">", 1)[0]
        assert action in panel and "is flagged" not in panel
    assert html.count('hx-swap-oob="true"') == 2


def test_a_refused_note_swaps_no_panel(people, login):
    assessment = flagged(people)

    response = post(login(people.alice), assessment, {RATIO: ""})

    assert response.status_code == 400 and "hx-swap-oob" not in response.content.decode()
