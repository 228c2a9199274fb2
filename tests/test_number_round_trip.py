"""Values round-trip through the database and the log still verifies: the false alarms of jsonb are gone.

PostgreSQL's jsonb keeps numbers as decimals (``-0.0`` comes back as ``0``, ``1e2``
as ``100``); every number is stored as the database gives it back, and every
hash is RFC 8785 over what the database returns. CI runs this on SQLite and on
PostgreSQL.
"""

import json

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from assessments.audit import audit_verify
from assessments.models import Assessment, AuditEntry, BiasResult

from .workflow import EVIDENCE, bias_rows, create_draft

NUMBERS = [("-0.0", 0), ("0.0", 0), ("1.0", 1), ("1e2", 100), ("1E+2", 100), ("0.1", 0.1), ("2.5e-3", 0.0025)]
# Bias values are proportions (0 to 1), written every way JSON allows.
PROPORTIONS = [("-0.0", 0), ("0.0", 0), ("1.0", 1), ("1e0", 1), ("1E+0", 1), ("0.1", 0.1), ("2.5e-3", 0.0025)]
LONG_UNICODE = "Ünïcödé ťëxt, 中文, עברית, ﷺ " * 300
EMOJI = "Matching 🧠🤝👩🏽‍⚕️ for 🏳️‍🌈 clients " * 20


@pytest.fixture
def alice(people):
    cache.clear()
    client = APIClient()
    client.force_authenticate(people.alice)
    yield client
    cache.clear()


def patch(client, assessment, raw_answers):
    return client.patch(
        f"/api/v1/assessments/{assessment.pk}/", '{"answers": ' + raw_answers + "}", content_type="application/json"
    )


def assert_log_holds():
    report = audit_verify()
    assert report.ok, [problem.message for problem in report.problems]


@pytest.mark.parametrize(("literal", "stored"), NUMBERS, ids=[n for n, _ in NUMBERS])
def test_a_number_answer_round_trips_and_the_log_verifies(people, alice, literal, stored):
    assessment = create_draft(people, **{"data.retention_days": 7})

    response = patch(alice, assessment, '{"data.retention_days": ' + literal + "}")

    assert response.status_code == 200, response.content
    assert json.loads(response.content)["answers"]["data.retention_days"] == stored
    fresh = Assessment.objects.get(pk=assessment.pk)
    value = fresh.answers["data.retention_days"]
    assert value == stored and type(value) is type(stored)
    assert fresh.content_hash == fresh.compute_content_hash()  # the hash of what the database returns
    logged = (
        AuditEntry.objects.filter(action="answers_changed")
        .latest("seq")
        .details["changed"]["data.retention_days"]["to"]
    )
    assert logged == stored and type(logged) is type(stored)
    assert_log_holds()


def test_an_integer_beyond_what_json_holds_exactly_is_refused_and_nothing_changes(people, alice):
    assessment = create_draft(people)
    rows = AuditEntry.objects.count()

    response = patch(alice, assessment, '{"impact.expected_users_per_month": ' + str(2**53 + 1) + "}")

    assert response.status_code == 400
    assert "impact.expected_users_per_month" in json.loads(response.content)["answers"]
    assert AuditEntry.objects.count() == rows
    assert Assessment.objects.get(pk=assessment.pk).answers == assessment.answers
    assert_log_holds()


@pytest.mark.parametrize("text", [LONG_UNICODE[:4900], EMOJI], ids=["long-unicode", "emoji"])
def test_unicode_answers_round_trip_and_the_log_verifies(people, alice, text):
    assessment = create_draft(people)

    response = patch(alice, assessment, json.dumps({"overview.purpose": text, "overview.vendor": text[:290]}))

    assert response.status_code == 200, response.content
    fresh = Assessment.objects.get(pk=assessment.pk)
    assert fresh.answers["overview.purpose"] == text.strip()
    assert fresh.answers["overview.vendor"] == text[:290].strip()
    assert fresh.content_hash == fresh.compute_content_hash()
    assert_log_holds()


def test_bias_values_and_unicode_groups_round_trip_and_the_log_verifies(people, alice):
    assessment = create_draft(people)
    base = bias_rows(["race"])[0]
    literals = [literal for literal, _ in PROPORTIONS]
    rows = ", ".join(
        json.dumps({**base, "group": f"{EMOJI[:60]} {index}"})[:-1] + ', "value": ' + literal + "}"
        for index, literal in enumerate(literals)
    )
    rows += ", " + json.dumps({**base, "group": LONG_UNICODE[:100]})

    response = alice.post(
        f"/api/v1/assessments/{assessment.pk}/bias-results/",
        '{"description": "' + EVIDENCE + '", "rows": [' + rows + "]}",
        content_type="application/json",
    )

    assert response.status_code == 201, response.content
    stored = {row.group: row.value for row in BiasResult.objects.filter(assessment=assessment)}
    for index, (_, expected) in enumerate(PROPORTIONS):
        value = stored[f"{EMOJI[:60]} {index}".strip()]
        assert value == expected and str(value) != "-0.0"
    assert LONG_UNICODE[:100].strip() in stored
    logged = AuditEntry.objects.get(action="bias_evidence_added").details["rows"]
    assert [row["value"] for row in logged[: len(PROPORTIONS)]] == [expected for _, expected in PROPORTIONS]
    assert_log_holds()


def test_a_bias_value_beyond_what_json_holds_exactly_is_refused(people, alice):
    assessment = create_draft(people)
    row = json.dumps(bias_rows(["race"])[0])[:-1] + ', "value": ' + str(2**53 + 1) + "}"

    response = alice.post(
        f"/api/v1/assessments/{assessment.pk}/bias-results/",
        '{"description": "' + EVIDENCE + '", "rows": [' + row + "]}",
        content_type="application/json",
    )

    assert response.status_code == 400
    assert not BiasResult.objects.exists()
    assert_log_holds()
