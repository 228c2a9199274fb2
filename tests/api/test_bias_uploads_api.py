"""The bias-results endpoint takes CSV files too; justifications, mitigations and flags through the API."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assessments import services
from assessments.models import BiasJustification, BiasMitigation, BiasResult, State

from ..workflow import EVIDENCE, advance, bias_rows, create_draft

RESULTS = b"dimension,group,n,metric,value\nrace,Black,120,selection_rate,0.30\nrace,White,300,selection_rate,0.44\n"
PREDICTIONS = b"y_true,y_pred,gender\n1,1,woman\n0,1,woman\n1,0,man\n0,0,man\n"


def url(assessment, what="bias-results"):
    return reverse(f"api-assessment-{what}", kwargs={"pk": assessment.pk})


def send(client, assessment, data, name="results.csv", **fields):
    body = {"file": SimpleUploadedFile(name, data), "description": EVIDENCE, **fields}
    return client.post(url(assessment), body, format="multipart")


def test_a_results_file_is_saved_with_its_name_and_sha256(people, client_for):
    assessment = create_draft(people)

    response = send(client_for(people.alice), assessment, RESULTS)

    assert response.status_code == 201, response.json()
    body = response.json()
    assert [(r["group"], r["n"], r["value"]) for r in body] == [("Black", 120, 0.30), ("White", 300, 0.44)]
    assert {r["source_name"] for r in body} == {"results.csv"} and len({r["source_sha256"] for r in body}) == 1


def test_a_predictions_file_is_turned_into_rates(people, client_for):
    assessment = create_draft(people)

    response = send(client_for(people.alice), assessment, PREDICTIONS, "predictions.csv")

    assert response.status_code == 201
    rates = {(r["group"], r["metric"]): r["value"] for r in response.json()}
    assert rates[("woman", "selection_rate")] == 1.0 and rates[("man", "selection_rate")] == 0.0
    assert rates[("woman", "true_positive_rate")] == 1.0 and rates[("man", "false_positive_rate")] == 0.0


def test_a_bad_file_is_400_naming_line_and_column_and_saves_nothing(people, client_for):
    assessment = create_draft(people)

    response = send(
        client_for(people.alice), assessment, b"dimension,group,n,metric,value\nrace,a,1,selection_rate,lots\n"
    )

    assert response.status_code == 400
    body = response.json()
    assert body["errors"] == [{"line": 2, "column": "value", "message": "“lots” is not a number."}]
    assert "line 2, column value" in body["detail"]
    assert not BiasResult.objects.exists()


def test_a_missing_column_is_400(people, client_for):
    assessment = create_draft(people)

    response = send(client_for(people.alice), assessment, b"dimension,group,n,metric\nrace,a,1,selection_rate\n")

    assert response.status_code == 400
    assert response.json()["errors"][0]["column"] == "value"


def test_a_50_mb_upload_is_refused_by_its_length_before_it_is_parsed(people, client_for, monkeypatch):
    from assessments import bias_upload

    assessment = create_draft(people)
    monkeypatch.setattr(bias_upload, "parse_csv", lambda *a, **k: pytest.fail("the file was parsed"))
    huge = RESULTS + b"race,x,100,selection_rate,0.5\n" * (50 * 1024 * 1024 // 17)

    response = send(client_for(people.alice), assessment, huge)

    assert response.status_code == 413
    assert "10 MB" in response.json()["detail"]
    assert not BiasResult.objects.exists()


def test_a_multipart_request_without_a_file_or_with_other_fields_is_400(people, client_for):
    assessment = create_draft(people)
    client = client_for(people.alice)

    assert client.post(url(assessment), {}, format="multipart").status_code == 400
    response = client.post(
        url(assessment),
        {"file": SimpleUploadedFile("r.csv", RESULTS), "description": EVIDENCE, "rows": "x"},
        format="multipart",
    )
    assert response.status_code == 400 and "rows" in response.json()


@pytest.mark.parametrize("who", ["auditor", "legal"])
def test_an_upload_by_someone_who_may_not_add_is_403_before_the_file_is_read(people, client_for, who, monkeypatch):
    from assessments import bias_upload

    monkeypatch.setattr(bias_upload, "read_upload", lambda *a: pytest.fail("the file was read"))
    assessment = advance(people, create_draft(people), State.LEGAL_REVIEW)
    user = people.auditor if who == "auditor" else people.reviewers[who]

    response = send(client_for(user), assessment, RESULTS)

    assert response.status_code == 403


def test_another_team_gets_404(people, client_for):
    assessment = advance(people, create_draft(people), State.LEGAL_REVIEW)
    client = client_for(people.olga)

    assert send(client, assessment, RESULTS).status_code == 404
    for what in ("bias-results", "bias-justifications", "bias-mitigations", "bias-flags"):
        assert client.get(url(assessment, what)).status_code == 404


def test_justifications_and_mitigations_through_the_api(people, client_for):
    assessment = create_draft(people)
    client = client_for(people.alice)
    send(client, assessment, RESULTS)

    flags = client.get(url(assessment, "bias-flags")).json()
    assert [(f["key"], f["kind"], f["mitigated"]) for f in flags] == [
        ("ratio_below_four_fifths:race:selection_rate", "approval", False)
    ]
    response = client.post(
        url(assessment, "bias-mitigations"),
        {"flag": flags[0]["key"], "text": "Recalibrated the threshold."},
        format="json",
    )
    assert response.status_code == 201 and response.json()["created_by"] == "alice"
    response = client.post(
        url(assessment, "bias-justifications"), {"dimension": "religion", "text": "Not collected."}, format="json"
    )
    assert response.status_code == 201
    assert client.get(url(assessment, "bias-flags")).json()[0]["mitigated"] is True
    assert [m["text"] for m in client.get(url(assessment, "bias-mitigations")).json()] == [
        "Recalibrated the threshold."
    ]
    assert [j["dimension"] for j in client.get(url(assessment, "bias-justifications")).json()] == ["religion"]
    again = client.post(
        url(assessment, "bias-justifications"), {"dimension": "religion", "text": "Again."}, format="json"
    )
    assert again.status_code == 409


@pytest.mark.parametrize("what", ["bias-justifications", "bias-mitigations"])
@pytest.mark.parametrize("who", ["auditor", "legal"])
def test_notes_by_someone_who_may_not_add_are_403(people, client_for, what, who):
    assessment = advance(people, create_draft(people), State.LEGAL_REVIEW)
    user = people.auditor if who == "auditor" else people.reviewers[who]
    body = {"dimension": "race", "text": "x"} if what == "bias-justifications" else {"flag": "x", "text": "x"}

    response = client_for(user).post(url(assessment, what), body, format="json")

    assert response.status_code == 403
    # Refused before the body is read: an empty one is a 403 too, not a 400 about its fields.
    assert client_for(user).post(url(assessment, what), {}, format="json").status_code == 403
    assert client_for(user).get(url(assessment, what)).status_code == 200  # they may read it
    assert not BiasJustification.objects.exists() and not BiasMitigation.objects.exists()


def test_an_unknown_field_in_a_note_is_400(people, client_for):
    assessment = create_draft(people)

    response = client_for(people.alice).post(
        url(assessment, "bias-justifications"), {"dimension": "race", "text": "x", "by": "chair"}, format="json"
    )

    assert response.status_code == 400


def test_the_bias_csv_export_neutralises_formula_cells(people, login_client):
    assessment = create_draft(people)
    services.bias_results_add(
        description="@SUM(A1)",
        assessment=assessment,
        rows=[
            *bias_rows(["race"]),
            {"dimension": "race", "group": "=cmd|' /C calc'!A0", "n": 40, "metric": "selection_rate", "value": 0.5},
            {"dimension": "race", "group": "+1", "n": 40, "metric": "selection_rate", "value": 0.5},
            {"dimension": "race", "group": "-2", "n": 40, "metric": "selection_rate", "value": 0.5},
        ],
        by=people.alice,
    )

    response = login_client(people.auditor).get(reverse("reports_bias_csv", args=[assessment.pk]))
    assert response.status_code == 404  # a draft: the auditor does not see it
    response = login_client(people.alice).get(reverse("reports_bias_csv", args=[assessment.pk]))

    text = b"".join(response.streaming_content).decode()
    assert response.status_code == 200
    assert "'=cmd|' /C calc'!A0" in text and "'@SUM(A1)" in text and "'+1" in text and "'-2" in text
    for line in text.splitlines()[1:]:
        for cell in line.split(","):
            assert not cell.lstrip('"').startswith(("=", "+", "-", "@")), line


@pytest.fixture
def login_client(db):
    from django.test import Client

    def make(user):
        client = Client()
        client.force_login(user)
        return client

    return make
