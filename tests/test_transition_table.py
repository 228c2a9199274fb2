"""The transition table is declared once, on the model; everything reads it; each transition is announced."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from assessments import transitions
from assessments.models import Assessment, AuditEntry, State
from assessments.signals import assessment_transitioned

from .workflow import act, advance, create_draft

ROOT = Path(settings.BASE_DIR)


def test_every_transition_declares_what_the_rest_of_the_system_reads():
    table = transitions.table()
    assert list(table) == [
        "submit",
        "resubmit",
        "approve",
        "request_changes",
        "reject",
        "withdraw",
        "launch",
        "start_reassessment",
        "bias_reassessment",
        "retire",
        "supersede",
    ]
    for spec in table.values():
        assert spec.label and spec.verb and spec.done and spec.actor in ("team", "reviewer", "system")
        assert spec.sources and all(source in State.values for source in spec.sources)
    assert [n for n, s in table.items() if s.comment_required] == ["resubmit", "request_changes", "reject"]
    assert [n for n, s in table.items() if s.takes_conditions] == ["approve"]
    assert "supersede" not in transitions.user_transitions()
    assert "bias_reassessment" not in transitions.user_transitions()


def test_the_api_schema_enumerates_the_table(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    components = schema["components"]["schemas"]
    body = schema["paths"]["/api/v1/assessments/{id}/transitions/"]["post"]["requestBody"]["content"]
    request = body["application/json"]["schema"]
    shapes = request.get("oneOf") or components[request["$ref"].rsplit("/", 1)[1]]["oneOf"]
    named = []
    for shape in shapes:
        name = components[shape["$ref"].rsplit("/", 1)[1]]["properties"]["name"]
        named += name.get("enum") or components[name["$ref"].rsplit("/", 1)[1]]["enum"]
    # One request shape per kind of transition, together naming every transition people take, once.
    assert sorted(named) == sorted(transitions.names_for_users())


def test_no_transition_names_are_dispatched_on_outside_the_table():
    pattern = re.compile(r"name (==|in) \(?\"(submit|approve|reject)")
    offenders = []
    for app in ("assessments", "committee", "reports"):
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for number, line in enumerate(path.read_text().splitlines(), start=1):
                if pattern.search(line):
                    offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == []


@pytest.fixture
def announcements():
    heard = []

    def receiver(**kwargs):
        heard.append({**kwargs, "in_transaction": connection.in_atomic_block})

    assessment_transitioned.connect(receiver, dispatch_uid="test-announcements")
    yield heard
    assessment_transitioned.disconnect(dispatch_uid="test-announcements")


@pytest.mark.django_db(transaction=True)
def test_each_transition_is_announced_once_inside_its_transaction(people, announcements):
    # transaction=True: no test transaction around it, so "inside a transaction" means the service's own.
    assessment = act(people, create_draft(people), "submit")
    moved = act(people, assessment, "approve", comment="Fine.")

    assert [h["transition"] for h in announcements] == ["submit", "approve"]
    approval = announcements[1]
    assert approval["in_transaction"] is True
    assert approval["assessment"].pk == assessment.pk and approval["assessment"].state == State.SECURITY_REVIEW
    assert (approval["from_state"], approval["to_state"]) == (State.LEGAL_REVIEW, State.SECURITY_REVIEW)
    assert approval["actor"] == people.reviewers["legal"]
    assert approval["comment"] == "Fine."
    assert approval["sign_off"].stage == "legal" and approval["sign_off"].reviewer == people.reviewers["legal"]
    assert approval["audit_entry"] == AuditEntry.objects.filter(assessment_id=moved.pk).last()


def test_superseding_is_announced_too(people, announcements):
    advance(people, create_draft(people), State.SUPERSEDED)
    assert "supersede" in [h["transition"] for h in announcements]


@pytest.mark.django_db(transaction=True)
def test_a_failing_receiver_undoes_the_whole_transition(people):
    assessment = create_draft(people)
    rows = AuditEntry.objects.count()

    def broken(**kwargs):
        raise RuntimeError("the notice could not be written")

    assessment_transitioned.connect(broken, dispatch_uid="test-broken")
    try:
        with pytest.raises(RuntimeError):
            act(people, assessment, "submit")
    finally:
        assessment_transitioned.disconnect(dispatch_uid="test-broken")
    assert Assessment.objects.get(pk=assessment.pk).state == State.DRAFT
    assert AuditEntry.objects.count() == rows


def test_the_declared_permission_is_the_check_the_services_make(people):
    """Who may act is stated once, as the declaration's permission=: replacing approve's refuses the reviewer."""
    from assessments import services
    from assessments.errors import NotPermitted
    from assessments.permissions import Denial, Permission

    assessment = advance(people, create_draft(people), State.LEGAL_REVIEW)
    declared = list(Assessment.approve._django_fsm.transitions.values())
    originals = [t.permission for t in declared]
    closed = Permission("reviewer", lambda user, assessment: Denial("closed", "Nobody signs off today.", 403))
    try:
        for t in declared:
            t.permission = closed
        transitions.table.cache_clear()
        with pytest.raises(NotPermitted, match="Nobody signs off today."):
            services.assessment_transition(assessment=assessment, name="approve", by=people.reviewers["legal"])
    finally:
        for t, original in zip(declared, originals, strict=True):
            t.permission = original
        transitions.table.cache_clear()
    assert act(people, assessment, "approve").state == State.SECURITY_REVIEW


def test_a_permission_that_is_not_a_permission_object_is_refused_by_name():
    declared = list(Assessment.approve._django_fsm.transitions.values())
    originals = [t.permission for t in declared]
    try:
        for t in declared:
            t.permission = lambda assessment, user: True
        transitions.table.cache_clear()
        with pytest.raises(TypeError, match="Assessment.approve: permission= must be"):
            transitions.table()
    finally:
        for t, original in zip(declared, originals, strict=True):
            t.permission = original
        transitions.table.cache_clear()
