"""No errors on the browser's console while the team fills in the form and the committee uses the assessment page.

htmx logs an error (``htmx:sendAbort``) whenever one of its requests is cancelled; the live panel's requests
overlap as the team types, so a slow network is simulated to make them overlap for sure.
"""

import re

import pytest
from playwright.sync_api import expect

from assessments import services
from assessments.models import State

from ..workflow import EVIDENCE, advance, bias_rows, create_draft
from .conftest import DESKTOP

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def console_errors():
    return []


@pytest.fixture
def watched(browse, console_errors):
    """``watched(user)``: a logged-in tab on a slow network whose console errors and page errors are collected."""

    def open_as(user, viewport=DESKTOP):
        page = browse(user, viewport=viewport)
        page.on("console", lambda m: m.type == "error" and console_errors.append(f"{page.url}: {m.text}"))
        page.on("pageerror", lambda e: console_errors.append(f"{page.url}: {e}"))
        cdp = page.context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send(
            "Network.emulateNetworkConditions",
            {"offline": False, "latency": 300, "downloadThroughput": -1, "uploadThroughput": -1},
        )
        return page

    return open_as


def type_and_move_on(page, label, text):
    """Type, pause less than the live panel's delay, leave the field (a change), type again: requests overlap."""
    field = page.get_by_label(label)
    field.press_sequentially(text[: len(text) // 2], delay=20)
    field.blur()
    field.press("End")
    field.press_sequentially(text[len(text) // 2 :], delay=20)
    field.press("Tab")


def test_filling_in_and_saving_the_form_logs_no_error(people, watched, console_errors):
    page = watched(people.alice)
    page.goto("/assessments/new/")
    type_and_move_on(page, "Feature name", "Session-notes drafting")
    purpose = page.locator('[name="overview__purpose"]')
    purpose.press_sequentially("Drafts session notes for therapists to edit.", delay=10)
    page.locator('[name="overview__audience"][value="therapists"]').check()
    page.locator('[name="overview__audience"][value="clients"]').check()
    purpose.press_sequentially(" They always edit.", delay=10)
    # Save while the live panel's request is still on its way.
    page.locator(".form-actions").get_by_role("button", name="Save draft").click()
    expect(page.get_by_role("status").first).to_contain_text("saved")
    page.locator('[name="overview__purpose"]').press_sequentially(" And sign.", delay=10)
    # Save just after the panel's delayed request left, while it waits on the network.
    with page.expect_request(re.compile(r"/preview/$")):
        pass
    page.locator(".form-actions").get_by_role("button", name="Save draft").click()
    expect(page.get_by_role("status").first).to_contain_text("saved")
    page.wait_for_timeout(500)
    assert console_errors == [], "\n".join(console_errors)


def test_the_assessment_page_and_a_decision_log_no_error(people, watched, console_errors):
    draft = create_draft(people, name="Intake summary")
    services.bias_results_add(description=EVIDENCE, assessment=draft, rows=bias_rows(), by=people.alice)
    assessment = advance(people, draft, State.LEGAL_REVIEW)
    team = watched(people.alice)
    team.goto(f"/assessments/{assessment.pk}/")
    team.wait_for_timeout(300)
    legal = watched(people.reviewers["legal"])
    legal.goto(f"/assessments/{assessment.pk}/")
    approve = legal.locator("#actions-side details.action-approve")
    approve.locator("summary").click()
    approve.get_by_label(re.compile("^Comment")).fill("In order.")
    approve.get_by_role("button", name="Approve (sign off)").click()
    expect(legal.get_by_role("status").first).to_contain_text("You signed off")
    legal.wait_for_timeout(500)
    assert console_errors == [], "\n".join(console_errors)


def test_the_duplicate_name_hint_appears_as_the_name_is_typed(people, watched, console_errors):
    existing = create_draft(people, name="Intake summary")
    page = watched(people.alice)
    page.goto("/assessments/new/")
    page.get_by_label("Feature name").press_sequentially("intake  SUMMARY", delay=20)
    hint = page.locator("#feature-name-hint")
    expect(hint).to_contain_text("A feature with this name exists already")
    expect(hint.get_by_role("link", name="Intake summary")).to_have_attribute("href", f"/assessments/{existing.pk}/")
    page.get_by_label("Feature name").fill("Intake summary for groups")
    page.get_by_label("Feature name").press("Tab")
    expect(hint).not_to_contain_text("exists already")
    assert console_errors == [], "\n".join(console_errors)
