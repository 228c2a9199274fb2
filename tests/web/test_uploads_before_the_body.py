"""The pages that take an upload (a condition's file of evidence, bias results, a dossier to verify) refuse a body
announced over their limit before a byte of it is read, CSRF check included (views.common.refused_before_the_body),
and still refuse a post without the CSRF token."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from assessments.models import Condition, State

from ..workflow import EVIDENCE, act, advance, create_draft

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
CSV = b"dimension,group,n,metric,value\nrace,Black,120,selection_rate,0.30\nrace,White,300,selection_rate,0.44\n"
ROUTES = ("condition_met", "bias_upload", "verify")


def posting(people, route):
    """A client that checks CSRF tokens, the address, the fields of a valid post and where the page carries its
    token (a GET of it sets the cookie)."""
    client = Client(enforce_csrf_checks=True)
    if route == "verify":
        return client, reverse("verify"), {"file": SimpleUploadedFile("dossier.pdf", PDF)}, reverse("verify")
    client.force_login(people.alice)
    if route == "bias_upload":
        assessment = create_draft(people)
        fields = {"file": SimpleUploadedFile("results.csv", CSV), "description": EVIDENCE}
        return client, reverse("bias_upload", args=[assessment.pk]), fields, assessment_page(assessment)
    assessment = advance(people, create_draft(people), State.LEGAL_REVIEW)
    assessment = act(people, assessment, "approve", conditions=[{"text": "Publish the card.", "before_launch": True}])
    assessment = advance(people, assessment, State.APPROVED)
    condition = Condition.objects.get(assessment=assessment)
    fields = {"evidence_file": SimpleUploadedFile("card.pdf", PDF)}
    return client, reverse("condition_met", args=[condition.pk]), fields, assessment_page(assessment)


def assessment_page(assessment):
    return reverse("assessment_detail", args=[assessment.pk])


@pytest.mark.parametrize("route", ROUTES)
def test_a_body_announced_over_the_limit_is_a_413_before_it_is_read(people, route):
    client, url, fields, _ = posting(people, route)
    # The body is small, its announced length far over every limit: reading it (as the CSRF check would, for its
    # token) fails the test client's payload, which refuses to give more bytes than it holds.
    response = client.post(url, fields, CONTENT_LENGTH=str(200 * 1024 * 1024))

    assert response.status_code == 413
    html = response.content.decode()
    assert "limit" in html or "too large" in html
    assert 'name="token"' not in html  # no bias preview waits
    assert not Condition.objects.filter(status=Condition.Status.AWAITING_CONFIRMATION).exists()


@pytest.mark.parametrize("route", ROUTES)
def test_a_post_without_the_csrf_token_is_still_refused_and_with_it_taken(people, route):
    client, url, fields, page = posting(people, route)

    refused = client.post(url, fields)

    assert refused.status_code == 403 and "This form has expired" in refused.content.decode()  # 403_csrf.html
    client.get(page)
    for upload in fields.values():
        if hasattr(upload, "seek"):
            upload.seek(0)
    taken = client.post(url, {**fields, "csrfmiddlewaretoken": client.cookies["csrftoken"].value})
    # Past the check: marked met (a redirect), a preview (200), or the file checked (not a dossier: 200).
    assert taken.status_code in (200, 302), taken.content.decode()[:500]
    if route == "condition_met":
        assert Condition.objects.get().status == Condition.Status.AWAITING_CONFIRMATION
    elif route == "bias_upload":
        assert 'name="token"' in taken.content.decode()
    else:
        assert "dossier.pdf" in taken.content.decode()
