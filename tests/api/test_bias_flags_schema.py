"""The bias flags the API serves are what the schema's BiasFlag says, for every kind of flag: a ratio flag has no
group of its own (``group`` is empty), which the schema once refused (schemathesis found it, ST108)."""

import jsonschema_rs

from assessments import services
from tests.workflow import create_draft

from .test_schema_and_docs import load_schema


def as_json_schema(node):
    """An OpenAPI 3.0 schema as JSON Schema: ``nullable: true`` becomes "or null"."""
    if isinstance(node, list):
        return [as_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    converted = {key: as_json_schema(value) for key, value in node.items() if key != "nullable"}
    if node.get("nullable"):
        return {"anyOf": [converted, {"type": "null"}]}
    return converted


def test_ratio_and_small_group_flags_conform_to_the_flag_schema(people, client_for):
    assessment = create_draft(people)
    services.bias_results_add(
        assessment=assessment,
        rows=[
            {"dimension": "race", "group": "group a", "n": 400, "metric": "selection_rate", "value": 0.6},
            {"dimension": "race", "group": "group b", "n": 12, "metric": "selection_rate", "value": 0.3},
        ],
        by=people.alice,
        description="Matching model v3, a pilot of 412 clients.",
    )
    schema = load_schema()
    flag_schema = {"$ref": "#/components/schemas/BiasFlag", "components": as_json_schema(schema["components"])}

    flags = client_for(people.alice).get(f"/api/v1/assessments/{assessment.pk}/bias-flags/").json()

    assert {flag["code"] for flag in flags} == {"ratio_below_four_fifths", "group_too_small"}
    validator = jsonschema_rs.validator_for(flag_schema)
    for flag in flags:
        errors = [error.message for error in validator.iter_errors(flag)]
        assert errors == [], (flag, errors)
