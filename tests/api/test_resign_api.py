"""Re-signing in one action after a change request: the carried conditions kept, edited or dropped by id."""

import pytest

from assessments.models import AuditEntry, Condition, SignOff, State
from tests.signing_client import SigningClient

from ..resign import LEGAL_COMMENT, NOTE, change_summary, due_in, ended_by_security

pytestmark = pytest.mark.django_db


def client_for(user):
    client = SigningClient()
    client.force_authenticate(user)
    return client


def post(user, path, body):
    return client_for(user).post(path, body, format="json")


def transition(user, assessment, body):
    return post(user, f"/api/v1/assessments/{assessment.pk}/transitions/", body)


def resubmitted(people):
    assessment = ended_by_security(people)
    change_summary(people, assessment)
    assert transition(people.alice, assessment, {"name": "resubmit"}).status_code == 400
    response = transition(people.alice, assessment, {"name": "resubmit", "comment": NOTE})
    assert response.status_code == 200 and response.json()["state"] == State.LEGAL_REVIEW
    assessment.refresh_from_db()
    return assessment


def carried(assessment):
    return list(Condition.objects.filter(assessment=assessment).order_by("pk"))


def test_legal_re_signs_in_one_action_keeping_its_conditions(people):
    assessment = resubmitted(people)
    listed = client_for(people.reviewers["legal"]).get(f"/api/v1/assessments/{assessment.pk}/conditions/").json()
    assert [c["status"] for c in listed] == ["proposed", "proposed"]
    retention, logs = carried(assessment)

    response = transition(
        people.reviewers["legal"],
        assessment,
        {
            "name": "approve",
            "comment": LEGAL_COMMENT,
            "carried_conditions": [{"id": retention.pk, "action": "keep"}, {"id": logs.pk, "action": "keep"}],
        },
    )
    assert response.status_code == 200, response.json()
    assert response.json()["state"] == State.SECURITY_REVIEW
    assessment.refresh_from_db()
    sign_off = SignOff.objects.get(assessment=assessment, review_round=2, stage="legal")
    # A new signed entry, bound to the new content.
    assert sign_off.content_hash == assessment.content_hash
    assert (
        sign_off.content_hash != SignOff.objects.get(assessment=assessment, review_round=1, stage="legal").content_hash
    )
    assert [(c.status, c.sign_off_id) for c in carried(assessment)] == [("open", sign_off.pk)] * 2
    entry = AuditEntry.objects.get(assessment=assessment, transition="approve", details__review_round=2)
    assert entry.details["kept_conditions"] == [retention.pk, logs.pk]


def test_an_approval_edits_and_drops_carried_conditions_each_in_the_audit_log(people):
    assessment = resubmitted(people)
    retention, logs = carried(assessment)
    response = transition(
        people.reviewers["legal"],
        assessment,
        {
            "name": "approve",
            "carried_conditions": [
                {"id": retention.pk, "action": "edit", "text": "Publish the retention schedule on the wiki."},
                {"id": logs.pk, "action": "drop", "comment": "The notes are no longer deleted."},
            ],
        },
    )
    assert response.status_code == 200, response.json()
    retention.refresh_from_db()
    logs.refresh_from_db()
    assert (retention.status, retention.text, retention.before_launch) == (
        "open",
        "Publish the retention schedule on the wiki.",
        True,
    )
    assert logs.status == "dropped" and logs.review_comment == "The notes are no longer deleted."
    edited = AuditEntry.objects.get(assessment=assessment, action="condition_edited")
    assert edited.details["previous"] == {"text": "Publish the retention schedule."}
    assert edited.seq < AuditEntry.objects.get(assessment=assessment, action="condition_dropped").seq
    assert AuditEntry.objects.filter(assessment=assessment, transition="approve").last().seq > edited.seq


@pytest.mark.parametrize(
    ("decision", "field"),
    [
        ({"id": 999999, "action": "keep"}, "carried_conditions[1]"),
        ({"id": None, "action": "keep"}, "carried_conditions[1]"),
        ({"id": "first", "action": "drop"}, "carried_conditions[1]"),
        ({"action": "burn"}, "carried_conditions[1]"),
        ({"action": "edit", "due_date": "2001-01-01"}, "carried_conditions[1]"),
        ({"action": "edit", "owner": "nobody-here"}, "carried_conditions[1]"),
        ({"action": "edit", "text": "   "}, "carried_conditions[1]"),
    ],
)
def test_bad_decisions_on_carried_conditions_are_a_400_and_change_nothing(people, decision, field):
    assessment = resubmitted(people)
    retention, _ = carried(assessment)
    item = {key: value for key, value in {"id": retention.pk, **decision}.items() if value is not None}
    body = {"name": "approve", "carried_conditions": [item]}
    response = transition(people.reviewers["legal"], assessment, body)
    assert response.status_code == 400, response.json()
    assert field in response.json(), response.json()
    assessment.refresh_from_db()
    assert assessment.state == State.LEGAL_REVIEW
    assert [c.status for c in carried(assessment)] == ["proposed", "proposed"]


def test_a_condition_named_twice_is_a_400(people):
    assessment = resubmitted(people)
    retention, _ = carried(assessment)
    body = {"name": "approve", "carried_conditions": [{"id": retention.pk, "action": "keep"}] * 2}
    response = transition(people.reviewers["legal"], assessment, body)
    assert response.status_code == 400 and "carried_conditions[2]" in response.json()


def test_only_an_approval_decides_on_carried_conditions(people):
    assessment = resubmitted(people)
    retention, _ = carried(assessment)
    body = {
        "name": "request_changes",
        "comment": "More.",
        "carried_conditions": [{"id": retention.pk, "action": "drop"}],
    }
    assert transition(people.reviewers["legal"], assessment, body).status_code == 400
    assert [c.status for c in carried(assessment)] == ["proposed", "proposed"]


def test_another_stage_cannot_decide_on_legals_conditions(people):
    assessment = resubmitted(people)
    retention, _ = carried(assessment)
    # Legal signs (keeping its conditions); at Security's stage, Legal's conditions are not Security's to name.
    assert transition(people.reviewers["legal"], assessment, {"name": "approve"}).status_code == 200
    body = {"name": "approve", "carried_conditions": [{"id": retention.pk, "action": "drop"}]}
    response = transition(people.reviewers["security"], assessment, body)
    assert response.status_code == 400 and "carried_conditions[1]" in response.json()


def test_the_setting_domain_drops_or_edits_a_carried_condition_with_its_own_endpoint(people):
    assessment = resubmitted(people)
    retention, logs = carried(assessment)
    base = f"/api/v1/assessments/{assessment.pk}/conditions"
    legal = people.reviewers["legal"]
    # Denials first: the team (403), another domain (403), no reason given (400).
    assert post(people.alice, f"{base}/{logs.pk}/drop/", {"comment": "No."}).status_code == 403
    assert post(people.reviewers["security"], f"{base}/{logs.pk}/drop/", {"comment": "No."}).status_code == 403
    assert post(people.alice, f"{base}/{logs.pk}/edit/", {"text": "Mine."}).status_code == 403
    assert post(legal, f"{base}/{logs.pk}/drop/", {}).status_code == 400
    assert post(legal, f"{base}/{logs.pk}/edit/", {"due_date": "2001-01-01"}).status_code == 400
    assert post(legal, f"{base}/999999/drop/", {"comment": "x"}).status_code == 404

    response = post(legal, f"{base}/{logs.pk}/edit/", {"due_date": due_in(60), "comment": "More time."})
    assert response.status_code == 200 and response.json()["status"] == "proposed"
    assert response.json()["due_date"] == due_in(60)
    response = post(legal, f"{base}/{retention.pk}/drop/", {"comment": "Published already."})
    assert response.status_code == 200 and response.json()["status"] == "dropped"
    actions = list(
        AuditEntry.objects.filter(assessment=assessment, action__startswith="condition_").values_list("action", "actor")
    )
    assert actions == [("condition_edited", legal.pk), ("condition_dropped", legal.pk)]
    # A dropped condition is no longer carried: dropping it again is a conflict.
    assert post(legal, f"{base}/{retention.pk}/drop/", {"comment": "Again."}).status_code == 409


def test_a_carried_condition_is_decided_only_at_its_domains_stage(people):
    assessment = resubmitted(people)
    _, logs = carried(assessment)
    assert transition(people.reviewers["legal"], assessment, {"name": "approve"}).status_code == 200
    base = f"/api/v1/assessments/{assessment.pk}/conditions"
    # Kept by the sign-off: open now, no longer carried.
    assert post(people.reviewers["legal"], f"{base}/{logs.pk}/drop/", {"comment": "Late."}).status_code == 409
