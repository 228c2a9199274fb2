import pytest
from django.urls import reverse

from assessments.models import AuditEntry, AuditSigningKey, SignOff, State

from .workflow import advance, create_draft

MODELS = [
    "team",
    "aifeature",
    "assessment",
    "signoff",
    "condition",
    "biasresult",
    "auditentry",
    "auditchainhead",
    "auditsigningkey",
]


@pytest.fixture
def admin_client_with_data(client, people):
    advance(people, create_draft(people), State.SECURITY_REVIEW)
    client.force_login(people.admin)
    return client


@pytest.mark.parametrize("model", MODELS)
def test_every_model_has_an_admin_list(admin_client_with_data, model):
    response = admin_client_with_data.get(reverse(f"admin:assessments_{model}_changelist"))
    assert response.status_code == 200


def test_the_audit_log_and_sign_offs_are_read_only_in_admin(admin_client_with_data):
    entry = AuditEntry.objects.first()
    sign_off = SignOff.objects.first()
    key = AuditSigningKey.objects.get()
    for model, pk in (("auditentry", entry.pk), ("signoff", sign_off.pk), ("auditsigningkey", key.pk)):
        response = admin_client_with_data.post(reverse(f"admin:assessments_{model}_change", args=[pk]), {})
        assert response.status_code == 403
        response = admin_client_with_data.post(reverse(f"admin:assessments_{model}_delete", args=[pk]), {"post": "yes"})
        assert response.status_code == 403
        assert admin_client_with_data.get(reverse(f"admin:assessments_{model}_add")).status_code == 403
    assert AuditEntry.objects.filter(pk=entry.pk).exists() and SignOff.objects.filter(pk=sign_off.pk).exists()


def test_non_staff_cannot_reach_admin(client, people):
    client.force_login(people.reviewers["legal"])
    response = client.get(reverse("admin:assessments_auditentry_changelist"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


# -- the changelists of tables that only grow ----------------------------------------------------------------


def _scored(people, levels):
    """Drafts with these risk levels (None: not scored), oldest first."""
    from assessments.models import Assessment

    drafts = []
    for level in levels:
        draft = create_draft(people, name=f"Risk {level} {len(drafts)}")
        Assessment.objects.filter(pk=draft.pk).update(risk_level=level)
        drafts.append(draft)
    return drafts


def test_the_assessment_changelist_counts_up_to_the_cap_and_pages_on_past_it(client, people, settings):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.LIST_COUNT_CAP = 3
    _scored(people, [1, 2, 3, 4, None])
    client.force_login(people.admin)
    url = reverse("admin:assessments_assessment_changelist")
    with override_per_page(2), CaptureQueriesContext(connection) as context:
        first = client.get(url)
    assert first.status_code == 200
    text = first.content.decode()
    assert "3+ assessments" in text and ">Next<" in text and ">Previous<" not in text
    counts = [q["sql"] for q in context.captured_queries if "COUNT(" in q["sql"].upper()]
    assert len(counts) == 1 and "LIMIT 4" in counts[0], counts
    # Past the cap the pages go on: the third page holds the fifth assessment, and nothing follows.
    with override_per_page(2):
        third = client.get(url + "?p=3")
    assert third.status_code == 200
    text = third.content.decode()
    assert len(third.context["cl"].result_list) == 1
    assert ">Previous<" in text and ">Next<" not in text and "Page 3" in text
    # A page past the end is the admin's "?e=1" (a redirect), not an error page.
    with override_per_page(2):
        assert client.get(url + "?p=9").status_code == 302


def test_under_the_cap_the_changelist_shows_the_exact_count_and_page_links(client, people, settings):
    settings.LIST_COUNT_CAP = 10
    _scored(people, [1, 2, 3])
    client.force_login(people.admin)
    response = client.get(reverse("admin:assessments_assessment_changelist"))
    assert response.status_code == 200
    assert "3 assessments" in response.content.decode() and "+ assessments" not in response.content.decode()


def test_the_risk_level_filter_has_fixed_choices_and_reads_no_distinct_values(client, people):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    drafts = _scored(people, [1, 2, 2, None])
    client.force_login(people.admin)
    url = reverse("admin:assessments_assessment_changelist")
    with CaptureQueriesContext(connection) as context:
        response = client.get(url + "?risk_level=2")
    assert response.status_code == 200
    assert not [q["sql"] for q in context.captured_queries if "DISTINCT" in q["sql"].upper()]
    assert {a.pk for a in response.context["cl"].result_list} == {drafts[1].pk, drafts[2].pk}
    unscored = client.get(url + "?risk_level=none")
    assert {a.pk for a in unscored.context["cl"].result_list} == {drafts[3].pk}
    choices = [c["display"] for c in response.context["cl"].filter_specs[1].choices(response.context["cl"])]
    assert choices == ["All", "Level 1", "Level 2", "Level 3", "Level 4", "Not scored"]


@pytest.mark.parametrize("value", ["5", "abc", "1.0", "-0", ""])
def test_an_unknown_risk_level_in_the_filter_is_the_admins_error_redirect(client, people, value):
    _scored(people, [1])
    client.force_login(people.admin)
    response = client.get(reverse("admin:assessments_assessment_changelist"), {"risk_level": value})
    assert response.status_code == 302 and "e=1" in response["Location"]


def override_per_page(n):
    from unittest import mock

    from assessments.admin import AssessmentAdmin

    return mock.patch.object(AssessmentAdmin, "list_per_page", n)
