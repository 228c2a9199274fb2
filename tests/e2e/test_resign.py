"""Re-signing in the browser: Legal, who signed the round Security's change request ended, sees the team's note,
the word-level diff and its earlier comment and conditions pre-filled, and signs again in one submit."""

import pytest
from playwright.sync_api import expect

from assessments.models import Condition, SignOff, State

from ..resign import LEGAL_COMMENT, NOTE, change_summary, ended_by_security
from ..workflow import act

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_legal_re_signs_in_one_submit_with_its_conditions_pre_filled(people, browse):
    assessment = ended_by_security(people)
    change_summary(people, assessment)
    assessment = act(people, assessment, "resubmit", comment=NOTE)
    retention, logs = Condition.objects.filter(assessment=assessment).order_by("pk")

    page = browse(people.reviewers["legal"])
    page.goto(f"/assessments/{assessment.pk}/")
    panel = page.locator("#resign")
    expect(panel.get_by_role("heading", name="Re-sign as Legal reviewer")).to_be_visible()
    expect(panel.locator(".resign-note")).to_contain_text(NOTE)
    # The diff is word by word, and says so to a screen reader too.
    expect(panel.locator("ins").first).to_have_text("[added: treating ]")
    expect(panel.locator("del")).to_have_text("[removed: saved]")
    # The earlier comment and both carried conditions are filled in.
    expect(panel.get_by_label("Comment")).to_have_value(LEGAL_COMMENT)
    expect(panel.locator(f"#carried-{retention.pk}-text")).to_have_value("Publish the retention schedule.")
    expect(panel.locator(f"#carried-{logs.pk}-text")).to_have_value("Review the deletion logs.")
    expect(panel.locator(f"#carried-{retention.pk}-before_launch")).to_be_checked()

    # Keep the first as it is, edit the second, in the same submit.
    logs_box = panel.locator(f"#carried-{logs.pk}")
    logs_box.get_by_label("Keep, edited as below").check()
    panel.locator(f"#carried-{logs.pk}-text").fill("Review the deletion logs every month.")
    panel.get_by_role("button", name="Re-sign: approve Legal review").click()
    expect(page.get_by_text("You signed off")).to_be_visible()

    assessment.refresh_from_db()
    assert assessment.state == State.SECURITY_REVIEW
    sign_off = SignOff.objects.get(assessment=assessment, review_round=2, stage="legal")
    assert (sign_off.comment, sign_off.content_hash) == (LEGAL_COMMENT, assessment.content_hash)
    assert [(c.status, c.text) for c in Condition.objects.filter(assessment=assessment).order_by("pk")] == [
        ("open", "Publish the retention schedule."),
        ("open", "Review the deletion logs every month."),
    ]
