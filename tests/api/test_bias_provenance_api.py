"""Every batch of bias evidence states where it comes from; an unknown metric is refused naming the known ones."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from assessments import metrics
from assessments.models import AuditEntry, BiasBatch, BiasResult

from ..workflow import EVIDENCE, create_draft

ROW = {"dimension": "race", "group": "Black", "n": 120, "metric": "selection_rate", "value": 0.58}
RESULTS = b"dimension,group,n,metric,value\nrace,Black,120,selection_rate,0.30\nrace,White,300,selection_rate,0.44\n"


def url(assessment):
    return f"/api/v1/assessments/{assessment.pk}/bias-results/"


@pytest.mark.parametrize("description", [None, "", "   "])
def test_json_rows_without_a_description_are_a_clear_400(people, client_for, description):
    assessment = create_draft(people)
    body = {"rows": [ROW]} if description is None else {"rows": [ROW], "description": description}

    response = client_for(people.alice).post(url(assessment), body, format="json")

    assert response.status_code == 400
    assert "model version and the data set" in response.json()["description"]
    assert not BiasResult.objects.exists() and not BiasBatch.objects.exists()


def test_a_bare_list_of_rows_is_a_400_asking_for_the_description(people, client_for):
    assessment = create_draft(people)

    response = client_for(people.alice).post(url(assessment), [ROW], format="json")

    assert response.status_code == 400
    assert '"description"' in response.json()["detail"] and "description" in response.json()


@pytest.mark.parametrize("description", [None, ""])
def test_a_file_without_a_description_is_a_clear_400(people, client_for, description):
    assessment = create_draft(people)
    body = {"file": SimpleUploadedFile("r.csv", RESULTS)}
    if description is not None:
        body["description"] = description

    response = client_for(people.alice).post(url(assessment), body, format="multipart")

    assert response.status_code == 400
    assert "model version and the data set" in response.json()["detail"]
    assert not BiasResult.objects.exists()


def test_an_unknown_metric_in_json_rows_is_a_400_naming_it_and_the_known_ones(people, client_for):
    assessment = create_draft(people)
    body = {"rows": [{**ROW, "metric": "top3_acceptance"}], "description": EVIDENCE}

    response = client_for(people.alice).post(url(assessment), body, format="json")

    assert response.status_code == 400
    message = response.json()["rows[1]"]
    assert "top3_acceptance" in message and all(name in message for name in metrics.KNOWN)


def test_an_unknown_metric_in_a_file_is_a_400_naming_it_line_and_column(people, client_for):
    assessment = create_draft(people)
    data = RESULTS + b"race,Asian,90,top3_acceptance,0.5\n"
    body = {"file": SimpleUploadedFile("r.csv", data), "description": EVIDENCE}

    response = client_for(people.alice).post(url(assessment), body, format="multipart")

    assert response.status_code == 400
    (error,) = response.json()["errors"]
    assert (error["line"], error["column"]) == (4, "metric")
    assert "top3_acceptance" in error["message"] and "false_positive_rate" in error["message"]


def test_a_proportion_outside_0_and_1_is_refused(people, client_for):
    assessment = create_draft(people)
    body = {"rows": [{**ROW, "value": 1.2}], "description": EVIDENCE}

    response = client_for(people.alice).post(url(assessment), body, format="json")

    assert response.status_code == 400 and "rows[1]" in response.json()


def test_the_batch_and_every_row_are_recorded_and_in_the_audit_entry(people, client_for):
    assessment = create_draft(people)
    body = {"file": SimpleUploadedFile("results.csv", RESULTS), "description": EVIDENCE}

    response = client_for(people.alice).post(url(assessment), body, format="multipart")

    assert response.status_code == 201
    batch = BiasBatch.objects.get()
    assert (batch.method, batch.source_name, batch.description) == ("results_file", "results.csv", EVIDENCE)
    assert batch.created_by == people.alice and len(batch.source_sha256) == 64
    entry = AuditEntry.objects.get(action="bias_evidence_added")
    assert entry.details["provenance"]["description"] == EVIDENCE
    assert entry.details["provenance"]["source_sha256"] == batch.source_sha256
    assert entry.details["provenance"]["created_by"] == "alice"
    rows = {r.pk: r for r in BiasResult.objects.all()}
    assert sorted(r["id"] for r in entry.details["rows"]) == sorted(rows)
    for logged in entry.details["rows"]:
        row = rows[logged["id"]]
        assert (logged["group"], logged["sample_size"], logged["value"]) == (row.group, row.sample_size, row.value)
        assert row.evidence_batch == batch


def test_raw_predictions_may_ask_for_intersections(people, client_for):
    assessment = create_draft(people)
    lines = ["y_true,y_pred,race,gender"]
    for race in ("Black", "White"):
        for gender in ("Woman", "Man"):
            lines += [f"1,1,{race},{gender}", f"0,0,{race},{gender}"] * 20
    body = {
        "file": SimpleUploadedFile("p.csv", ("\n".join(lines) + "\n").encode()),
        "description": EVIDENCE,
        "intersections": "race+gender",
    }

    response = client_for(people.alice).post(url(assessment), body, format="multipart")

    assert response.status_code == 201, response.json()
    groups = {r["group"] for r in response.json() if r["dimension"] == "race_x_gender"}
    assert groups == {"Black × Woman", "Black × Man", "White × Woman", "White × Man"}
    assert BiasBatch.objects.get().intersections == [["race", "gender"]]


@pytest.mark.parametrize("intersections", ["race", "race+race", "race+religion", "race+gender+age"])
def test_a_bad_intersection_is_a_400(people, client_for, intersections):
    assessment = create_draft(people)
    data = b"y_true,y_pred,race,gender\n1,1,Black,Woman\n0,0,White,Man\n"
    body = {"file": SimpleUploadedFile("p.csv", data), "description": EVIDENCE, "intersections": intersections}

    response = client_for(people.alice).post(url(assessment), body, format="multipart")

    assert response.status_code == 400
    assert not BiasResult.objects.exists()
