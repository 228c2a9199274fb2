import pytest

from accounts import roles
from assessments.models import AuditEntry, BiasResult, State
from tests.workflow import EVIDENCE, advance, bias_rows, create_draft

ROW = {"dimension": "race", "group": "Black", "n": 120, "metric": "selection_rate", "value": 0.58}


def wrap(rows):
    return {"rows": rows, "description": EVIDENCE}


def url(assessment):
    return f"/api/v1/assessments/{assessment.pk}/bias-results/"


def test_the_team_adds_rows_as_a_json_list(people, client_for):
    assessment = create_draft(people)

    response = client_for(people.alice).post(
        url(assessment), wrap([ROW, {**ROW, "group": "White", "n": 300}]), format="json"
    )

    assert response.status_code == 201
    body = response.json()
    assert [(r["dimension"], r["group"], r["n"], r["metric"], r["value"]) for r in body] == [
        ("race", "Black", 120, "selection_rate", 0.58),
        ("race", "White", 300, "selection_rate", 0.58),
    ]
    assert {r["created_by"] for r in body} == {"alice"}
    assert set(body[0]) == {
        "id",
        "kind",
        "batch",
        "dimension",
        "group",
        "n",
        "metric",
        "direction",
        "value",
        "ci_low",
        "ci_high",
        "source_name",
        "provenance",
        "source_sha256",
        "created_by",
        "created_at",
    }
    assert body[0]["kind"] == "approval"
    assert BiasResult.objects.filter(assessment=assessment).count() == 2
    assert AuditEntry.objects.filter(assessment_id=assessment.pk, action="bias_evidence_added").count() == 1


def test_the_team_adds_rows_wrapped_in_an_object(people, client_for):
    assessment = create_draft(people)

    response = client_for(people.ben).post(url(assessment), wrap(bias_rows()), format="json")

    assert response.status_code == 201
    assert len(response.json()) == 6


def test_rows_are_stored_as_sent_with_values_as_numbers(people, client_for):
    assessment = create_draft(people)

    response = client_for(people.alice).post(
        url(assessment), wrap([{**ROW, "dimension": "religion", "group": " Muslim ", "value": 1}]), format="json"
    )

    assert response.status_code == 201
    row = response.json()[0]
    assert (row["dimension"], row["group"], row["value"]) == ("religion", "Muslim", 1.0)


@pytest.mark.parametrize("dimension", [" religion", "Religion", "religion\n", "", "race & ethnicity"])
def test_a_dimension_is_a_lowercase_name_exactly_as_the_schema_says(people, client_for, dimension):
    assessment = create_draft(people)

    response = client_for(people.alice).post(url(assessment), wrap([{**ROW, "dimension": dimension}]), format="json")

    assert response.status_code == 400
    assert response.json()["rows[1]"].startswith("dimension: ")
    assert not BiasResult.objects.exists()


def test_a_data_ai_reviewer_adds_evidence_during_review(people, client_for):
    assessment = advance(people, create_draft(people), State.CLINICAL_REVIEW)

    response = client_for(people.reviewers["data_ai"]).post(url(assessment), wrap([ROW]), format="json")

    assert response.status_code == 201
    assert response.json()[0]["created_by"] == "data_ai_reviewer"


def test_adding_evidence_during_review_leaves_sign_offs_valid(people, client_for):
    assessment = advance(people, create_draft(people), State.SECURITY_REVIEW)

    client_for(people.alice).post(url(assessment), wrap([ROW]), format="json")

    body = client_for(people.alice).get(f"/api/v1/assessments/{assessment.pk}/").json()
    assert [s["valid"] for s in body["sign_offs"]] == [True]


@pytest.mark.parametrize("role", ["legal", "security", "clinical", "product", "chair", "auditor", "admin"])
def test_others_who_see_the_assessment_may_not_add_evidence(people, client_for, role):
    assessment = advance(people, create_draft(people), State.LEGAL_REVIEW)
    user = people.reviewers[role] if role in roles.DOMAINS else getattr(people, role)
    before = BiasResult.objects.count()

    response = client_for(user).post(url(assessment), wrap([ROW]), format="json")

    assert response.status_code == 403
    assert response.json() == {"detail": "Only the team or a Data/AI reviewer may add bias evidence."}
    assert BiasResult.objects.count() == before


@pytest.mark.parametrize("who", ["olga", "nobody", "auditor"])
def test_people_who_cannot_see_the_draft_get_404(people, client_for, who):
    assessment = create_draft(people)

    response = client_for(getattr(people, who)).post(url(assessment), wrap([ROW]), format="json")

    assert response.status_code == 404
    assert not BiasResult.objects.exists()


def test_a_data_ai_reviewer_cannot_see_a_draft(people, client_for):
    assessment = create_draft(people)

    response = client_for(people.reviewers["data_ai"]).post(url(assessment), wrap([ROW]), format="json")

    assert response.status_code == 404


# Launched features take monitoring results (tests/test_bias_monitoring.py).
@pytest.mark.parametrize("state", [State.APPROVED, State.REJECTED, State.WITHDRAWN])
def test_evidence_after_data_ai_review_is_409(people, client_for, state):
    assessment = advance(people, create_draft(people), state)
    before = BiasResult.objects.count()

    response = client_for(people.alice).post(url(assessment), wrap([ROW]), format="json")

    assert response.status_code == 409
    assert response.json()["detail"].startswith("Bias evidence can be added up to Data/AI review")
    assert BiasResult.objects.count() == before


@pytest.mark.parametrize(
    "rows, key, message",
    [
        ([{**ROW, "n": 0}], "rows[1]", "n: Ensure this value is greater than or equal to 1."),
        ([{**ROW, "n": 1.5}], "rows[1]", "n: Give a whole number"),
        ([{**ROW, "n": "12"}], "rows[1]", "n: Give a whole number"),
        ([ROW, {**ROW, "value": "high"}], "rows[2]", "value: Give a number."),
        ([{**ROW, "value": True}], "rows[1]", "value: Give a number."),
        ([{**ROW, "group": 7}], "rows[1]", "group: Give text"),
        ([{**ROW, "group": "  "}], "rows[1]", "group: This field may not be blank."),
        ([{**ROW, "dimension": "Race & Ethnicity"}], "rows[1]", "dimension: The dimension must be a short lowercase"),
        ([{"dimension": "race"}], "rows[1]", "group: This field is required. n: This field is required."),
        ([{**ROW, "note": "x"}], "rows[1]", "note: Unknown field"),
        (["race,Black,120"], "rows[1]", "Invalid data. Expected a dictionary, but got str."),
        ([], "rows", "This list may not be empty."),
        ([ROW] * 1001, "rows", "Ensure this field has no more than 1000 elements."),
    ],
)
def test_invalid_rows_are_400_by_row_and_nothing_is_saved(people, client_for, rows, key, message):
    assessment = create_draft(people)

    response = client_for(people.alice).post(url(assessment), wrap(rows), format="json")

    assert response.status_code == 400
    assert response.json()[key].startswith(message)
    assert not BiasResult.objects.exists()


@pytest.mark.parametrize(
    "body, field",
    [
        ({"rows": [ROW], "extra": 1}, "extra"),
        ({"row": [ROW]}, "row"),
        ({"rows": ROW}, "rows"),
        ("rows", "rows"),
        (5, "rows"),
    ],
)
def test_a_body_that_is_neither_a_list_nor_rows_is_400(people, client_for, body, field):
    assessment = create_draft(people)

    response = client_for(people.alice).post(url(assessment), body, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert not BiasResult.objects.exists()


def test_adding_evidence_needs_authentication(people, client_for):
    assessment = create_draft(people)

    assert client_for(None).post(url(assessment), wrap([ROW]), format="json").status_code == 401
    assert not BiasResult.objects.exists()


def test_csv_is_not_accepted_yet(people, client_for):
    assessment = create_draft(people)

    response = client_for(people.alice).post(
        url(assessment), "dimension,group,n,metric,value\nrace,Black,120,selection_rate,0.58\n", content_type="text/csv"
    )

    assert response.status_code == 415
    assert response.json()["detail"] == 'Unsupported media type "text/csv" in request.'


@pytest.mark.parametrize("rows", [[None], [1], [[]], ["x"]])
def test_a_row_that_is_not_an_object_is_a_400_naming_it(people, client_for, rows):
    assessment = create_draft(people)
    response = client_for(people.alice).post(url(assessment), wrap(rows), format="json")
    assert response.status_code == 400
    assert "rows[1]" in response.json(), response.json()
