"""Schemathesis against the live OpenAPI schema: the API is what its schema says, in both directions.

Every response is checked: no server error, a documented status, content type,
headers and body (response schema conformance); every request the schema calls
valid is accepted (positive_data_acceptance: never a 400), and every request it
calls invalid is refused (negative_data_rejection). Two runs, from fixed seeds:

- per operation, MAX_EXAMPLES cases, valid and invalid mixed, as alice with a
  token, with path ids drawn partly from real assessments in several states, so
  the fuzzing reaches the services and not only the 404s;
- stateful: scenarios start by creating an assessment and follow the schema's
  links from each response (edit answers, add bias evidence, take a transition,
  list the transitions one may take and take the first), each request sent by
  the person whose move it is (the stage's reviewer for a decision, else the
  team). Each scenario runs in a savepoint rolled back after it, and
  hypothesis's targeting favours scenarios that leave an assessment further
  through the review; short suites from successive seeds run until approvals
  have happened (at least MIN_SUITES, at most MAX_SUITES).

Throttles and log-in limits are off for the fuzzing client; rates are tested
elsewhere. The test prints what it sent and what came back (cases per operation,
status codes, states reached, transitions by outcome), so a reader can see what
was reached.

Some values the schema cannot express are grounded in valid cases, because they
name things in the database: a team must be one of the caller's (the API's 400
for any other is tested in test_assessments_api.py), credentials must be a real
user's, a condition's owner must be in the team and its due date not past (a carried condition's edit too; the ids of
carried conditions an approval names are left out), a list cursor must be one the server
could have written (any other is a 400, tested in test_cursor_pagination.py), and an exclusive choice
("Internal staff only") stands alone in its answer. A bias upload's file is not grounded: the schema
declares it a CSV file (binary, text/csv) and tests/api/schemathesis_hooks.py tells schemathesis how to make
one, as it tells the command line (a file the fuzzer sends as a URL string would fail positive_data_acceptance
because of the schema; that is checked in ``ground``). In
the stateful run most new drafts get a complete set of answers, and some edits
and uploads a complete set of answers or bias evidence, which random data
practically never is, so that submit and Data/AI approval can pass.

It drives schemathesis's Python API (``APIOperation.as_strategy`` under
``hypothesis.given``, and the schema's state machine) rather than
``schemathesis.pytest.from_fixture``: with the pinned pytest 9.2 that
integration fails on ``Function._nodeid``, which pytest renamed. The state
machine is adjusted in three documented places that depend on the pinned
schemathesis 4.32.5 (its link-following probabilities, its root rules).
"""

import time
import zlib
from collections import Counter, defaultdict
from datetime import date, timedelta

import hypothesis
import pytest
import schemathesis
import schemathesis.specs.openapi.stateful
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.utils import timezone
from hypothesis import HealthCheck
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    positive_data_acceptance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.tokens import token_create
from assessments import services, transitions
from assessments.api.pagination import Position
from assessments.models import STATE_STAGE, Assessment, State
from assessments.questionnaire import current_questionnaire
from tests.answers import complete_answers
from tests.factories import PASSWORD, make_people
from tests.workflow import advance, bias_rows, create_draft

from . import schemathesis_hooks  # noqa: F401 (registers how to make a text/csv file for the bias upload)

MAX_EXAMPLES = 300
SCENARIOS_PER_SUITE = 20
STATEFUL_STEPS = 30
MIN_SUITES = 3
MAX_SUITES = 6
SEED = 20261127
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    positive_data_acceptance,
    negative_data_rejection,
]
OPERATIONS = [
    ("POST", "/api/v1/auth/token/"),
    ("GET", "/api/v1/auth/tokens/"),
    ("DELETE", "/api/v1/auth/tokens/{id}/"),
    ("GET", "/api/v1/questionnaire/"),
    ("GET", "/api/v1/assessments/"),
    ("POST", "/api/v1/assessments/"),
    ("GET", "/api/v1/assessments/{id}/"),
    ("PATCH", "/api/v1/assessments/{id}/"),
    ("GET", "/api/v1/assessments/{id}/transitions/"),
    ("POST", "/api/v1/assessments/{id}/transitions/"),
    ("GET", "/api/v1/assessments/{id}/bias-results/"),
    ("POST", "/api/v1/assessments/{id}/bias-results/"),
    ("GET", "/api/v1/assessments/{id}/bias-justifications/"),
    ("POST", "/api/v1/assessments/{id}/bias-justifications/"),
    ("GET", "/api/v1/assessments/{id}/bias-mitigations/"),
    ("POST", "/api/v1/assessments/{id}/bias-mitigations/"),
    ("GET", "/api/v1/assessments/{id}/bias-flags/"),
    ("GET", "/api/v1/assessments/{id}/coverage/"),
    ("GET", "/api/v1/assessments/{id}/comments/"),
    ("POST", "/api/v1/assessments/{id}/comments/"),
    ("GET", "/api/v1/assessments/{id}/conditions/"),
    ("POST", "/api/v1/assessments/{id}/conditions/{cid}/met/"),
    ("POST", "/api/v1/assessments/{id}/conditions/{cid}/confirm/"),
    ("POST", "/api/v1/assessments/{id}/conditions/{cid}/reopen/"),
    ("POST", "/api/v1/assessments/{id}/conditions/{cid}/drop/"),
    ("POST", "/api/v1/assessments/{id}/conditions/{cid}/edit/"),
    ("GET", "/api/v1/assessments/{id}/conditions/{cid}/evidence/{sha256}/"),
    ("GET", "/api/v1/notices/"),
    ("POST", "/api/v1/notices/{id}/read/"),
    ("GET", "/api/v1/assessments/{id}/dossier.pdf"),
    ("POST", "/api/v1/dossiers/verify/"),
    ("GET", "/api/v1/register/"),
]
# Each request of these renders or checks a PDF (a second or more): fewer examples keep the suite fast.
# The register takes no input at all: the fuzzer can only make a few distinct requests of it.
EXAMPLES = {
    ("GET", "/api/v1/assessments/{id}/dossier.pdf"): 12,
    ("POST", "/api/v1/dossiers/verify/"): 60,
    ("GET", "/api/v1/register/"): 1,
    ("GET", "/api/v1/auth/tokens/"): 10,
    ("DELETE", "/api/v1/auth/tokens/{id}/"): 20,
}
# The uploads (the dossier to verify, a bias CSV) are one binary multipart field each: schemathesis cannot make a
# file invalid, and its "negative" multipart cases come out as valid uploads ("Invalid component: positive test
# case"), so only that check is left out for multipart cases. The endpoints' own refusals (no file, an empty one,
# other fields, query parameters, too large, a bad CSV) are tested in tests/reports/test_dossier_api.py and
# tests/api/test_bias_uploads_api.py.
MULTIPART_CHECKS = [c for c in CHECKS if c is not negative_data_rejection]


def checks_for(case):
    return MULTIPART_CHECKS if case.media_type == "multipart/form-data" else CHECKS


TEAM = "client-experience"
ROOT = "POST /api/v1/assessments/"
DECISIONS = tuple(n for n, spec in transitions.user_transitions().items() if spec.actor == "reviewer")
# How far through the review an assessment is, for hypothesis's targeting: each sign-off takes it further.
PROGRESS = {
    State.DRAFT: 0,
    State.CHANGES_REQUESTED: 1,
    State.LEGAL_REVIEW: 2,
    State.SECURITY_REVIEW: 3,
    State.CLINICAL_REVIEW: 4,
    State.PRODUCT_REVIEW: 5,
    State.DATA_AI_REVIEW: 6,
    State.APPROVED: 7,
    State.LAUNCHED: 8,
}


class Statistics:
    """What the fuzzer sent and what came back, printed at the end of each run."""

    def __init__(self, title):
        self.title = title
        self.statuses = defaultdict(Counter)  # operation -> status -> count
        self.transitions = defaultdict(Counter)  # transition name -> status -> count
        self.states = Counter()  # state -> successful responses that left an assessment in it
        self.started = time.monotonic()

    def record(self, case, response):
        self.statuses[f"{case.method} {case.operation.path}"][response.status_code] += 1
        if case.operation.path.endswith("/transitions/") and case.method == "POST":
            name = case.body.get("name") if isinstance(case.body, dict) else None
            known = isinstance(name, str) and transitions.get(name) is not None
            self.transitions[name if known else "(not a transition)"][response.status_code] += 1

    def record_state(self, response):
        content_type = (response.headers.get("content-type") or response.headers.get("Content-Type") or [""])[0]
        if response.status_code in (200, 201) and content_type.startswith("application/json"):
            body = response.json()
            if isinstance(body, dict) and "state" in body:
                self.states[body["state"]] += 1

    def count(self, operation, status):
        return self.statuses[operation][status]

    def report(self):
        lines = ["", f"schemathesis, {self.title}: {time.monotonic() - self.started:.1f} s"]
        for operation in sorted(self.statuses):
            codes = self.statuses[operation]
            seen = ", ".join(f"{code}: {n}" for code, n in sorted(codes.items()))
            lines.append(f"  {operation:<45} {sum(codes.values()):>5} cases  ({seen})")
        if self.states:
            reached = ", ".join(f"{state}: {n}" for state, n in self.states.most_common())
            lines.append(f"  assessments answered in state: {reached}")
        if self.transitions:
            lines.append("  POST /transitions/ by transition:")
            for name in sorted(self.transitions):
                seen = ", ".join(f"{code}: {n}" for code, n in sorted(self.transitions[name].items()))
                lines.append(f"    {name:<22} {seen}")
        return "\n".join(lines)


@pytest.fixture
def api_schema(db, settings):
    # The fuzzer sends thousands of requests from one user and address: no throttles, no log-in limits.
    settings.API_THROTTLE_RATES = {"api_token": None, "api_read": None, "api_write": None}
    settings.DOSSIER_VERIFY_RATE = None
    settings.DOSSIER_DRAFT_RENDER_RATE = 0
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = None
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
def print_statistics(capsys):
    def show(statistics):
        with capsys.disabled():
            print(statistics.report())

    return show


def people_tokens(people):
    """An API token per person who acts in the workflow."""
    users = {"alice": people.alice, **people.reviewers}
    return {name: token_create(user=user).key for name, user in users.items()}


@pytest.fixture
def tokens(people):
    return people_tokens(people)


def is_positive(case):
    return case.meta is not None and case.meta.generation.mode.is_positive


def sometimes(case, percent):
    """A choice that is the same every time this case is replayed: hypothesis needs the run to be repeatable."""
    return zlib.crc32(repr((case.operation.label, case.body)).encode()) % 100 < percent


def exclusive_choices_alone(answers):
    """Drop an exclusive choice picked with others (the rule the server keeps and the schema cannot state)."""
    questions = current_questionnaire().questions
    grounded = dict(answers)
    for qid, value in answers.items():
        question = questions.get(qid)
        if question is None or not question.exclusive_values or not isinstance(value, list):
            continue
        if len(set(value)) > 1:
            grounded[qid] = [v for v in value if v not in question.exclusive_values]
    return grounded


def ground(case, complete_sets=False):
    """Put real values where a valid request must name something in the database (see the module docstring).

    With ``complete_sets``, some drafts get a complete set of answers and some uploads a complete set of bias
    evidence, so that the workflow can move on.
    """
    if not is_positive(case):
        return
    if case.operation.path == "/api/v1/assessments/" and case.method == "GET" and case.query and "cursor" in case.query:
        # A cursor is what the server wrote, never any string of its alphabet: one it could have written.
        position = Position(timezone.now(), 1 + zlib.crc32(repr(case.query).encode()) % 50, sometimes(case, 50))
        case.query = {**case.query, "cursor": position.encode()}
    if not isinstance(case.body, dict):
        return
    path, body = case.operation.path, dict(case.body)
    if path.endswith("/transitions/"):
        # Carried conditions are named by the ids of proposed rows: none to name here (400s: test_resign_api.py).
        body.pop("carried_conditions", None)
    if isinstance(body.get("answers"), dict):
        body["answers"] = exclusive_choices_alone(body["answers"])
    if path.endswith("/transitions/") and getattr(transitions.get(body.get("name")), "signs", False):
        # A signing act carries the signer's password (accounts/reauth.py): the test users' known one.
        body["password"] = PASSWORD
    if path == "/api/v1/auth/token/":
        body.update(username="alice", password=PASSWORD)
    elif path == "/api/v1/assessments/":
        body["team"] = TEAM
        if complete_sets and sometimes(case, 80):
            body["answers"] = complete_answers()
    elif path == "/api/v1/assessments/{id}/" and complete_sets and sometimes(case, 50):
        body["answers"] = complete_answers()
    elif path.endswith("/transitions/") and isinstance(body.get("conditions"), list):
        body["conditions"] = [{**due(c), "owner": "alice"} for c in body["conditions"]]
    elif path.endswith("/edit/"):
        # A carried condition's edit names its owner and due date as a new condition does.
        body = {**(due(body) if "due_date" in body or "before_launch" in body else body)}
        if "owner" in body:
            body["owner"] = "alice"
    elif path.endswith("/bias-justifications/"):
        # Only a dimension the approval requires can be justified, and a note has words.
        body.update(dimension="race", text="Not collected: inferring it would itself be a harm.")
    elif path.endswith("/bias-mitigations/"):
        body["text"] = "Recalibrated per group; re-measured monthly."
    elif path.endswith("/bias-results/") and case.media_type == "multipart/form-data":
        # Nothing to ground: the schema says a CSV file (format binary, encoding text/csv), and the strategy
        # registered for text/csv in schemathesis_hooks makes one. A URL string here would be the schema's fault.
        assert isinstance(body.get("file"), bytes) and body["file"].startswith(b"dimension,"), body
    elif path.endswith("/bias-results/") and complete_sets and sometimes(case, 30):
        body = {"rows": bias_rows()}
    case.body = body


def due(condition):
    """Due before launch, or by a date from tomorrow on: exactly one of the two, as the service asks."""
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    if condition.get("before_launch") is True:
        return {k: v for k, v in condition.items() if k != "due_date"}
    return {**condition, "due_date": max(condition.get("due_date") or tomorrow, tomorrow)}


# -- each operation on its own --------------------------------------------------------------------


@pytest.fixture(scope="module")
def operation_world(module_db):
    """The people, their tokens and real assessments in several states (one of another team), for ids the
    fuzzer may pick: made once for the runs per operation, each of which starts from them (what a run writes is
    rolled back after it)."""

    def make():
        people = make_people()
        ids = [
            create_draft(people).pk,
            advance(people, create_draft(people), State.LEGAL_REVIEW).pk,
            advance(people, create_draft(people), State.CHANGES_REQUESTED).pk,
            advance(people, create_draft(people), State.APPROVED).pk,
            services.assessment_create(team=people.other_team, feature_name="Growth", answers={}, by=people.olga).pk,
        ]
        return people_tokens(people), ids

    return module_db(make)


def test_the_fuzzed_operations_are_all_the_schema_has(api_schema):
    documented = {
        (method.upper(), path) for path, operations in api_schema.raw_schema["paths"].items() for method in operations
    }

    assert documented == set(OPERATIONS)


@pytest.mark.parametrize("method, path", OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_each_operation_conforms_to_its_schema(api_schema, operation_world, print_statistics, method, path):
    tokens, assessment_ids = operation_world
    operation = api_schema[path][method]
    statistics = Statistics(f"{method} {path}, {MAX_EXAMPLES} examples")
    cases = st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),
    )

    @hypothesis.given(case=cases, real_id=st.sampled_from([*assessment_ids, None]))
    @hypothesis.seed(SEED)
    @hypothesis.settings(
        max_examples=EXAMPLES.get((method, path), MAX_EXAMPLES),
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def check(case, real_id):
        if real_id is not None and "id" in (case.path_parameters or {}):
            case.path_parameters["id"] = real_id
        ground(case)
        response = case.call(headers={"Authorization": f"Token {tokens['alice']}"})
        statistics.record(case, response)
        case.validate_response(response, checks=checks_for(case))

    check()
    print_statistics(statistics)
    assert sum(statistics.statuses[f"{method} {path}"].values()) >= EXAMPLES.get((method, path), MAX_EXAMPLES)


# -- chained through the schema's links -------------------------------------------------------------


def acting_token(case, tokens):
    """Whose move it is: at a review stage, that stage's reviewer lists the transitions and decides; else the team."""
    if not case.operation.path.endswith("/transitions/"):
        return tokens["alice"]
    name = case.body.get("name") if isinstance(case.body, dict) else None
    if case.method == "POST" and name not in DECISIONS:
        return tokens["alice"]
    pk = (case.path_parameters or {}).get("id")
    state = Assessment.objects.filter(pk=pk).values_list("state", flat=True).first() if isinstance(pk, int) else None
    return tokens[STATE_STAGE[state]] if state in STATE_STAGE else tokens["alice"]


def starting_from_creation(machine):
    """The schema's state machine with creating an assessment as the only way to start a scenario.

    (schemathesis also starts from every other POST, with random ids: 404s, which the run per operation covers
    already, spending the scenarios' steps.)
    """
    root = "RANDOM__POST_api_v1_assessments_"  # schemathesis's name for the rule that creates at random
    assert root in machine.root_rules, machine.root_rules
    others = {name: None for name in machine.root_rules if name != root}  # shadowed: no longer rules
    return type(
        "FromCreation", (machine,), {**others, "root_rules": frozenset({root}), "_root_labels": frozenset({ROOT})}
    )


def test_chained_operations_conform_and_reach_submissions_approvals_and_evidence(
    api_schema, people, tokens, print_statistics, monkeypatch
):
    # Always follow a link's values: schemathesis otherwise sometimes draws fresh ones, with true randomness
    # outside hypothesis's control, which makes a scenario answer differently when hypothesis replays it.
    monkeypatch.setattr(schemathesis.specs.openapi.stateful, "BASE_EXPLORATION_RATE", 0.0)
    monkeypatch.setattr(schemathesis.specs.openapi.stateful, "DEFAULT_USE_PROBABILITY", 1.0)
    statistics = Statistics(f"stateful, suites of {SCENARIOS_PER_SUITE} scenarios of up to {STATEFUL_STEPS} steps")

    # The assessments made for the runs per operation (operation_world), there when this test runs after them
    # in the same process, are not this run's: its scenarios are judged by the assessments they make.
    before = set(Assessment.objects.values_list("pk", flat=True))

    class Workflow(starting_from_creation(api_schema.as_state_machine())):
        # Each scenario starts from the same database (a savepoint, rolled back after it), so that hypothesis,
        # which replays and varies scenarios, sees the same answers to the same requests.
        def setup(self):
            self.savepoint = transaction.savepoint()

        def teardown(self):
            # Guide hypothesis towards scenarios that leave an assessment further through the review (a rejected
            # or withdrawn one counts for nothing: its scenario went nowhere).
            states = Assessment.objects.exclude(pk__in=before).values_list("state", flat=True)
            hypothesis.target(float(max((PROGRESS.get(state, 0) for state in states), default=0)), label="progress")
            transaction.savepoint_rollback(self.savepoint)
            super().teardown()

        def before_call(self, case):
            ground(case, complete_sets=True)

        def get_call_kwargs(self, case):
            return {"headers": {"Authorization": f"Token {acting_token(case, tokens)}"}}

        def call(self, case, **kwargs):
            response = case.call(**kwargs)
            statistics.record(case, response)
            statistics.record_state(response)
            return response

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            case.validate_response(
                response, checks=checks_for(case), transport_kwargs=kwargs or None, recorder=self.recorder
            )

    # Several short suites from successive seeds, each a search of its own (hypothesis's targeting climbs
    # from wherever its suite starts), until the workflow has been reached or the budget is spent.
    for suite in range(MAX_SUITES):
        hypothesis.seed(SEED + suite)(Workflow).run(
            settings=hypothesis.settings(
                max_examples=SCENARIOS_PER_SUITE,
                stateful_step_count=STATEFUL_STEPS,
                phases=[hypothesis.Phase.generate, hypothesis.Phase.target],
                deadline=None,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
        )
        if suite + 1 >= MIN_SUITES and statistics.transitions["approve"][200]:
            break
    statistics.title += f" ({suite + 1} suites)"
    print_statistics(statistics)

    # The links were followed into the workflow: drafts created, edited, evidenced, submitted and approved.
    assert statistics.count("POST /api/v1/assessments/", 201) > 0
    assert statistics.count("PATCH /api/v1/assessments/{id}/", 200) > 0
    assert statistics.count("POST /api/v1/assessments/{id}/bias-results/", 201) > 0
    assert statistics.transitions["submit"][200] > 0
    assert statistics.transitions["approve"][200] > 0
