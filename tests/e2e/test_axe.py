"""axe-core scans every page type, for every role, at desktop and phone widths; no serious or critical violation.

axe-core comes vendored in axe-playwright-python (pinned in requirements-dev.txt) and is injected through
Playwright, outside the page's Content-Security-Policy. Every finding, of any impact, is written to
``test-artifacts/e2e/<test>/axe-<role>.json`` so the minor ones can be read too.
"""

import json

import pytest
from axe_playwright_python.sync_playwright import Axe

from assessments.models import State

from ..workflow import advance, create_draft
from .conftest import DESKTOP, PHONE

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

AXE = Axe()
FAILING_IMPACTS = ("serious", "critical")


def pages_for(role, w):
    """The pages each role is scanned on, as ``(name, url, expected status)``."""
    pages = {
        "anonymous": [
            ("login", "/accounts/login/", 200),
            ("public register", "/register/", 200),
            ("verify a dossier", "/verify/", 200),
            ("API docs", "/api/docs/", 200),
            ("not found", "/no-such-page/", 404),
        ],
        "team member": [
            ("home", "/", 200),
            ("list", "/assessments/", 200),
            ("list with a refused filter", "/assessments/?state=nonsense", 400),
            ("new questionnaire", "/assessments/new/", 200),
            ("draft's questionnaire", f"/assessments/{w.draft}/edit/", 200),
            ("draft's page", f"/assessments/{w.draft}/", 200),
            ("changes requested page", f"/assessments/{w.changes}/", 200),
            ("changes requested questionnaire", f"/assessments/{w.changes}/edit/", 200),
            ("rejected page", f"/assessments/{w.rejected}/", 200),
            ("approved page", f"/assessments/{w.approved}/", 200),
            ("inbox", "/committee/inbox/", 200),
            ("email settings", "/committee/inbox/settings/", 200),
            ("verify a dossier", "/reports/verify/", 200),
            ("refused: no queue", "/committee/queue/", 403),
            ("refused: analytics", "/reports/analytics/", 403),
            ("not found", "/assessments/999999/", 404),
        ],
        "reviewer": [
            ("home", "/", 200),
            ("queue", "/committee/queue/", 200),
            ("assessment to review", f"/assessments/{w.at_legal}/", 200),
            ("list filtered by stage", "/assessments/?stage=legal&overdue=true", 200),
            ("analytics", "/reports/analytics/", 200),
            ("inbox", "/committee/inbox/", 200),
        ],
        "chair": [
            ("home with the pipeline", "/", 200),
            ("analytics", "/reports/analytics/", 200),
            ("audit trail", "/audit/", 200),
            ("auditor's workspace", "/reports/", 200),
            ("assessment in review", f"/assessments/{w.at_legal}/", 200),
            ("API docs", "/api/docs/", 200),
        ],
        "auditor": [
            ("home", "/", 200),
            ("workspace", "/reports/", 200),
            ("workspace with a refused filter", "/reports/?risk_level=9", 400),
            ("assessment record", f"/reports/assessments/{w.approved}/", 200),
            ("dossier downloads", "/reports/downloads/", 200),
            ("verify a dossier", "/reports/verify/", 200),
            ("audit trail", "/audit/", 200),
            ("security events", "/security/events/", 200),
            ("security events with a refused filter", "/security/events/?since=2026-03-04&until=2026-03-01", 400),
            ("analytics", "/reports/analytics/", 200),
            ("approved page", f"/assessments/{w.approved}/", 200),
        ],
        "administrator": [
            ("home", "/", 200),
            ("list", "/assessments/", 200),
        ],
    }
    return pages[role]


@pytest.fixture
def world(people):
    """One assessment in each state a page looks different in."""
    from types import SimpleNamespace

    return SimpleNamespace(
        draft=create_draft(people, name="Journaling prompts").pk,
        at_legal=advance(people, create_draft(people, name="AI-enhanced intake"), State.LEGAL_REVIEW).pk,
        changes=advance(people, create_draft(people, name="Session-notes drafting"), State.CHANGES_REQUESTED).pk,
        rejected=advance(people, create_draft(people, name="Mood prediction"), State.REJECTED).pk,
        approved=advance(people, create_draft(people, name="Therapist matching"), State.APPROVED).pk,
    )


def user_for(people, role):
    return {
        "team member": people.alice,
        "reviewer": people.reviewers["legal"],
        "chair": people.chair,
        "auditor": people.auditor,
        "administrator": people.admin,
    }.get(role)


def serious(results):
    return [v for v in results["violations"] if v["impact"] in FAILING_IMPACTS]


def describe(violation):
    targets = ", ".join(" ".join(node["target"]) for node in violation["nodes"][:5])
    return f"{violation['id']} ({violation['impact']}): {violation['help']} at {targets}"


@pytest.mark.parametrize("role", ["anonymous", "team member", "reviewer", "chair", "auditor", "administrator"])
def test_no_serious_or_critical_violations_on_any_page(
    role, people, world, browse, new_context, live_server, artifacts
):
    user = user_for(people, role)
    found, report = [], {}
    for width, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        if user is None:
            page = new_context(base_url=live_server.url, viewport=viewport).new_page()
        else:
            page = browse(user, viewport=viewport)
        for name, url, status in pages_for(role, world):
            response = page.goto(url)
            assert response.status == status, f"{role}, {name}: {url} answered {response.status}"
            page.wait_for_load_state("networkidle")  # the API docs draw themselves after loading the schema
            if "docs" in url:
                page.wait_for_selector(".swagger-ui .opblock")
            results = AXE.run(page).response
            report[f"{width} {name} {url}"] = [
                {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]]}
                for v in results["violations"]
            ]
            found += [f"{width} {name} ({url}): {describe(v)}" for v in serious(results)]
        page.context.close()
    (artifacts / f"axe-{role.replace(' ', '-')}.json").write_text(json.dumps(report, indent=2))
    assert not found, "axe found serious or critical violations:\n" + "\n".join(found)


def test_no_serious_or_critical_violations_on_the_error_pages(people, browse, new_context, live_server, artifacts):
    """The CSRF refusal (a login form sent without its token) and the 500 page, which no route can be made to
    show on purpose: it is rendered by Django's own handler and shown at the site's address, with its styles."""
    from django.test import RequestFactory
    from django.views.defaults import server_error

    server_error_page = server_error(RequestFactory().get("/")).content.decode()
    found, report = [], {}
    for width, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page = new_context(base_url=live_server.url, viewport=viewport).new_page()
        page.goto("/accounts/login/")
        page.locator('input[name="csrfmiddlewaretoken"]').evaluate("input => input.remove()")
        page.get_by_label("Username").fill("alice")
        page.get_by_label("Password").fill("wrong")
        with page.expect_navigation() as refused:
            page.get_by_role("button", name="Log in").click()
        assert refused.value.status == 403
        scans = [("form expired (CSRF)", AXE.run(page).response)]
        page.set_content(server_error_page)
        page.wait_for_load_state("networkidle")
        assert page.get_by_role("heading", level=1).inner_text() == "Something went wrong on our side"
        scans.append(("server error", AXE.run(page).response))
        for name, results in scans:
            report[f"{width} {name}"] = [{"id": v["id"], "impact": v["impact"]} for v in results["violations"]]
            found += [f"{width} {name}: {describe(v)}" for v in serious(results)]
        page.context.close()
    (artifacts / "axe-error-pages.json").write_text(json.dumps(report, indent=2))
    assert not found, "axe found serious or critical violations:\n" + "\n".join(found)
