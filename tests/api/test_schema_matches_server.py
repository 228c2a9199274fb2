"""The OpenAPI schema and the server agree on every request body, at the boundaries: what one accepts the other
accepts, and what one refuses the other refuses with a 400.

Each sample is judged twice: by a JSON Schema validator against the request body schema the API publishes,
and by the server, for which "accepted" means anything but a 400 (a 403 or 409 is about who or when, not about
the request). The fuzz test explores the same question at random; this one pins the edges: lengths at and over
each limit, whitespace that counts as blank (and characters that do not), NUL, numbers at their bounds, values
of the wrong JSON type, null, unknown fields.
"""

from datetime import UTC, datetime

import jsonschema_rs
import pytest
import yaml
from rest_framework.test import APIClient

from assessments.api.pagination import Position
from assessments.models import State
from assessments.questionnaire import current_questionnaire
from tests.factories import PASSWORD
from tests.workflow import EVIDENCE, advance, bias_rows, create_draft

TEAM = "client-experience"
CURSOR = Position(datetime(2030, 1, 1, tzinfo=UTC), 7, reverse=False).encode()
VALID_ROW = {"dimension": "race", "group": "Black", "n": 120, "metric": "selection_rate", "value": 0.58}


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    with django_db_blocker.unblock():
        return yaml.safe_load(APIClient().get("/api/schema/").content)


def body_schema(schema, path, method):
    return schema["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"]


def schema_accepts(schema, body_schema_, value):
    validator = jsonschema_rs.validator_for({**body_schema_, "components": schema["components"]}, validate_formats=True)
    return validator.is_valid(_without_allowed_nulls(schema, body_schema_, value))


def _without_allowed_nulls(schema, subschema, value):
    """``value`` without the null properties its schema allows: OpenAPI 3.0's ``nullable`` is not JSON Schema,
    so the validator judges the rest and ``nullable`` is read here."""
    subschema = _resolved(schema, subschema)
    if not isinstance(value, dict) or "properties" not in subschema:
        return value
    kept = {}
    for key, item in value.items():
        prop = subschema["properties"].get(key)
        if prop is None:
            kept[key] = item
        elif item is None:
            if not prop.get("nullable"):
                kept[key] = item
        else:
            kept[key] = _without_allowed_nulls(schema, prop, item)
    return kept


def _resolved(schema, subschema):
    if "$ref" in subschema:
        return _resolved(schema, schema["components"]["schemas"][subschema["$ref"].rsplit("/", 1)[1]])
    if len(subschema.get("allOf", [])) == 1:
        return _resolved(schema, subschema["allOf"][0])
    return subschema


def assert_agreement(schema, path, method, body, response):
    by_schema = schema_accepts(schema, body_schema(schema, path, method), body)
    by_server = response.status_code != 400
    assert by_schema == by_server, f"schema says {by_schema}, server said {response.status_code}: {response.content}"


# -- create ------------------------------------------------------------------------------------


def questions_of_type(qtype):
    return [q for q in current_questionnaire().questions.values() if q.type == qtype]


TEXT_Q = next(q for q in questions_of_type("text") if q.max_length == 300)
NUMBER_Q = next(q for q in questions_of_type("number") if q.max == 3650)
CHOICE_Q = questions_of_type("single_choice")[0]
MULTI_Q = questions_of_type("multi_choice")[0]
BOOL_Q = questions_of_type("boolean")[0]

CREATE_SAMPLES = {
    "plain": {"feature_name": "Intake triage"},
    "name at its limit": {"feature_name": "x" * 200},
    "name over its limit": {"feature_name": "x" * 201},
    "name padded to over its limit": {"feature_name": " " + "x" * 200},
    "empty name": {"feature_name": ""},
    "spaces": {"feature_name": "   "},
    "unicode whitespace only": {"feature_name": "\u2028\u3000\t\x1c"},
    "a zero-width no-break space is not whitespace": {"feature_name": "\ufeff"},
    "NUL": {"feature_name": "Intake\x00"},
    "a number for text": {"feature_name": 7},
    "a boolean for text": {"feature_name": True},
    "null name": {"feature_name": None},
    "team as a number": {"feature_name": "X", "team": 7},
    "empty team": {"feature_name": "X", "team": ""},
    "unknown field": {"feature_name": "X", "state": "approved"},
    "answers null": {"feature_name": "X", "answers": None},
    "answers a list": {"feature_name": "X", "answers": []},
    "unknown question": {"feature_name": "X", "answers": {"no.such_question": 1}},
    "every answer null": {"feature_name": "X", "answers": dict.fromkeys(current_questionnaire().questions)},
    "text at its limit": {"feature_name": "X", "answers": {TEXT_Q.id: "x" * 300}},
    "text over its limit": {"feature_name": "X", "answers": {TEXT_Q.id: "x" * 301}},
    "text padded over its limit": {"feature_name": "X", "answers": {TEXT_Q.id: "x" * 300 + " "}},
    "empty text": {"feature_name": "X", "answers": {TEXT_Q.id: ""}},
    "text NUL": {"feature_name": "X", "answers": {TEXT_Q.id: "a\x00"}},
    "text as a number": {"feature_name": "X", "answers": {TEXT_Q.id: 5}},
    "number at its minimum": {"feature_name": "X", "answers": {NUMBER_Q.id: 0}},
    "number at its maximum": {"feature_name": "X", "answers": {NUMBER_Q.id: 3650}},
    "number over its maximum": {"feature_name": "X", "answers": {NUMBER_Q.id: 3650.5}},
    "number under its minimum": {"feature_name": "X", "answers": {NUMBER_Q.id: -0.001}},
    "negative zero": {"feature_name": "X", "answers": {NUMBER_Q.id: -0.0}},
    "number as text": {"feature_name": "X", "answers": {NUMBER_Q.id: "5"}},
    "number as a boolean": {"feature_name": "X", "answers": {NUMBER_Q.id: True}},
    "choice": {"feature_name": "X", "answers": {CHOICE_Q.id: CHOICE_Q.choice_values[0]}},
    "empty choice": {"feature_name": "X", "answers": {CHOICE_Q.id: ""}},
    "unknown choice": {"feature_name": "X", "answers": {CHOICE_Q.id: "nope"}},
    "choice as a number": {"feature_name": "X", "answers": {CHOICE_Q.id: 1}},
    "choices, repeated": {"feature_name": "X", "answers": {MULTI_Q.id: [MULTI_Q.choice_values[0]] * 2}},
    "no choices": {"feature_name": "X", "answers": {MULTI_Q.id: []}},
    "an unknown one of the choices": {"feature_name": "X", "answers": {MULTI_Q.id: ["aliens"]}},
    "choices as text": {"feature_name": "X", "answers": {MULTI_Q.id: MULTI_Q.choice_values[0]}},
    "yes or no": {"feature_name": "X", "answers": {BOOL_Q.id: False}},
    "yes or no as text": {"feature_name": "X", "answers": {BOOL_Q.id: "false"}},
    "yes or no as a number": {"feature_name": "X", "answers": {BOOL_Q.id: 0}},
}


@pytest.mark.parametrize("sample", list(CREATE_SAMPLES))
def test_create(schema, people, client_for, sample):
    body = {"team": TEAM, **CREATE_SAMPLES[sample]}

    response = client_for(people.alice).post("/api/v1/assessments/", body, format="json")

    assert_agreement(schema, "/api/v1/assessments/", "post", body, response)


def test_the_create_samples_include_both_verdicts(schema):
    create = body_schema(schema, "/api/v1/assessments/", "post")
    verdicts = {schema_accepts(schema, create, {"team": TEAM, **body}) for body in CREATE_SAMPLES.values()}

    assert verdicts == {True, False}


# -- transitions ---------------------------------------------------------------------------------

TRANSITION_SAMPLES = {
    "approve": {"name": "approve"},
    "approve with a comment at its limit": {"name": "approve", "comment": "x" * 5000},
    "approve with a comment over its limit": {"name": "approve", "comment": "x" * 5001},
    "a number for the comment": {"name": "approve", "comment": 1},
    "null comment": {"name": "approve", "comment": None},
    "approve with a condition": {"name": "approve", "conditions": [{"text": "Publish it.", "due_date": "2999-01-01"}]},
    "a condition at its text limit": {
        "name": "approve",
        "conditions": [{"text": "x" * 2000, "due_date": "2999-01-01"}],
    },
    "a condition over its text limit": {
        "name": "approve",
        "conditions": [{"text": "x" * 2001, "due_date": "2999-01-01"}],
    },
    "a blank condition": {"name": "approve", "conditions": [{"text": " ", "due_date": "2999-01-01"}]},
    "a date that is not YYYY-MM-DD": {"name": "approve", "conditions": [{"text": "x", "due_date": "2999-1-1"}]},
    "a date that does not exist": {"name": "approve", "conditions": [{"text": "x", "due_date": "2999-02-30"}]},
    "an extra field in a condition": {
        "name": "approve",
        "conditions": [{"text": "x", "due_date": "2999-01-01", "priority": 1}],
    },
    "20 conditions": {"name": "approve", "conditions": [{"text": "x", "due_date": "2999-01-01"}] * 20},
    "21 conditions": {"name": "approve", "conditions": [{"text": "x", "due_date": "2999-01-01"}] * 21},
    "reject with a reason": {"name": "reject", "comment": "It diagnoses."},
    "reject without a reason": {"name": "reject"},
    "reject with a blank reason": {"name": "reject", "comment": " \u2028"},
    "reject with a zero-width reason": {"name": "reject", "comment": "\ufeff"},
    "request changes with a reason": {"name": "request_changes", "comment": "Say who reads the output."},
    "conditions on anything but approve": {"name": "reject", "comment": "No.", "conditions": []},
    "expected state": {"name": "approve", "expected_state": "legal_review"},
    "an unknown expected state": {"name": "approve", "expected_state": "nowhere"},
    "a number for the expected state": {"name": "approve", "expected_state": 1},
    "an unknown transition": {"name": "teleport"},
    "a number for the name": {"name": 3},
    "no name": {"comment": "x"},
    "an unknown field": {"name": "approve", "priority": "high"},
    "withdraw": {"name": "withdraw"},
}


@pytest.mark.parametrize("sample", list(TRANSITION_SAMPLES))
def test_transitions(schema, people, client_for, sample):
    assessment = advance(people, create_draft(people), State.LEGAL_REVIEW)
    body = TRANSITION_SAMPLES[sample]
    url = f"/api/v1/assessments/{assessment.pk}/transitions/"

    response = client_for(people.reviewers["legal"]).post(url, body, format="json")

    assert_agreement(schema, "/api/v1/assessments/{id}/transitions/", "post", body, response)


# -- bias evidence, token ------------------------------------------------------------------------

BIAS_SAMPLES = {
    "a list of rows": [VALID_ROW],
    "rows in an object": {"rows": [VALID_ROW]},
    "an empty list": [],
    "1000 rows": [VALID_ROW] * 1000,
    "1001 rows": [VALID_ROW] * 1001,
    "an extra key beside rows": {"rows": [VALID_ROW], "extra": 1},
    "an extra key in a row": [{**VALID_ROW, "note": "x"}],
    "uppercase dimension": [{**VALID_ROW, "dimension": "Race"}],
    "dimension with a newline": [{**VALID_ROW, "dimension": "race\n"}],
    "dimension at its limit": [{**VALID_ROW, "dimension": "r" * 50}],
    "dimension over its limit": [{**VALID_ROW, "dimension": "r" * 51}],
    "blank group": [{**VALID_ROW, "group": "  "}],
    "group at its limit": [{**VALID_ROW, "group": "g" * 100}],
    "group over its limit": [{**VALID_ROW, "group": "g" * 101}],
    "n at its limits": [{**VALID_ROW, "n": 1}, {**VALID_ROW, "n": 2_000_000_000}],
    "n zero": [{**VALID_ROW, "n": 0}],
    "n over its limit": [{**VALID_ROW, "n": 2_000_000_001}],
    "n a float": [{**VALID_ROW, "n": 1.5}],
    "n as text": [{**VALID_ROW, "n": "12"}],
    "value at its limits": [{**VALID_ROW, "value": 10**15}, {**VALID_ROW, "value": -(10**15)}],
    "value over its limit": [{**VALID_ROW, "value": 10**15 + 1}],
    "value as text": [{**VALID_ROW, "value": "0.5"}],
    "value a boolean": [{**VALID_ROW, "value": True}],
    "value null": [{**VALID_ROW, "value": None}],
    "complete evidence": bias_rows(),
}


@pytest.mark.parametrize("sample", list(BIAS_SAMPLES))
def test_bias_results(schema, people, client_for, sample):
    assessment = create_draft(people)
    body = {"rows": BIAS_SAMPLES[sample], "description": EVIDENCE}

    response = client_for(people.alice).post(f"/api/v1/assessments/{assessment.pk}/bias-results/", body, format="json")

    assert_agreement(schema, "/api/v1/assessments/{id}/bias-results/", "post", body, response)


TOKEN_SAMPLES = {
    "credentials": {"username": "alice", "password": PASSWORD},
    "a number for the username": {"username": 7, "password": PASSWORD},
    "a blank username": {"username": " ", "password": PASSWORD},
    "an empty password": {"username": "alice", "password": ""},
    "a password of spaces": {"username": "alice", "password": "   "},
    "a username over its limit": {"username": "a" * 151, "password": PASSWORD},
    "an unknown field": {"username": "alice", "password": PASSWORD, "otp": "123456"},
}


@pytest.mark.parametrize("sample", list(TOKEN_SAMPLES))
def test_token(schema, people, sample):
    body = TOKEN_SAMPLES[sample]

    response = APIClient().post("/api/v1/auth/token/", body, format="json")

    # A well-formed request with credentials that do not exist is a 400 too; "a password of spaces" is one.
    if sample == "a password of spaces":
        assert schema_accepts(schema, body_schema(schema, "/api/v1/auth/token/", "post"), body)
        assert response.json() == {"detail": "Unable to sign in with that username and password."}
    else:
        assert_agreement(schema, "/api/v1/auth/token/", "post", body, response)


# -- every request body refuses unknown fields, in the schema and on the server ------------------


def test_every_request_body_object_says_it_takes_no_other_fields(schema):
    objects = [
        component
        for name, component in schema["components"]["schemas"].items()
        if component.get("type") == "object" and name.endswith(("Request", "Create", "Update", "Row", "Rows"))
    ]
    objects += [schema["components"]["schemas"][name] for name in ("Answers", "ConditionInput")]

    assert len(objects) >= 9
    assert all(component.get("additionalProperties") is False for component in objects)


# -- the list's query parameters ------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        {"page_size": "1"},
        {"page_size": "200"},
        {"cursor": CURSOR},
        {"cursor": CURSOR, "page_size": "50"},
        {"state": "draft"},
        {"team": TEAM},
        {"risk_level": "4"},
    ],
)
def test_valid_list_parameters_are_accepted(people, client_for, query):
    create_draft(people)

    assert client_for(people.alice).get("/api/v1/assessments/", query).status_code == 200


@pytest.mark.parametrize(
    "query, field",
    [
        ({"page_size": "0"}, "page_size"),
        ({"page_size": "201"}, "page_size"),
        ({"page_size": "-1"}, "page_size"),
        ({"page_size": "abc"}, "page_size"),
        ({"page_size": "1.5"}, "page_size"),
        ({"page_size": "01"}, "page_size"),
        ({"page_size": " 5"}, "page_size"),
        ({"page_size": "+5"}, "page_size"),
        ({"page_size": ""}, "page_size"),
        ({"page": "0"}, "page"),
        ({"page": "-1"}, "page"),
        ({"page": "last"}, "page"),
        ({"page": "9223372036854775808"}, "page"),
        ({"state": ""}, "state"),
        ({"team": ""}, "team"),
        ({"risk_level": ""}, "risk_level"),
        ({"risk_level": "5"}, "risk_level"),
        ({"team": "x" * 61}, "team"),
    ],
)
def test_wrong_type_or_out_of_range_list_parameters_are_400_naming_them(people, client_for, query, field):
    response = client_for(people.alice).get("/api/v1/assessments/", query)

    assert response.status_code == 400
    assert field in response.json()


def test_the_schema_states_the_same_parameter_bounds(schema):
    parameters = {p["name"]: p["schema"] for p in schema["paths"]["/api/v1/assessments/"]["get"]["parameters"]}

    assert parameters["page_size"] == {"type": "integer", "minimum": 1, "maximum": 200}
    assert parameters["cursor"] == {"type": "string", "pattern": "^[A-Za-z0-9_-]+$", "maxLength": 120}
    assert "page" not in parameters
    assert parameters["team"]["maxLength"] == 60 and parameters["team"]["minLength"] == 1
    assert parameters["risk_level"]["enum"] == [1, 2, 3, 4]


def test_a_cursor_past_the_last_row_is_an_empty_page_not_an_error(people, client_for):
    create_draft(people)
    past = Position(datetime(2000, 1, 1, tzinfo=UTC), 1, reverse=False).encode()

    response = client_for(people.alice).get("/api/v1/assessments/", {"cursor": past})

    assert response.status_code == 200
    assert response.json()["results"] == [] and response.json()["next"] is None
