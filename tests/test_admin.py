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
