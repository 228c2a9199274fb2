"""One rule for query parameters across the API: each endpoint reads the ones it documents, and any other is a
400 naming it (as the register always did), never silently ignored."""

import pytest

from tests.workflow import create_draft

LIST = "/api/v1/assessments/"
LIST_TAKES = "cursor, overdue, page, page_size, q, risk_level, stage, state, team"


@pytest.fixture
def alice(people, client_for):
    return client_for(people.alice)


def test_an_unknown_parameter_of_the_list_is_a_400_naming_it_and_what_the_list_takes(people, alice):
    response = alice.get(LIST, {"stat": "draft"})

    assert response.status_code == 400
    message = f"Unknown query parameter; this endpoint takes {LIST_TAKES}."
    assert response.json() == {"detail": message, "stat": message}


def test_the_list_still_takes_every_documented_parameter(people, alice):
    response = alice.get(
        LIST,
        {"state": "draft", "team": "client-experience", "risk_level": 1, "stage": "legal", "overdue": "false"}
        | {"q": "x", "page_size": 5},
    )

    assert response.status_code == 200


def test_format_is_an_unknown_parameter_too(people, alice):
    response = alice.get(LIST, {"format": "xml"})

    assert response.status_code == 400
    assert "format" in response.json()


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/questionnaire/",
        "/api/v1/assessments/{id}/",
        "/api/v1/assessments/{id}/transitions/",
        "/api/v1/assessments/{id}/bias-results/",
        "/api/v1/assessments/{id}/bias-flags/",
        "/api/v1/assessments/{id}/bias-justifications/",
        "/api/v1/assessments/{id}/bias-mitigations/",
        "/api/v1/assessments/{id}/comments/",
        "/api/v1/assessments/{id}/dossier.pdf",
        "/api/v1/register/",
    ],
)
def test_endpoints_without_parameters_refuse_any_by_name(people, alice, path):
    assessment = create_draft(people)

    response = alice.get(path.format(id=assessment.pk), {"verbose": "1", "expand": "all"})

    assert response.status_code == 400
    body = response.json()
    assert body["expand"] == body["verbose"] == "This endpoint takes no query parameters."
    one = alice.get(path.format(id=assessment.pk), {"verbose": "1"})
    assert one.json() == {"detail": "This endpoint takes no query parameters.", "verbose": body["verbose"]}


def test_a_write_with_an_unknown_parameter_is_refused_and_changes_nothing(people, alice):
    assessment = create_draft(people)

    response = alice.post(
        f"/api/v1/assessments/{assessment.pk}/transitions/?dry_run=1", {"name": "withdraw"}, format="json"
    )

    assert response.status_code == 400
    assert "dry_run" in response.json()
    assessment.refresh_from_db()
    assert assessment.state == "draft"


def test_the_token_endpoint_refuses_parameters_too(people, client_for):
    response = client_for(None).post("/api/v1/auth/token/?next=/", {"username": "a", "password": "b"}, format="json")

    assert response.status_code == 400
    assert response.json()["next"] == "This endpoint takes no query parameters."
