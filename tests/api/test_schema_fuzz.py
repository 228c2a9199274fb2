"""Schemathesis against the live OpenAPI schema: no 500s, and every response is what the schema says.

Runs in the normal suite (about a minute on two cores). Each operation gets
MAX_EXAMPLES cases that schemathesis generates from the schema, valid and
invalid input mixed, from a fixed seed, sent through the WSGI application as
alice with a token.
Path ids and team slugs are drawn partly from real ones (assessments in several
states, alice's team and another), so the fuzzing reaches the services and
their success responses, not only the 404 and 400 branches.

It drives schemathesis's Python API (``APIOperation.as_strategy`` under
``hypothesis.given``) rather than ``schemathesis.pytest.from_fixture``: with the
pinned pytest 9.2 that integration fails on ``Function._nodeid``, which pytest
renamed.
"""

import hypothesis
import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from assessments import services
from assessments.models import State
from tests.workflow import advance, create_draft

MAX_EXAMPLES = 300
SEED = 20261127
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
OPERATIONS = [
    ("POST", "/api/v1/auth/token/"),
    ("GET", "/api/v1/questionnaire/"),
    ("GET", "/api/v1/assessments/"),
    ("POST", "/api/v1/assessments/"),
    ("GET", "/api/v1/assessments/{id}/"),
    ("PATCH", "/api/v1/assessments/{id}/"),
    ("GET", "/api/v1/assessments/{id}/transitions/"),
    ("POST", "/api/v1/assessments/{id}/transitions/"),
    ("POST", "/api/v1/assessments/{id}/bias-results/"),
    ("GET", "/api/v1/assessments/{id}/dossier.pdf"),
    ("POST", "/api/v1/dossiers/verify/"),
]
# Each request of these renders or checks a PDF (a second or more): fewer examples keep the suite fast.
EXAMPLES = {("GET", "/api/v1/assessments/{id}/dossier.pdf"): 12, ("POST", "/api/v1/dossiers/verify/"): 60}


@pytest.fixture
def api_schema(db, settings):
    # The fuzzer sends many requests from one user and address; rates are tested elsewhere.
    settings.API_THROTTLE_RATES = {"api_token": None, "api_read": None, "api_write": None}
    # Requests run inside the test's transaction, as with Django's test client,
    # so Django must not close the connection when one finishes.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/schema/?format=json", WSGIHandler())
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def assessment_ids(people):
    """Real assessments in several states (one of another team), for ids the fuzzer may pick."""
    return [
        create_draft(people).pk,
        advance(people, create_draft(people), State.LEGAL_REVIEW).pk,
        advance(people, create_draft(people), State.CHANGES_REQUESTED).pk,
        advance(people, create_draft(people), State.APPROVED).pk,
        services.assessment_create(team=people.other_team, feature_name="Growth", answers={}, by=people.olga).pk,
    ]


def test_the_fuzzed_operations_are_all_the_schema_has(api_schema):
    documented = {
        (method.upper(), path) for path, operations in api_schema.raw_schema["paths"].items() for method in operations
    }

    assert documented == set(OPERATIONS)


@pytest.mark.parametrize("method, path", OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_the_api_conforms_to_its_schema(api_schema, assessment_ids, people, method, path):
    operation = api_schema[path][method]
    token = Token.objects.create(user=people.alice).key
    cases = st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),
    )

    @hypothesis.given(
        case=cases,
        real_id=st.sampled_from([None, *assessment_ids]),
        real_team=st.sampled_from([None, "client-experience", "growth"]),
    )
    @hypothesis.seed(SEED)
    @hypothesis.settings(
        max_examples=EXAMPLES.get((method, path), MAX_EXAMPLES),
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def check(case, real_id, real_team):
        if real_id is not None and "id" in (case.path_parameters or {}):
            case.path_parameters["id"] = real_id
        if real_team is not None and isinstance(case.body, dict) and "team" in case.body:
            case.body["team"] = real_team
        case.call_and_validate(headers={"Authorization": f"Token {token}"}, checks=CHECKS)

    check()
