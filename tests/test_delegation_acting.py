"""Every action of a delegate says for whom they acted: the audit entry records the delegation, and the timeline,
the audit rows, the comments and the dossier show "acting for <domain>, delegated by <chair> until <date>"."""

from datetime import UTC, timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from accounts import roles
from assessments import conditions, services
from assessments.audit import audit_verify
from assessments.errors import NotPermitted
from assessments.models import AuditEntry, State
from reports.dossier import dossier_record, record_html

from .workflow import act, advance, create_draft, delegate

QUESTION = "overview.audience"


def shown(delegation):
    until = delegation.ends_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    label = roles.DOMAIN_LABELS[delegation.domain]
    return f"acting for {label}, delegated by chair until {until}"


def recorded(delegation):
    return {
        "id": delegation.pk,
        "domain": delegation.domain,
        "delegated_by": "chair",
        "until": delegation.ends_at.astimezone(UTC).isoformat(),
    }


def page(user, url):
    client = Client()
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


@pytest.fixture
def at_security(people):
    return advance(people, create_draft(people), State.SECURITY_REVIEW)


def test_a_delegates_comment_and_decision_record_the_delegation_and_every_page_shows_it(people, at_security):
    clinical = people.reviewers[roles.CLINICAL]
    delegation = delegate(people, clinical)

    comment = services.question_comment_add(assessment=at_security, question=QUESTION, text="Who sees it?", by=clinical)
    changed = act(people, at_security, "request_changes", by=clinical)

    commented = AuditEntry.objects.get(action="question_comment", details__comment_id=comment.pk)
    decided = AuditEntry.objects.filter(transition="request_changes").latest("seq")
    assert commented.details["acting_for"] == recorded(delegation)
    assert decided.details["acting_for"] == recorded(delegation)
    assert changed.sign_offs.get(stage=roles.SECURITY).delegation == delegation
    text = shown(delegation)
    detail = page(people.chair, reverse("assessment_detail", args=[changed.pk]))
    # The comment's heading, the comment's timeline row and the decision's.
    assert detail.count(text) >= 3
    assert text in page(people.auditor, reverse("audit_trail"))
    assert text in page(people.auditor, reverse("reports_assessment", args=[changed.pk]))
    html = record_html(dossier_record(changed))
    assert html.count(text) >= 3  # the comment, and its and the decision's history rows
    assert audit_verify().ok


def test_the_domains_own_reviewer_records_no_delegation(people, at_security):
    delegate(people, people.reviewers[roles.CLINICAL])

    services.question_comment_add(
        assessment=at_security, question=QUESTION, text="Fine.", by=people.reviewers[roles.SECURITY]
    )
    moved = act(people, at_security, "approve")

    assert not AuditEntry.objects.filter(details__has_key="acting_for").exists()
    assert "acting for" not in page(people.chair, reverse("assessment_detail", args=[moved.pk]))


@pytest.fixture
def awaiting_confirmation(people):
    """Approved with a Security condition, which the team marked met."""
    assessment = advance(people, create_draft(people), State.SECURITY_REVIEW)
    assessment = act(people, assessment, "approve", conditions=[{"text": "Pen test.", "before_launch": True}])
    assessment = advance(people, assessment, State.APPROVED)
    condition = assessment.conditions.get()
    return conditions.condition_mark_met(condition=condition, by=people.alice, evidence="Report attached.")


@pytest.mark.parametrize("step", ["confirm", "reopen"])
def test_the_delegate_confirms_or_reopens_the_domains_condition_and_says_for_whom(people, awaiting_confirmation, step):
    clinical = people.reviewers[roles.CLINICAL]
    condition = awaiting_confirmation
    service = getattr(conditions, f"condition_{step}")
    with pytest.raises(NotPermitted):
        service(condition=condition, by=clinical, comment="Not enough.")
    delegation = delegate(people, clinical)

    service(condition=condition, by=clinical, comment="Not enough.")

    entry = AuditEntry.objects.filter(action__startswith="condition_").latest("seq")
    assert entry.action == ("condition_confirmed" if step == "confirm" else "condition_reopened")
    assert entry.details["acting_for"] == recorded(delegation)
    assert shown(delegation) in page(people.chair, reverse("assessment_detail", args=[condition.assessment_id]))


def test_an_expired_delegate_no_longer_confirms_conditions(people, awaiting_confirmation):
    delegation = delegate(people, people.reviewers[roles.CLINICAL], days=1)

    with time_machine.travel(delegation.ends_at, tick=False), pytest.raises(NotPermitted):
        conditions.condition_confirm(condition=awaiting_confirmation, by=people.reviewers[roles.CLINICAL])


def test_the_chair_confirming_records_no_delegation_even_when_delegated_the_domain(people, awaiting_confirmation):
    delegate(people, people.chair)  # the chair confirms as the chair
    conditions.condition_confirm(condition=awaiting_confirmation, by=people.chair)
    assert "acting_for" not in AuditEntry.objects.latest("seq").details


# -- the queue and the notices -------------------------------------------------------------------------------


def test_the_delegates_queue_holds_the_delegated_stage_labelled_until_the_end(people, at_security):
    clinical = people.reviewers[roles.CLINICAL]
    url = reverse("queue")
    assert at_security.feature.name not in page(clinical, url)
    delegation = delegate(people, clinical, days=2)
    label = "acting for Security until " + delegation.ends_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")

    queue = page(clinical, url)
    home = page(clinical, reverse("home"))

    assert at_security.feature.name in queue and label in queue
    assert at_security.feature.name in home and label in home
    with time_machine.travel(delegation.ends_at, tick=False):
        assert at_security.feature.name not in page(clinical, url)


def test_a_delegate_with_no_domain_of_their_own_has_a_queue_only_while_delegated(people, at_security):
    auditor = people.auditor
    client = Client()
    client.force_login(auditor)
    assert client.get(reverse("queue")).status_code == 403
    delegation = delegate(people, auditor, days=2)

    response = client.get(reverse("queue"))
    assert response.status_code == 200 and at_security.feature.name in response.content.decode()
    detail = client.get(reverse("assessment_detail", args=[at_security.pk])).content.decode()
    assert reverse("assessment_transition", args=[at_security.pk, "approve"]) in detail
    with time_machine.travel(delegation.ends_at + timedelta(microseconds=1), tick=False):
        client.force_login(auditor)  # a fresh session: the old one ended while idle
        assert client.get(reverse("queue")).status_code == 403


def test_review_requested_reaches_the_delegate_while_the_delegation_runs(people):
    from committee.models import Notification

    clinical = people.reviewers[roles.CLINICAL]
    product = people.reviewers[roles.PRODUCT]
    delegate(people, clinical)
    ended = delegate(people, product, days=1)
    people.team.members.add(people.reviewers[roles.DATA_AI])
    delegate(people, people.reviewers[roles.DATA_AI])  # on the team: never asked

    with time_machine.travel(ended.ends_at + timedelta(hours=1), tick=False):
        at_security = advance(people, create_draft(people), State.SECURITY_REVIEW)

    asked = set(
        Notification.objects.filter(kind="review_requested", assessment=at_security, stage=roles.SECURITY).values_list(
            "recipient__username", flat=True
        )
    )
    assert asked == {"security_reviewer", "clinical_reviewer"}


def test_the_api_says_for_whom_a_delegate_commented(people, at_security):
    from rest_framework.test import APIClient

    clinical = people.reviewers[roles.CLINICAL]
    delegation = delegate(people, clinical)
    client = APIClient()
    client.force_authenticate(clinical)
    url = f"/api/v1/assessments/{at_security.pk}/comments/"

    made = client.post(url, {"question": QUESTION, "text": "Who sees it?"}, format="json")
    listed = client.get(url).json()

    assert made.status_code == 201
    acting = made.json()["acting_for"]
    assert acting["domain"] == "security" and acting["delegated_by"] == "chair"
    assert acting["text"] == shown(delegation)
    assert [c["acting_for"] for c in listed] == [acting]
    client.force_authenticate(people.reviewers[roles.SECURITY])
    client.post(url, {"question": QUESTION, "text": "Mine."}, format="json")
    assert [c["acting_for"] is None for c in client.get(url).json()] == [False, True]


def test_a_delegate_with_no_domain_of_their_own_is_told_why_not_at_another_stage(people):
    from assessments.selectors import transitions_for

    in_legal = advance(people, create_draft(people), State.LEGAL_REVIEW)
    assert transitions_for(people.auditor, in_legal) == []
    delegate(people, people.auditor)
    roles.forget(people.auditor)  # as a new request reads them

    shown_options = {
        o["name"]: (o["allowed"], [r.code for r in o["reasons"]]) for o in transitions_for(people.auditor, in_legal)
    }

    assert shown_options["approve"] == (False, ["not_your_stage"])
