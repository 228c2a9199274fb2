"""Malformed and hostile requests get a JSON 4xx, never a 500, and change nothing."""

import json

import pytest
from rest_framework.test import APIClient

from assessments.models import AIFeature, State
from tests.workflow import create_draft

LIST = "/api/v1/assessments/"


@pytest.fixture
def alice(people, client_for):
    return client_for(people.alice)


def assert_json_error(response, status):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    body = json.loads(response.content)
    assert isinstance(body["detail"], str) and body["detail"]
    return body


@pytest.mark.parametrize(
    "raw",
    [
        "{not json",
        '{"feature_name": "X", "team": "client-experience"',
        '{"feature_name": NaN, "team": "client-experience"}',
        '{"feature_name": "X", "team": "client-experience", "answers": {"data.retention_days": Infinity}}',
        '{"feature_name": "X", "team": "client-experience", "answers": {"data.retention_days": 1e400}}',
        '{"feature_name": "X", "team": "client-experience", "answers": {"data.retention_days": ' + "9" * 40 + "}}",
        '{"feature_name": "X", "team": "client-experience", "answers": {"data.retention_days": ' + "9" * 5000 + "}}",
        '{"feature_name": "X\\u0000", "team": "client-experience"}',
        '{"feature_name": "X", "team": "client-experience", "answers": {"overview.vendor\\u0000": "v"}}',
        "[" * 100_000 + "]" * 100_000,
    ],
    ids=[
        "syntax",
        "truncated",
        "nan",
        "infinity",
        "overflowing-float",
        "huge-int",
        "giant-int",
        "nul",
        "nul-key",
        "deep",
    ],
)
def test_malformed_json_is_a_400(people, alice, raw):
    body = assert_json_error(alice.post(LIST, raw, content_type="application/json"), 400)

    assert "JSON parse error" in body["detail"] or "NUL" in body["detail"]
    assert not AIFeature.objects.exists()


def test_invalid_utf8_is_a_400(people, alice):
    assert_json_error(alice.post(LIST, b'{"feature_name": "\xff"}', content_type="application/json"), 400)


def test_an_unknown_charset_is_a_400_not_a_crash(people, alice):
    response = alice.post(LIST, b'{"feature_name": "X"}', content_type="application/json; charset=klingon")

    # Django ignores a charset it does not know and reads UTF-8; the body then lacks the team.
    body = assert_json_error(response, 400)
    assert body["team"] == "This field is required."


def test_a_huge_number_in_bias_rows_is_a_400(people, alice):
    assessment = create_draft(people)
    raw = '[{"dimension": "race", "group": "a", "n": 10, "metric": "selection_rate", "value": ' + "9" * 400 + "}]"

    assert_json_error(alice.post(f"{LIST}{assessment.pk}/bias-results/", raw, content_type="application/json"), 400)


def test_an_oversized_body_is_a_413(people, alice, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    raw = json.dumps({"feature_name": "X", "team": "client-experience", "answers": {"overview.vendor": "v" * 2000}})

    body = assert_json_error(alice.post(LIST, raw, content_type="application/json"), 413)

    assert body["detail"] == "The request body is over 1000 bytes."


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "application/xml"])
def test_a_body_that_is_not_json_is_a_415(people, alice, content_type):
    body = assert_json_error(alice.post(LIST, "feature_name=X&team=client-experience", content_type=content_type), 415)

    assert content_type in body["detail"]
    assert not AIFeature.objects.exists()


def test_multipart_is_a_415(people, alice):
    assert_json_error(alice.post(LIST, {"feature_name": "X", "team": "client-experience"}, format="multipart"), 415)


def test_an_empty_body_is_a_400_naming_the_missing_fields(people, alice):
    body = assert_json_error(alice.post(LIST, "", content_type="application/json"), 400)

    assert {"feature_name", "team"} <= set(body)


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/assessments/abc/",
        "/api/v1/assessments/-1/",
        "/api/v1/assessments/0/",
        "/api/v1/assessments/1.5/",
        "/api/v1/assessments/99999999999999999999999999/",
        "/api/v1/assessments/9223372036854775808/",
        "/api/v1/assessments/%00/",
        "/api/v1/assessments/abc/transitions/",
        "/api/v1/assessments/99999999999999999999/bias-results/",
        "/api/v1/nothing-here/",
        "/api/v2/assessments/",
        "/api/",
    ],
)
@pytest.mark.parametrize("method", ["get", "post", "patch", "delete"])
def test_addresses_that_are_not_endpoints_or_ids_are_json_404s(people, alice, path, method):
    response = getattr(alice, method)(path, {}, format="json")

    assert_json_error(response, 404)


def test_the_largest_id_is_looked_up_and_not_found(people, alice):
    body = assert_json_error(alice.get("/api/v1/assessments/9223372036854775807/"), 404)

    assert body == {"detail": "No such assessment."}


def test_a_missing_trailing_slash_on_a_write_is_a_json_404_with_a_hint(people, alice):
    body = assert_json_error(alice.post("/api/v1/assessments", {}, format="json"), 404)

    assert body["detail"] == "Not found. API addresses end with a slash: /api/v1/assessments/"


def test_a_missing_trailing_slash_on_a_read_redirects(people, alice):
    response = alice.get("/api/v1/assessments")

    assert response.status_code == 301
    assert response["Location"] == "/api/v1/assessments/"


@pytest.mark.parametrize(
    "method, path",
    [
        ("put", "/api/v1/assessments/{id}/"),
        ("delete", "/api/v1/assessments/{id}/"),
        ("post", "/api/v1/assessments/{id}/"),
        ("delete", "/api/v1/assessments/"),
        ("patch", "/api/v1/assessments/{id}/transitions/"),
        ("put", "/api/v1/assessments/{id}/bias-results/"),
        ("delete", "/api/v1/assessments/{id}/bias-mitigations/"),
        ("post", "/api/v1/assessments/{id}/bias-flags/"),
        ("put", "/api/v1/questionnaire/"),
    ],
)
def test_unsupported_methods_are_json_405s(people, alice, method, path):
    assessment = create_draft(people)

    response = getattr(alice, method)(path.format(id=assessment.pk), {}, format="json")

    assert_json_error(response, 405)
    assessment.refresh_from_db()
    assert assessment.state == State.DRAFT


def test_asking_for_html_still_gets_json(people, alice):
    response = alice.get(LIST, HTTP_ACCEPT="text/html")

    assert response.status_code == 406
    assert response.json()["detail"]


def test_bad_query_values_are_400s_not_500s(people, alice):
    assert_json_error(alice.get(LIST, {"state": "\x00"}), 400)
    assert_json_error(alice.get(LIST, {"team": "x" * 500}), 400)
    assert_json_error(alice.get(LIST, {"page_size": "lots"}), 400)
    assert_json_error(alice.get(LIST, {"page": "last-but-one"}), 400)


def test_a_malformed_authorization_header_is_a_json_401(people, client_for):
    response = client_for(None).get(LIST, HTTP_AUTHORIZATION="Token a b c")

    assert_json_error(response, 401)


def test_a_write_to_a_non_endpoint_is_a_json_404_even_under_csrf_checks(people):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(people.alice)

    for path in ("/api/v1/assessments/0/", "/api/v1/nothing/"):
        assert_json_error(client.patch(path, {}, format="json"), 404)


def test_a_session_write_without_a_csrf_token_is_a_json_403(people):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(people.alice)

    response = client.post(LIST, {"feature_name": "X", "team": "client-experience"}, format="json")

    body = assert_json_error(response, 403)
    assert "CSRF" in body["detail"]
    assert not AIFeature.objects.exists()
