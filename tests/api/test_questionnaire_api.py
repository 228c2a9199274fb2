import pytest

from assessments.questionnaire import HARD_STOP_IDS, current_questionnaire

URL = "/api/v1/questionnaire/"


@pytest.mark.parametrize("who", ["alice", "olga", "auditor", "chair", "nobody", "admin"])
def test_it_gives_every_signed_in_user_the_current_questionnaire(people, client_for, who):
    response = client_for(getattr(people, who)).get(URL)

    assert response.status_code == 200
    assert response.json() == current_questionnaire().as_data()


def test_a_reviewer_gets_it_too(people, client_for):
    assert client_for(people.reviewers["legal"]).get(URL).status_code == 200


def test_it_has_the_yaml_fields_and_the_fixed_question_ids(people, client_for):
    data = client_for(people.alice).get(URL).json()

    assert data["version"] == "v2"
    questions = {q["id"]: q for q in data["questions"]}
    for qid in (*HARD_STOP_IDS, "overview.audience", "transparency.disclosure_text", "data.processes_phi"):
        assert qid in questions
    audience = questions["overview.audience"]
    assert audience["type"] == "multi_choice"
    assert {c["value"] for c in audience["choices"]} >= {"clients", "therapists", "internal"}
    assert set(audience) >= {"id", "section", "text", "help", "type", "required", "choices", "kind", "nist"}
    assert audience["iso42005"] == ["6.7"] and audience["eu_ai_act"] == ["27(1)(c)"]
    assert questions["clinical.provides_therapy"]["hard_stop"]["when"] is True


def test_it_refuses_anonymous_callers_with_json_401(client_for):
    response = client_for(None).get(URL)

    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    assert "detail" in response.json()


def test_it_does_not_accept_writes(people, client_for):
    response = client_for(people.alice).post(URL, {}, format="json")

    assert response.status_code == 405
    assert response.json()["detail"] == 'Method "POST" not allowed.'
