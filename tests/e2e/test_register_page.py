"""The public register in a real browser: readable on a phone and on a desktop, without logging in."""

import pytest
from playwright.sync_api import expect

from assessments.models import State

from ..workflow import advance, create_draft
from .conftest import DESKTOP, PHONE

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

OVERFLOW = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
LONG_WORD = "Pneumonoultramicroscopicsilicovolcanoconiosis" * 3


@pytest.fixture
def quick_dossiers(monkeypatch):
    """Approvals issue their dossier after commit; a small real PDF stands in for the WeasyPrint render."""
    from reports import services as report_services
    from reports.dossier import dossier_record

    from ..reports.conftest import plain_pdf

    def render(assessment, *, dossier=None, now=None):
        record = dossier_record(assessment, dossier=dossier, now=now)
        return plain_pdf(record.document_id), record

    monkeypatch.setattr(report_services, "dossier_render", render)


@pytest.fixture
def live_features(people, quick_dossiers):
    from reports import register

    register.register_invalidate()
    advance(
        people,
        create_draft(
            people,
            name="Therapist matching",
            **{
                "overview.audience": ["clients", "therapists"],
                "oversight.human_oversight_description": "A care coordinator checks every match. " + LONG_WORD,
            },
        ),
        State.LAUNCHED,
    )
    advance(
        people,
        create_draft(
            people,
            name='<script>document.title="owned"</script>Journaling prompts',
            **{"transparency.what_it_does_not_do": "<img src=x onerror=alert(1)> It does not read your journal."},
        ),
        State.REASSESSMENT_DUE,
    )
    advance(people, create_draft(people, name="Session notes draft"), State.LEGAL_REVIEW)
    yield
    register.register_invalidate()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone-390", "desktop-1280"])
def test_the_register_is_readable_without_login_on_a_phone_and_a_desktop(
    live_features, new_context, live_server, artifacts, viewport
):
    context = new_context(base_url=live_server.url, viewport=viewport)
    page = context.new_page()
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))

    response = page.goto("/register/")

    assert response.status == 200
    assert page.url.endswith("/register/")  # no detour through the login page
    expect(page.get_by_role("heading", level=1)).to_have_text("Where we use AI")
    entries = page.locator("article.register-entry")
    expect(entries).to_have_count(2)
    expect(entries.nth(0).get_by_role("heading", level=2)).to_have_text(
        '<script>document.title="owned"</script>Journaling prompts'
    )
    expect(entries.nth(0)).to_contain_text("Live; being re-assessed")
    expect(entries.nth(0)).to_contain_text("<img src=x onerror=alert(1)> It does not read your journal.")
    expect(entries.nth(1)).to_contain_text("Therapist matching")
    expect(entries.nth(1)).to_contain_text("does not provide therapy, diagnose or treat")
    expect(entries.nth(1)).to_contain_text("Clients (people receiving care)")
    expect(page.locator("body")).not_to_contain_text("Session notes draft")
    assert page.title().startswith("Public register")
    assert dialogs == []
    assert page.evaluate(OVERFLOW) <= 0
    # Text is not shrunk to fit: the body copy stays at a readable size.
    font_size = "() => parseFloat(getComputedStyle(document.querySelector('.register-disclosure')).fontSize)"
    assert page.evaluate(font_size) >= 16
    page.screenshot(path=str(artifacts / f"register-{viewport['width']}.png"), full_page=True)
