"""Text that cannot be stored (a lone UTF-16 surrogate, a NUL character) is bad input wherever text or keys enter.

The API answers 400 with JSON naming the field; the browser shows a form error
on the field; nothing is saved; nothing answers 5xx. A browser always sends
UTF-8, so the tests reach the forms the way a hostile client would: by
declaring a charset (``unicode_escape``) that decodes to lone surrogates.
"""

import json
from urllib.parse import quote_from_bytes

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import ApiToken
from assessments.forms import field_name
from assessments.models import AIFeature, Assessment, AuditEntry, BiasResult, Condition, SignOff, State
from tests.answers import complete_answers
from tests.web.posting import form_data

from .workflow import EVIDENCE, advance, bias_rows, create_draft

SURROGATE = "\udfff"
HIGH_SURROGATE_THEN_TEXT = "\ud800x"
NUL = "a\x00b"
BAD_TEXT = [SURROGATE, HIGH_SURROGATE_THEN_TEXT, NUL]
BAD_IDS = ["lone-surrogate", "high-surrogate", "nul"]
API = "/api/v1"


def saved_state():
    return (
        Assessment.objects.count(),
        AIFeature.objects.count(),
        AuditEntry.objects.count(),
        BiasResult.objects.count(),
        SignOff.objects.count(),
        Condition.objects.count(),
        ApiToken.objects.count(),
        sorted(Assessment.objects.values_list("pk", "state", "content_hash")),
    )


def raw_json(data):
    # json.dumps writes a lone surrogate as the escape \udfff, exactly what a client sends.
    return json.dumps(data)


def named(body, path):
    node = body
    for part in path:
        assert isinstance(node, dict) and part in node, (path, body)
        node = node[part]
    return node


# -- the API ------------------------------------------------------------------------------------


@pytest.fixture
def client_for():
    cache.clear()  # throttle counts live in the cache

    def make(user=None):
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    yield make
    cache.clear()


@pytest.fixture
def api(people, client_for):
    people.draft = create_draft(people)
    people.in_review = advance(people, create_draft(people), State.LEGAL_REVIEW)
    return people


def api_cases(bad):
    """(who, method, url, body, path of the field the 400 must name)."""
    transition_url = lambda p: f"{API}/assessments/{p.in_review.pk}/transitions/"  # noqa: E731
    bias_url = lambda p: f"{API}/assessments/{p.draft.pk}/bias-results/"  # noqa: E731
    detail_url = lambda p: f"{API}/assessments/{p.draft.pk}/"  # noqa: E731
    row = bias_rows(["race"])[0]
    return [
        (
            "alice",
            "post",
            lambda p: f"{API}/assessments/",
            {"feature_name": bad, "team": "client-experience"},
            ["feature_name"],
        ),
        ("alice", "post", lambda p: f"{API}/assessments/", {"feature_name": "X", "team": bad}, ["team"]),
        (
            "alice",
            "post",
            lambda p: f"{API}/assessments/",
            {"feature_name": "X", "team": "client-experience", "answers": {"overview.vendor": bad}},
            ["answers", "overview.vendor"],
        ),
        (
            "alice",
            "post",
            lambda p: f"{API}/assessments/",
            {"feature_name": "X", "team": "client-experience", "answers": {f"overview.vendor{bad}": "v"}},
            ["answers"],
        ),
        ("alice", "post", lambda p: f"{API}/assessments/", {"feature_name": "X", f"team{bad}": "t"}, []),
        ("alice", "patch", detail_url, {"answers": {"overview.vendor": bad}}, ["answers", "overview.vendor"]),
        ("alice", "patch", detail_url, {"answers": {"overview.purpose": bad}}, ["answers", "overview.purpose"]),
        ("alice", "patch", detail_url, {"answers": {"overview.audience": [bad]}}, ["answers", "overview.audience[1]"]),
        ("alice", "patch", detail_url, {"answers": {bad: "v"}}, ["answers"]),
        ("legal", "post", transition_url, {"name": bad}, ["name"]),
        ("legal", "post", transition_url, {"name": "request_changes", "comment": bad}, ["comment"]),
        ("legal", "post", transition_url, {"name": "approve", "expected_state": bad}, ["expected_state"]),
        (
            "legal",
            "post",
            transition_url,
            {"name": "approve", "conditions": [{"text": bad, "due_date": "2099-01-01"}]},
            ["conditions[1]", "text"],
        ),
        (
            "legal",
            "post",
            transition_url,
            {"name": "approve", "conditions": [{"text": "Do it", "owner": bad, "due_date": "2099-01-01"}]},
            ["conditions[1]", "owner"],
        ),
        (
            "legal",
            "post",
            transition_url,
            {"name": "approve", "conditions": [{"text": "Do it", "due_date": bad}]},
            ["conditions[1]", "due_date"],
        ),
        ("alice", "post", bias_url, [row, {**row, "group": bad}], ["rows[2]", "group"]),
        ("alice", "post", bias_url, [{**row, "metric": bad}], ["rows[1]", "metric"]),
        ("alice", "post", bias_url, [{**row, "dimension": bad}], ["rows[1]", "dimension"]),
        ("alice", "post", bias_url, {"rows": [{**row, "group": bad}]}, ["rows[1]", "group"]),
        ("alice", "post", bias_url, [{**row, bad: 1}], ["rows[1]"]),
        (None, "post", lambda p: f"{API}/auth/token/", {"username": bad, "password": "x"}, ["username"]),
        (None, "post", lambda p: f"{API}/auth/token/", {"username": "alice", "password": bad}, ["password"]),
    ]


CASE_IDS = [
    "create-feature_name",
    "create-team",
    "create-answer",
    "create-answer-key",
    "create-unknown-field-key",
    "patch-text-answer",
    "patch-long-text-answer",
    "patch-choice",
    "patch-answer-key",
    "transition-name",
    "transition-comment",
    "transition-expected_state",
    "condition-text",
    "condition-owner",
    "condition-due_date",
    "bias-group",
    "bias-metric",
    "bias-dimension",
    "bias-rows-object",
    "bias-row-key",
    "token-username",
    "token-password",
]


@pytest.mark.parametrize("bad", BAD_TEXT, ids=BAD_IDS)
@pytest.mark.parametrize("case", range(len(CASE_IDS)), ids=CASE_IDS)
def test_the_api_refuses_unstorable_text_naming_the_field(api, client_for, case, bad):
    who, method, url, body, path = api_cases(bad)[case]
    user = {"alice": api.alice, "legal": api.reviewers["legal"], None: None}[who]
    before = saved_state()

    response = getattr(client_for(user), method)(url(api), raw_json(body), content_type="application/json")

    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/json"
    payload = json.loads(response.content)
    assert isinstance(payload["detail"], str) and payload["detail"]
    message = named(payload, path) if path else payload["detail"]
    text = json.dumps(message)
    assert ("surrogate" in text) if bad != NUL else ("NUL" in text), payload
    assert saved_state() == before


def test_the_services_refuse_unstorable_text_themselves(api):
    from assessments import services
    from assessments.errors import InputError

    before = saved_state()
    for call in (
        lambda: services.assessment_create(team=api.team, feature_name=SURROGATE, answers={}, by=api.alice),
        lambda: services.assessment_update_answers(
            assessment=api.draft, answers={"overview.vendor": SURROGATE}, by=api.alice
        ),
        lambda: services.assessment_update_answers(assessment=api.draft, answers={SURROGATE: "v"}, by=api.alice),
        lambda: services.assessment_transition(
            assessment=api.in_review, name="request_changes", by=api.reviewers["legal"], comment=SURROGATE
        ),
        lambda: services.assessment_transition(
            assessment=api.in_review,
            name="approve",
            by=api.reviewers["legal"],
            conditions=[{"text": SURROGATE, "due_date": "2099-01-01"}],
        ),
        lambda: services.bias_results_add(
            description=EVIDENCE,
            assessment=api.draft,
            rows=[{**bias_rows(["race"])[0], "group": SURROGATE}],
            by=api.alice,
        ),
    ):
        with pytest.raises(InputError) as error:
            call()
        json.dumps(error.value.errors).encode("utf-8")  # the error itself can always be sent
    assert saved_state() == before


# -- the browser -------------------------------------------------------------------------------


@pytest.fixture
def login(db):
    def make(user):
        client = Client()
        client.force_login(user)
        return client

    return make


def escaped(text):
    """``text`` as ASCII bytes in which every other character is a ``\\uXXXX`` escape (raw_unicode_escape)."""
    return "".join(
        char
        if char.isascii() and char != "\\"
        else f"\\u{ord(char):04x}"
        if ord(char) < 0x10000
        else f"\\U{ord(char):08x}"
        for char in str(text)
    ).encode("ascii")


ODD_CHARSET = "raw_unicode_escape"


def odd_charset_post(client, url, data):
    """POST multipart form data declared as raw_unicode_escape, so that ``\\udfff`` decodes to a lone surrogate.

    (Django refuses url-encoded posts in any charset but UTF-8; multipart parts follow the declared one.)
    """
    boundary = "OddCharsetBoundary"
    parts = []
    for key, value in data.items():
        for item in value if isinstance(value, list) else [value]:
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="'.encode()
                + escaped(key)
                + b'"\r\n\r\n'
                + escaped(item)
                + b"\r\n"
            )
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    return client.post(url, body, content_type=f"multipart/form-data; boundary={boundary}; charset={ODD_CHARSET}")


def odd_charset_get(client, url, params):
    query = "&".join(quote_from_bytes(escaped(k)) + "=" + quote_from_bytes(escaped(v)) for k, v in params.items())
    return client.generic("GET", f"{url}?{query}", CONTENT_TYPE=f"text/plain; charset={ODD_CHARSET}")


def send(client, url, data, bad):
    if bad == NUL:
        return client.post(url, data)
    return odd_charset_post(client, url, data)


def assert_form_error(response, bad):
    assert response.status_code == 400, response.status_code
    page = response.content.decode()
    assert ("lone UTF-16 surrogate" in page) if bad != NUL else ("NUL character" in page or "Null characters" in page)


@pytest.mark.parametrize("bad", BAD_TEXT, ids=BAD_IDS)
@pytest.mark.parametrize("field", ["feature_name", "overview.vendor", "overview.purpose", "team"])
def test_the_new_assessment_form_refuses_unstorable_text(people, login, field, bad):
    answers = complete_answers()
    data = form_data(answers, feature_name="Intake helper", team="client-experience")
    data[field_name(field) if "." in field else field] = bad
    before = saved_state()

    response = send(login(people.alice), reverse("assessment_new"), data, bad)

    if field == "team":
        assert response.status_code == 400  # not one of the choices: refused without echoing it
    else:
        assert_form_error(response, bad)
    assert saved_state() == before


@pytest.mark.parametrize("bad", BAD_TEXT, ids=BAD_IDS)
@pytest.mark.parametrize("question", ["overview.vendor", "overview.purpose", "transparency.disclosure_text"])
def test_the_answers_form_refuses_unstorable_text(people, login, question, bad):
    assessment = create_draft(people)
    data = form_data(assessment.answers, base_hash=assessment.content_hash)
    data[field_name(question)] = bad
    before = saved_state()

    response = send(login(people.alice), reverse("assessment_edit", args=[assessment.pk]), data, bad)

    assert_form_error(response, bad)
    assert saved_state() == before
    preview = send(login(people.alice), reverse("assessment_preview", args=[assessment.pk]), data, bad)
    assert preview.status_code == 200


@pytest.mark.parametrize("bad", BAD_TEXT, ids=BAD_IDS)
@pytest.mark.parametrize(
    "data",
    [
        {"comment": "{bad}"},
        {"comment": "Fine", "expected_state": "{bad}"},
        {
            "conditions-TOTAL_FORMS": "1",
            "conditions-INITIAL_FORMS": "0",
            "conditions-0-text": "{bad}",
            "conditions-0-due_date": "2099-01-01",
        },
        {
            "conditions-TOTAL_FORMS": "1",
            "conditions-INITIAL_FORMS": "0",
            "conditions-0-text": "Publish the FAQ",
            "conditions-0-owner": "{bad}",
            "conditions-0-due_date": "2099-01-01",
        },
        {
            "conditions-TOTAL_FORMS": "1",
            "conditions-INITIAL_FORMS": "0",
            "conditions-0-text": "Publish the FAQ",
            "conditions-0-due_date": "{bad}",
        },
        {"conditions-TOTAL_FORMS": "{bad}", "conditions-INITIAL_FORMS": "0"},
    ],
    ids=["comment", "expected_state", "condition-text", "condition-owner", "condition-due_date", "management-form"],
)
def test_the_sign_off_form_refuses_unstorable_text(people, login, data, bad):
    assessment = advance(people, create_draft(people), State.LEGAL_REVIEW)
    data = {key: value.replace("{bad}", bad) for key, value in data.items()}
    before = saved_state()

    response = send(
        login(people.reviewers["legal"]), reverse("assessment_transition", args=[assessment.pk, "approve"]), data, bad
    )

    assert response.status_code == 400
    if "expected_state" not in data and "conditions-0-owner" not in data and "conditions-0-due_date" not in data:
        assert_form_error(response, bad)
    assert saved_state() == before


@pytest.mark.parametrize("bad", BAD_TEXT, ids=BAD_IDS)
def test_marking_a_condition_met_refuses_unstorable_text(people, login, bad):
    assessment = advance(people, create_draft(people), State.LEGAL_REVIEW)
    from .workflow import act

    act(people, assessment, "approve", conditions=[{"text": "Publish the FAQ", "due_date": "2099-01-01"}])
    condition = Condition.objects.get()
    before = saved_state()

    response = send(login(people.alice), reverse("condition_met", args=[condition.pk]), {"evidence": bad}, bad)

    assert_form_error(response, bad)
    assert saved_state() == before
    condition.refresh_from_db()
    assert condition.is_open


@pytest.mark.parametrize("bad", [SURROGATE, HIGH_SURROGATE_THEN_TEXT], ids=BAD_IDS[:2])
@pytest.mark.parametrize(
    ("url", "params"),
    [
        ("/assessments/", {"q": "{bad}"}),
        ("/assessments/", {"state": "{bad}"}),
        ("/assessments/", {"team": "{bad}"}),
        ("/audit/", {"action": "{bad}"}),
        ("/audit/", {"page": "{bad}"}),
        ("/committee/queue/", {"page": "{bad}"}),
        ("/api/v1/assessments/", {"state": "{bad}"}),
        ("/api/v1/assessments/", {"team": "{bad}"}),
        ("/api/v1/assessments/", {"risk_level": "{bad}"}),
        ("/api/v1/assessments/", {"page": "{bad}"}),
    ],
)
def test_query_parameters_with_unstorable_text_are_4xx(people, login, url, params, bad):
    client = login(people.chair)
    response = odd_charset_get(client, url, {k: v.replace("{bad}", bad) for k, v in params.items()})
    # Text filters refuse it (400); a page number or a page the user may not open just answers as usual.
    assert response.status_code == (400 if "page" not in params else response.status_code), response.status_code
    assert response.status_code < 500
    response.content.decode("utf-8")
    if url.startswith("/api/") and response.status_code == 400:
        body = json.loads(response.content)
        assert "surrogate" in body[next(iter(params))]


@pytest.mark.parametrize("bad", BAD_TEXT, ids=BAD_IDS)
@pytest.mark.parametrize("field", ["username", "password"])
def test_the_sign_in_form_refuses_unstorable_text(people, client, field, bad):
    data = {"username": "alice", "password": "wrong"}
    data[field] = bad

    response = send(client, reverse("login"), data, bad)

    assert response.status_code in (200, 400)
    page = response.content.decode()
    assert ("lone UTF-16 surrogate" in page) if bad != NUL else ("NUL" in page or "Null characters" in page)
    assert "_auth_user_id" not in client.session
