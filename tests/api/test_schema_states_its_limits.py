"""The schema says where it cannot be exact: each rule that refuses a well-formed request because of stored data
is named in the description of its field or operation, and in the schema's own description."""

import pytest

from .test_schema_and_docs import load_schema


def component(schema, name):
    return schema["components"]["schemas"][name]


def operation(schema, path, method):
    return schema["paths"][path][method]


RULES = {
    "a cursor the server did not write": lambda s: (
        next(p for p in operation(s, "/api/v1/assessments/", "get")["parameters"] if p["name"] == "cursor")[
            "description"
        ],
        "did not write is a 400",
    ),
    "a team the caller is not in": lambda s: (
        component(s, "AssessmentCreate")["properties"]["team"]["description"],
        "a team you are not in, or of no team, is a 400",
    ),
    "a dimension outside the required ones": lambda s: (
        component(s, "BiasJustificationRequest")["properties"]["dimension"]["description"],
        "Any other is a 400",
    ),
    "a wrong password": lambda s: (
        component(s, "TokenRequest")["properties"]["password"]["description"],
        "A wrong username or password is a 400",
    ),
}


@pytest.mark.parametrize("rule", RULES)
def test_each_rule_the_schema_cannot_state_is_named_where_it_applies(db, rule):
    description, words = RULES[rule](load_schema())

    assert words in description


def test_the_schema_says_what_it_states_exactly_and_what_it_cannot(db):
    description = load_schema()["info"]["description"]

    assert "cannot state rules that depend on stored data" in description
    for name in ("`cursor`", "`team`", "`dimension`", "wrong username or password"):
        assert name in description
