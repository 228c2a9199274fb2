"""One raw-predictions upload where one group is wrongly flagged four times as often: the same finding, named
the right way round, in the API, on the assessment page and in the dossier's text; and its provenance in all
three places."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from ..workflow import EVIDENCE, create_draft
from .conftest import page_texts

# Per group: positives, negatives, false-positive rate. Selection rates are equal (0.475) and true-positive rates
# too (0.85); only the false-positive rates differ.
FLAGGED_MORE = (100, 500, 0.40)
FLAGGED_LESS = (300, 300, 0.10)


def predictions(a, b):
    lines = ["y_true,y_pred,language"]
    for group, (positives, negatives, fpr) in (("A", a), ("B", b)):
        found, false = round(positives * 0.85), round(negatives * fpr)
        lines += [f"1,1,{group}"] * found + [f"1,0,{group}"] * (positives - found)
        lines += [f"0,1,{group}"] * false + [f"0,0,{group}"] * (negatives - false)
    return ("\n".join(lines) + "\n").encode()


def upload(people, assessment, data):
    client = APIClient()
    client.force_authenticate(people.alice)
    body = {"file": SimpleUploadedFile("intake-triage.csv", data), "description": EVIDENCE}
    response = client.post(f"/api/v1/assessments/{assessment.pk}/bias-results/", body, format="multipart")
    assert response.status_code == 201, response.json()
    return client


@pytest.mark.parametrize(("swapped", "disadvantaged", "reference"), [(False, "B", "A"), (True, "A", "B")])
def test_the_false_positive_rate_flag_names_the_group_flagged_more_often(
    people, login, swapped, disadvantaged, reference
):
    assessment = create_draft(people)
    data = predictions(FLAGGED_MORE, FLAGGED_LESS) if swapped else predictions(FLAGGED_LESS, FLAGGED_MORE)
    client = upload(people, assessment, data)

    flags = client.get(f"/api/v1/assessments/{assessment.pk}/bias-flags/").json()

    assert [(f["code"], f["metric"]) for f in flags] == [("ratio_below_four_fifths", "false_positive_rate")]
    (flag,) = flags
    assert flag["disadvantaged_group"] == disadvantaged and flag["reference_group"] == reference
    assert flag["ratio"] == pytest.approx(0.25) and flag["direction"] == "lower_is_better"
    groups = {g["group"]: g for g in flag["groups"]}
    assert groups[disadvantaged]["value"] == pytest.approx(0.40)
    assert groups[reference]["value"] == pytest.approx(0.10)
    assert all(g["ci_low"] < g["value"] < g["ci_high"] for g in flag["groups"])
    assert flag["conclusive"] is True

    page = login(people.alice).get(reverse("assessment_detail", args=[assessment.pk])).content.decode()
    assert f'data-role="disadvantaged">{disadvantaged}</strong>' in page
    assert f'data-role="reference">{reference}</strong>' in page
    assert 'data-role="ratio">0.25</strong>' in page and "lower is better" in page

    pdf = login(people.alice).get(reverse("dossier_pdf", args=[assessment.pk]))
    text = " ".join(" ".join(page_texts(pdf.content)).split())
    assert (
        f"disadvantaged group {disadvantaged} (0.4000) against reference group {reference} (0.1000), ratio 0.25" in text
    )


def test_provenance_is_in_the_api_the_page_and_the_dossier(people, login):
    assessment = create_draft(people)
    client = upload(people, assessment, predictions(FLAGGED_LESS, FLAGGED_MORE))

    rows = client.get(f"/api/v1/assessments/{assessment.pk}/bias-results/").json()

    provenance = rows[0]["provenance"]
    assert provenance["description"] == EVIDENCE and provenance["method"] == "predictions"
    assert provenance["tool"].startswith("fairlearn ") and provenance["source_name"] == "intake-triage.csv"
    assert len(provenance["source_sha256"]) == 64 and provenance["created_by"] == "alice"
    page = login(people.alice).get(reverse("assessment_detail", args=[assessment.pk])).content.decode()
    assert EVIDENCE in page and provenance["source_sha256"] in page and provenance["tool"] in page
    pdf = login(people.alice).get(reverse("dossier_pdf", args=[assessment.pk]))
    text = " ".join(" ".join(page_texts(pdf.content)).split())
    assert "Model and data: Matching model v3" in text and "intake-triage.csv" in text
