"""In a real browser: the Data/AI reviewer uploads a CSV of per-group results, sees the flag it raises,
records a mitigation and approves."""

import re

import pytest
from playwright.sync_api import expect

from assessments import services
from assessments.models import Assessment, BiasMitigation, State

from ..workflow import EVIDENCE, advance, bias_rows, create_draft

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
    page.get_by_role("button", name="Record mitigation").click()
    expect(page.locator("#bias")).to_contain_text("Selection threshold recalibrated")
    page.locator("#bias").screenshot(path=artifacts / "mitigated.png")

    approve = page.locator("#action-approve")  # the panel at the top (the page's end repeats it)
    approve.locator("summary").click()
    approve.get_by_label(re.compile("^Comment")).fill("Bias evidence complete; flag mitigated.")
    approve.get_by_role("button", name="Approve (sign off)").click()

    expect(page.locator("main")).to_contain_text("You signed off")
    assert Assessment.objects.get(pk=assessment.pk).state == State.APPROVED
    assert BiasMitigation.objects.get(assessment=assessment).created_by == people.reviewers["data_ai"]
