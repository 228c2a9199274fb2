"""The public transparency register: /register/, /register.json and GET /api/v1/register/ (DESIGN section 8).

Lists only live features (approved, launched, re-assessment due), needs no login,
answers the same data in all three places, is cached and forgets its copy when
what it shows changes.
"""

from datetime import timedelta

import jsonschema
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assessments import services
from assessments.models import Assessment, BiasResult, State
from reports import register

from ..web.bulk import bulk_assessments
from ..workflow import EVIDENCE, act, advance, bias_rows, create_draft
from .register_text import fresh_register  # noqa: F401  (fresh_register: an autouse fixture)

PAGE = "/register/"
JSON = "/register.json"
API = "/api/v1/register/"

DATE = {"type": ["string", "null"], "pattern": r"^\d{4}-\d{2}-\d{2}$"}
TEXT = {"type": "string"}
REGISTER_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "additionalProperties": False,
    "required": ["policy_statement", "count", "features"],
    "properties": {
        "policy_statement": {"type": "string", "minLength": 1},
        "count": {"type": "integer", "minimum": 0},
        "features": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": [
                    "feature",
                    "team",
                    "version",
                    "status",
                    "status_text",
                    "disclosure",
                    "audience",
                    "policy_statement",
                    "what_it_does_not_do",
                    "human_oversight",
                    "approved_on",
                    "launched_on",
                    "last_bias_monitoring_on",
                    "next_review_due",
                    "feature_id",
                    "last_review_on",
                    "under_review",
                    "register_text",
                ],
                "properties": {
                    "feature": {"type": "string", "minLength": 1},
                    "team": {"type": "string", "minLength": 1},
                    "version": {"type": "integer", "minimum": 1},
                    "status": {"enum": ["approved", "launched", "reassessment_due"]},
                    "status_text": {"type": "string", "minLength": 1},
                    "disclosure": TEXT,
                    "audience": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "additionalProperties": False,
                            "required": ["id", "label"],
                            "properties": {"id": {"enum": ["clients", "therapists", "internal"]}, "label": TEXT},
                        },
                    },
                    "policy_statement": {"type": "string", "minLength": 1},
                    "what_it_does_not_do": TEXT,
                    "human_oversight": {
                        "type": "object",
                        "additionalProperties": False,
                        "required": ["review", "review_text", "description"],
                        "properties": {
                            "review": {"type": ["string", "null"]},
                            "review_text": TEXT,
                            "description": TEXT,
                        },
                    },
                    "approved_on": {**DATE, "type": "string"},
                    "launched_on": DATE,
                    "last_bias_monitoring_on": DATE,
                    "next_review_due": DATE,
                    "feature_id": {"type": "integer", "minimum": 1},
                    "last_review_on": DATE,
                    "under_review": {"type": "boolean"},
                    "register_text": {
                        "type": ["object", "null"],
                        "additionalProperties": False,
                        "required": [
                            "contact_email",
                            "senior_responsible_owner",
                            "supplier",
                            "data_used",
                            "human_oversight",
                            "how_to_complain",
                            "impact_assessments",
                            "published_on",
                        ],
                        "properties": {
                            "contact_email": {"type": "string", "minLength": 3},
                            "published_on": {**DATE, "type": "string"},
                        },
                    },
                },
            },
        },
    },
}


@pytest.fixture
def committed(django_capture_on_commit_callbacks, fast_render):
    """Run the block's on-commit callbacks, as a real commit would (the tests' transaction never commits)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def names(data):
    return [f["feature"] for f in data["features"]]


def register_json(client=None):
    response = (client or Client()).get(JSON)
    assert response.status_code == 200
    return response.json()


def test_the_register_lists_only_live_features(people, committed):
    with committed():
        for state in (
            State.DRAFT,
            State.LEGAL_REVIEW,
            State.DATA_AI_REVIEW,
            State.CHANGES_REQUESTED,
            State.REJECTED,
            State.WITHDRAWN,
            State.APPROVED,
            State.LAUNCHED,
            State.REASSESSMENT_DUE,
            State.RETIRED,
            State.SUPERSEDED,
        ):
            advance(people, create_draft(people, name=f"In {state}"), state)

    data = register_json()

    # A feature being re-assessed is still live as approved: listed. Its new draft version is not. A superseded
    # version is not listed: its feature appears through the newer, approved version that replaced it.
    listed = [(f["feature"], f["version"], f["status"]) for f in data["features"]]
    assert listed == [
        ("In approved", 1, "approved"),
        ("In launched", 1, "launched"),
        ("In reassessment_due", 1, "reassessment_due"),
        ("In superseded", 2, "approved"),
    ]
    assert data["count"] == 4
    assert Assessment.objects.get(feature__name="In superseded", version=1).state == State.SUPERSEDED
    jsonschema.validate(data, REGISTER_SCHEMA)


def test_a_feature_replaced_by_an_approved_version_is_listed_once_as_the_new_version(people, committed):
    with committed():
        advance(people, create_draft(people, name="Matching"), State.SUPERSEDED)

    data = register_json()

    assert names(data) == ["Matching"]
    assert data["features"][0]["version"] == 2
    assert data["features"][0]["status"] == "approved"


def test_an_entry_says_what_the_register_promises(people, committed):
    with committed():
        assessment = create_draft(
            people,
            name="Therapist matching",
            **{
                "overview.audience": ["clients", "therapists"],
                "transparency.what_it_does_not_do": "It does not read your messages.",
                "oversight.human_in_the_loop": "every_output_reviewed",
                "oversight.human_oversight_description": "A care coordinator checks every match.",
            },
        )
        launched = advance(people, assessment, State.LAUNCHED)

    (entry,) = register_json()["features"]

    today = timezone.localdate()
    assert entry["feature"] == "Therapist matching"
    assert entry["team"] == "Client Experience"
    assert entry["disclosure"] == launched.answers["transparency.disclosure_text"]
    assert [a["id"] for a in entry["audience"]] == ["clients", "therapists"]
    assert entry["audience"][0]["label"] == "Clients (people receiving care)"
    assert "does not provide therapy, diagnose or treat" in entry["policy_statement"]
    assert "clinical decisions" in entry["policy_statement"]
    assert entry["what_it_does_not_do"] == "It does not read your messages."
    assert entry["human_oversight"] == {
        "review": "every_output_reviewed",
        "review_text": "Every output is reviewed and approved by a person before it is used",
        "description": "A care coordinator checks every match.",
    }
    assert entry["approved_on"] == today.isoformat()
    assert entry["launched_on"] == today.isoformat()
    assert entry["last_bias_monitoring_on"] == today.isoformat()
    assert entry["next_review_due"] == launched.next_review_due.isoformat()
    assert launched.next_review_due > today


def test_the_last_bias_date_is_the_latest_result_of_the_listed_version(people, committed):
    with committed():
        launched = advance(people, create_draft(people, name="Matching"), State.LAUNCHED)
    older = timezone.now() - timedelta(days=40)
    latest = timezone.now() - timedelta(days=3)
    BiasResult.objects.filter(assessment=launched).update(created_at=older)
    with committed():
        BiasResult.objects.create(
            assessment=launched,
            dimension="age",
            group="over 65",
            sample_size=120,
            metric="selection_rate",
            value=0.5,
            created_by=people.reviewers["data_ai"],
            created_at=latest,
        )

    (entry,) = register_json()["features"]

    assert entry["last_bias_monitoring_on"] == timezone.localdate(latest).isoformat()


def test_anyone_may_read_the_register_without_logging_in(people, login, committed):
    with committed():
        advance(people, create_draft(people, name="Matching"), State.LAUNCHED)
    anonymous = Client()

    for url in (PAGE, JSON, API):
        response = anonymous.get(url)
        assert response.status_code == 200, url
        assert "Matching" in response.content.decode(), url
        # Nothing per visitor: no session, no cookie, the same bytes for everyone.
        assert "Set-Cookie" not in response.headers and not response.cookies, url
        assert "Cookie" not in response.headers.get("Vary", ""), url
    logged_in = login(people.olga).get(PAGE)
    assert logged_in.content == anonymous.get(PAGE).content


def test_a_stale_token_does_not_lock_anyone_out_of_the_public_api(people, committed):
    response = Client(HTTP_AUTHORIZATION="Token not-a-token").get(API)

    assert response.status_code == 200


@pytest.mark.parametrize("url", [PAGE, JSON, API])
def test_head_works_and_writes_are_refused(db, url):
    client = Client()
    head = client.head(url)
    assert head.status_code == 200
    assert head.content == b""
    assert head["ETag"]

    for method in ("post", "put", "patch", "delete"):
        response = getattr(client, method)(url)
        assert response.status_code == 405, (method, url)


def test_the_page_json_and_api_give_the_same_data(people, committed):
    with committed():
        advance(people, create_draft(people, name="Intake"), State.LAUNCHED)
        advance(people, create_draft(people, name="Matching"), State.APPROVED)

    from_json = register_json()
    from_api = Client().get(API).json()

    assert from_json == from_api
    assert names(from_json) == ["Intake", "Matching"]
    jsonschema.validate(from_api, REGISTER_SCHEMA)


def test_an_empty_register_is_valid_too(db):
    data = register_json()

    assert data["features"] == [] and data["count"] == 0
    jsonschema.validate(data, REGISTER_SCHEMA)
    assert "No AI features are live yet." in Client().get(PAGE).content.decode()


@pytest.mark.parametrize("url", [JSON, API])
def test_query_parameters_are_refused_as_the_api_refuses_them(db, url):
    for query in ("?page=2", "?format=xml", "?state=draft&x=1"):
        response = Client().get(url + query)
        assert response.status_code == 400, query
        body = response.json()
        assert "detail" in body
        assert set(body) - {"detail"}, query  # each parameter is named


def test_the_page_ignores_query_parameters(db):
    assert Client().get(PAGE + "?utm_source=newsletter").status_code == 200


def test_the_schema_documents_the_register_as_public(db):
    import yaml

    schema = yaml.safe_load(Client().get("/api/schema/").content)
    operation = schema["paths"]["/api/v1/register/"]["get"]

    assert "security" not in operation and "security" not in schema
    assert set(operation["responses"]) == {"200", "304", "400", "429"}
    assert operation["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Register"
    }
    feature = schema["components"]["schemas"]["RegisterFeature"]
    assert set(feature["properties"]) == set(REGISTER_SCHEMA["properties"]["features"]["items"]["properties"])


# -- escaping --------------------------------------------------------------------------------------------

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)> & "quotes"'


def test_hostile_text_renders_inert(people, committed):
    with committed():
        assessment = create_draft(
            people,
            name="<b>Bold</b> feature",
            **{
                "transparency.disclosure_text": "We use a program. " + HOSTILE,
                "transparency.what_it_does_not_do": HOSTILE,
                "oversight.human_oversight_description": HOSTILE,
            },
        )
        advance(people, assessment, State.LAUNCHED)

    page = Client().get(PAGE).content.decode()

    assert "<script>alert" not in page and "<img src=x" not in page and "<b>Bold</b>" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert "&lt;b&gt;Bold&lt;/b&gt; feature" in page
    # The JSON carries the text as it was written; served as JSON, never sniffed as HTML.
    response = Client().get(JSON)
    assert response["Content-Type"] == "application/json"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response.json()["features"][0]["what_it_does_not_do"] == HOSTILE


# -- caching ----------------------------------------------------------------------------------------------


def queries_for(url):
    with CaptureQueriesContext(connection) as context:
        response = Client().get(url)
    assert response.status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize("url", [PAGE, JSON, API])
def test_the_register_costs_three_queries_to_build_and_none_when_cached_at_any_size(people, url):
    bulk_assessments(people, 10)
    register.register_invalidate()  # bulk writes send no signals
    cold_10, warm_10 = queries_for(url), queries_for(url)
    count_10 = register_json()["count"]
    bulk_assessments(people, 190)
    register.register_invalidate()
    cold_200, warm_200 = queries_for(url), queries_for(url)

    assert (cold_10, cold_200) == (3, 3)  # versions, register texts, bias dates
    assert (warm_10, warm_200) == (0, 0)
    assert (count_10, register_json()["count"]) == (2, 40)  # one approved and one launched in ten


def test_an_unchanged_register_answers_304_to_its_etag(people, committed):
    with committed():
        advance(people, create_draft(people, name="Matching"), State.LAUNCHED)
    client = Client()
    for url in (PAGE, JSON, API):
        first = client.get(url)
        assert first["Cache-Control"] == "no-cache"
        assert first["Last-Modified"]
        again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
        assert again.status_code == 304, url
        assert again.content == b""
    page_etag = client.get(PAGE)["ETag"]
    assert page_etag != client.get(JSON)["ETag"]  # one resource, two representations

    with committed():
        advance(people, create_draft(people, name="Intake"), State.APPROVED)

    assert client.get(PAGE, HTTP_IF_NONE_MATCH=page_etag).status_code == 200


def test_approval_adds_the_feature(people, committed):
    with committed():
        assessment = advance(people, create_draft(people, name="Matching"), State.DATA_AI_REVIEW)
    assert names(register_json()) == []  # cached now

    with committed():
        act(people, assessment, "approve")

    assert names(register_json()) == ["Matching"]


def test_the_cache_is_forgotten_only_when_the_change_commits(people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assessment = advance(people, create_draft(people, name="Matching"), State.DATA_AI_REVIEW)
    assert names(register_json()) == []

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        act(people, assessment, "approve")
    # Not committed yet: a reader still gets the copy that matches the committed database.
    assert names(register_json()) == []
    for callback in callbacks:
        callback()
    assert names(register_json()) == ["Matching"]


@pytest.mark.parametrize("transition", ["retire", "supersede"])
def test_retiring_or_superseding_removes_the_version(people, committed, transition):
    with committed():
        launched = advance(people, create_draft(people, name="Matching"), State.LAUNCHED)
    assert names(register_json()) == ["Matching"]

    if transition == "retire":
        with committed():
            act(people, launched, "retire")
    else:
        with committed():
            act(people, launched, "start_reassessment")
        assert register_json()["features"][0]["status"] == "reassessment_due"
        with committed():
            advance(people, launched.feature.assessments.get(version=2), State.APPROVED)

    data = register_json()
    launched.refresh_from_db()
    if transition == "retire":
        assert launched.state == State.RETIRED
        assert names(data) == []
    else:
        assert launched.state == State.SUPERSEDED
        assert [(f["feature"], f["version"]) for f in data["features"]] == [("Matching", 2)]


def test_a_new_approved_version_shows_its_new_disclosure(people, committed):
    with committed():
        launched = advance(people, create_draft(people, name="Matching"), State.LAUNCHED)
        act(people, launched, "start_reassessment")
    new = launched.feature.assessments.get(version=2)
    old_text = register_json()["features"][0]["disclosure"]
    new_text = "We use a computer program to suggest a therapist. A person checks each match."

    with committed():
        services.assessment_update_answers(
            assessment=new, answers={"transparency.disclosure_text": new_text}, by=people.alice
        )
        services.bias_results_add(description=EVIDENCE, assessment=new, rows=bias_rows(), by=people.alice)
        advance(people, new, State.APPROVED)

    assert old_text != new_text
    assert register_json()["features"][0]["disclosure"] == new_text


def test_an_edit_of_a_listed_version_outside_the_services_is_reflected(people, committed):
    with committed():
        launched = advance(people, create_draft(people, name="Matching"), State.LAUNCHED)
    assert register_json()["features"][0]["disclosure"] != "Corrected words."

    with committed():
        # A correction through the admin or a shell saves the row; the register sees it.
        launched.answers = {**launched.answers, "transparency.disclosure_text": "Corrected words."}
        launched.save()

    assert register_json()["features"][0]["disclosure"] == "Corrected words."


def test_a_renamed_team_is_reflected(people, committed):
    with committed():
        advance(people, create_draft(people, name="Matching"), State.LAUNCHED)
    assert register_json()["features"][0]["team"] == "Client Experience"

    with committed():
        people.team.name = "Care Team"
        people.team.save()

    assert register_json()["features"][0]["team"] == "Care Team"


def test_changes_to_drafts_leave_the_cached_register_alone(people, committed):
    with committed():
        advance(people, create_draft(people, name="Matching"), State.LAUNCHED)
        draft = create_draft(people, name="Intake")
    register_json()
    generation = register.cache.get(register.GENERATION_KEY)

    with committed():
        services.assessment_update_answers(
            assessment=draft, answers={"overview.purpose": "Something else entirely."}, by=people.alice
        )
        act(people, draft, "submit")

    assert register.cache.get(register.GENERATION_KEY) == generation


def test_audited_monitoring_of_a_listed_version_is_reflected_even_when_written_in_bulk(people, committed):
    """Bias monitoring after launch writes its rows in bulk (no row signals) and audits them: that is enough."""
    from django.db import transaction

    from assessments.audit import audit_append
    from assessments.models import AuditEntry

    with committed():
        launched = advance(people, create_draft(people, name="Matching"), State.LAUNCHED)
    BiasResult.objects.filter(assessment=launched).update(created_at=timezone.now() - timedelta(days=90))
    register.register_invalidate()
    before = register_json()["features"][0]["last_bias_monitoring_on"]

    with committed(), transaction.atomic():
        BiasResult.objects.bulk_create(
            [
                BiasResult(
                    assessment=launched,
                    dimension="race",
                    group=group,
                    sample_size=200,
                    metric="selection_rate",
                    value=0.6,
                    created_by=people.reviewers["data_ai"],
                )
                for group in ("group a", "group b")
            ]
        )
        audit_append(
            assessment=launched,
            actor=people.reviewers["data_ai"],
            action=AuditEntry.Action.BIAS_EVIDENCE_ADDED,
            from_state=launched.state,
            to_state=launched.state,
            content_hash=launched.content_hash,
            details={"rows": 2},
        )

    after = register_json()["features"][0]["last_bias_monitoring_on"]
    assert (before, after) == (
        (timezone.localdate() - timedelta(days=90)).isoformat(),
        timezone.localdate().isoformat(),
    )


def test_the_transition_signal_alone_forgets_the_register(people, committed):
    from django.db.models.signals import post_save

    from assessments.models import AuditEntry
    from reports import receivers

    others = [
        (receivers.register_on_audit_entry, AuditEntry, "reports.register_audit"),
        (receivers.register_on_assessment_save, Assessment, "reports.register_save"),
    ]
    with committed():
        assessment = advance(people, create_draft(people, name="Matching"), State.DATA_AI_REVIEW)
    assert names(register_json()) == []
    for receiver, sender, uid in others:
        assert post_save.disconnect(receiver, sender=sender, dispatch_uid=uid)
    try:
        with committed():
            act(people, assessment, "approve")
    finally:
        for receiver, sender, uid in others:
            post_save.connect(receiver, sender=sender, dispatch_uid=uid)

    assert names(register_json()) == ["Matching"]


def test_the_page_shows_dates_as_people_read_them(people, committed):
    with committed():
        launched = advance(people, create_draft(people, name="Matching"), State.LAUNCHED)

    page = Client().get(PAGE).content.decode()

    due = launched.next_review_due
    assert f'<time datetime="{due.isoformat()}">{due.day} {due:%B %Y}</time>' in page
