"""In a real browser: the Data/AI reviewer uploads a CSV of per-group results, sees the flag it raises,
records a mitigation and approves."""

import re

import pytest
from playwright.sync_api import expect

from assessments import services
from assessments.models import Assessment, BiasMitigation, State

from ..workflow import EVIDENCE, advance, bias_rows, create_draft
from .conftest import ISSUES_DOSSIER_MS

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

RESULTS = "dimension,group,n,metric,value\nrace,Black,412,selection_rate,0.30\nrace,White,655,selection_rate,0.44\n"


def test_the_data_ai_reviewer_uploads_sees_the_flag_mitigates_and_approves(people, browse, artifacts, tmp_path):
    draft = create_draft(people, name="Therapist matching")
    services.bias_results_add(
        description=EVIDENCE, assessment=draft, rows=bias_rows(["religion", "gender"]), by=people.alice
    )
    draft = services.assessment_transition(assessment=draft, name="submit", by=people.alice)
    assessment = advance(people, draft, State.DATA_AI_REVIEW)
    csv_file = tmp_path / "race-results.csv"
    csv_file.write_text(RESULTS)

    page = browse(people.reviewers["data_ai"])
    page.goto(f"/assessments/{assessment.pk}/")
    expect(page.locator("#bias")).to_contain_text("Still missing: race")

    page.get_by_label("CSV file").set_input_files(str(csv_file))
    page.get_by_label("Model version and data set").first.fill("Matching model v3, bookings of March 2026.")
    page.get_by_role("button", name="Preview upload").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Preview of race-results.csv")
    expect(page.locator("main")).to_contain_text("1 flag to answer with a mitigation")
    page.screenshot(path=artifacts / "preview.png", full_page=True)
    page.get_by_role("button", name="Save 2 rows").click()

    expect(page.locator("#bias")).to_contain_text("Below 0.8")
    # The actions panel and the page's end both say why Approve is not offered yet.
    expect(page.locator(".blocked")).to_have_count(2)
    for blocked in page.locator(".blocked").all():
        expect(blocked).to_contain_text("selection_rate of race is flagged")
    page.get_by_label("Mitigation note for this flag").fill(
        "Selection threshold recalibrated per group; re-measured monthly by the matching team."
    )
    page.get_by_role("button", name="Save mitigation notes").click()
    expect(page.locator("#bias")).to_contain_text("Selection threshold recalibrated")
    page.locator("#bias").screenshot(path=artifacts / "mitigated.png")
    # No reload: the answer swapped both action panels in place, and they read the gate again.
    expect(page.locator(".blocked")).to_have_count(0)
    expect(page.locator("#end-action-approve")).to_be_attached()

    approve = page.locator("#action-approve")  # the panel at the top (the page's end repeats it)
    approve.locator("summary").click()
    approve.get_by_label(re.compile("^Comment")).fill("Bias evidence complete; flag mitigated.")
    approve.get_by_role("button", name="Approve (sign off)").click(timeout=ISSUES_DOSSIER_MS)

    expect(page.locator("main")).to_contain_text("You signed off")
    assert Assessment.objects.get(pk=assessment.pk).state == State.APPROVED
    assert BiasMitigation.objects.get(assessment=assessment).created_by == people.reviewers["data_ai"]


SEVERAL = (
    "dimension,group,n,metric,value\n"
    "race,White,800,false_positive_rate,0.10\n"
    "race,Black,700,false_positive_rate,0.40\n"
    "race,Pacific Islander,12,false_positive_rate,0.20\n"
    "gender,Woman,900,selection_rate,0.30\n"
    "gender,Man,800,selection_rate,0.44\n"
)


def test_several_mitigation_notes_are_saved_at_once_without_a_page_reload(people, browse, artifacts, tmp_path):
    draft = create_draft(people, name="Intake triage")
    services.bias_results_add(description=EVIDENCE, assessment=draft, rows=bias_rows(["religion"]), by=people.alice)
    csv_file = tmp_path / "triage.csv"
    csv_file.write_text(SEVERAL)

    page = browse(people.alice)
    page.goto(f"/assessments/{draft.pk}/")
    page.get_by_label("CSV file").set_input_files(str(csv_file))
    page.get_by_label("Model version and data set").first.fill("Triage model v1.4, April to June 2026.")
    page.get_by_role("button", name="Preview upload").click()
    expect(page.locator("main")).to_contain_text("3 flags to answer with a mitigation")
    page.get_by_role("button", name="Save 5 rows").click()

    flags = page.locator("#bias-flags")
    expect(flags.locator(".bias-note textarea")).to_have_count(3)
    expect(flags).to_contain_text("disadvantaged Black")
    page.evaluate("window.stillTheSamePage = true")
    notes = flags.locator(".bias-note textarea")
    notes.nth(0).fill("Gender: matching threshold recalibrated; re-measured monthly.")
    notes.nth(1).fill("Race: every urgent flag on these intakes is confirmed by a clinician.")
    notes.nth(2).fill("Pacific Islander: pooled over two quarters before judging.")
    page.get_by_role("button", name="Save mitigation notes").click()

    expect(page.locator("#bias-flags")).to_contain_text("3 mitigation notes were recorded.")
    expect(page.locator("#bias-flags .bias-note-form")).to_have_count(0)
    expect(page.locator("#bias-flags .bias-flag-summary")).to_contain_text("3 mitigated, 0 without")
    assert page.evaluate("window.stillTheSamePage") is True  # saved by htmx: the page was not reloaded
    page.locator("#bias").screenshot(path=artifacts / "mitigated-at-once.png")
    assert BiasMitigation.objects.filter(assessment=draft).count() == 3
