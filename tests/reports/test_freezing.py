"""Frozen at approval: one dossier per approved version, issued once, the same bytes ever after."""

import threading

import pytest
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from assessments import services
from assessments.models import State
from reports import services as report_services
from reports.dossier import issued_states
from reports.models import Dossier, DossierDownload, dossier_storage
from reports.services import DossierUnavailable, dossier_freeze

from ..workflow import EVIDENCE, act, advance, create_draft, meet
from .conftest import approve_all


def approved(people, **kwargs):
    return advance(people, create_draft(people, **kwargs), State.APPROVED)


def test_the_approval_writes_the_dossier_row_in_its_transaction_and_issues_it_after_commit(
    people, fast_render, django_capture_on_commit_callbacks
):
    assessment = advance(people, create_draft(people), State.DATA_AI_REVIEW)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assessment = act(people, assessment, "approve")
        row = Dossier.objects.get(assessment=assessment)
        assert not row.is_issued  # requested inside the approval, not yet rendered
    assert callbacks and fast_render == []  # the dossier's task, and the notices' emails, wait for the commit

    for callback in callbacks:
        callback()

    row.refresh_from_db()
    assert row.is_issued and fast_render == [(assessment.pk, False)]
    assert dossier_storage().exists(row.file_name)
    assert row.approval_seq == assessment.audit_entries.get(transition="approve", to_state=State.APPROVED).seq


def test_a_rolled_back_approval_leaves_no_dossier_row(people, fast_render):
    assessment = advance(people, create_draft(people), State.DATA_AI_REVIEW)

    with pytest.raises(RuntimeError), transaction.atomic():
        act(people, assessment, "approve")
        assert Dossier.objects.filter(assessment=assessment).exists()
        raise RuntimeError("the approval's transaction fails after the signal")

    assert not Dossier.objects.exists()


def test_only_decisions_ask_for_a_dossier(people, fast_render, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        advance(people, create_draft(people), State.DATA_AI_REVIEW)
        rejected = advance(people, create_draft(people), State.REJECTED)
        withdrawn = advance(people, create_draft(people), State.WITHDRAWN)

    # Rejections and withdrawals get a decision record, issued after commit like an approval's dossier.
    assert sorted(Dossier.objects.values_list("assessment_id", "decision")) == [
        (rejected.pk, "rejected"),
        (withdrawn.pk, "withdrawn"),
    ]
    assert all(d.is_issued for d in Dossier.objects.all())


def test_a_download_before_the_task_issues_it_and_the_task_then_does_nothing(
    people, login, fast_render, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assessment = approved(people)

    first = login(people.auditor).get(reverse("dossier_pdf", args=[assessment.pk]))
    for callback in callbacks:
        callback()  # the task arrives late
    second = login(people.alice).get(reverse("dossier_pdf", args=[assessment.pk]))

    assert fast_render == [(assessment.pk, False)]
    assert first.content == second.content
    dossier = Dossier.objects.get(assessment=assessment)
    assert first["X-Dossier-SHA256"] == dossier.sha256 == first["ETag"].strip('"')
    assert DossierDownload.objects.filter(dossier=dossier, draft=False).count() == 2


def test_an_issued_dossier_is_never_rendered_again(people, fast_render):
    assessment = approved(people)
    first = dossier_freeze(assessment_id=assessment.pk)
    again = dossier_freeze(assessment_id=assessment.pk)

    assert (again.pk, again.sha256, again.issued_at) == (first.pk, first.sha256, first.issued_at)
    assert len(fast_render) == 1


def test_the_database_refuses_a_second_dossier_for_the_same_version(people, fast_render):
    assessment = approved(people)
    first = dossier_freeze(assessment_id=assessment.pk)

    with pytest.raises(IntegrityError), transaction.atomic():
        Dossier.objects.create(
            assessment=assessment,
            document_id="RAI-SECOND",
            checkpoint_seq=first.checkpoint_seq,
            checkpoint_hash=first.checkpoint_hash,
            approval_seq=first.approval_seq,
        )


def test_launch_and_conditions_met_later_do_not_change_the_issued_bytes(people, login, fast_render):
    assessment = advance(people, create_draft(people), State.DATA_AI_REVIEW)
    assessment = act(
        people,
        assessment,
        "approve",
        conditions=[{"text": "Publish the disclosure.", "owner": "alice", "before_launch": True}],
    )
    client = login(people.auditor)
    before = client.get(reverse("dossier_pdf", args=[assessment.pk])).content

    meet(people, assessment.conditions.get())
    assessment = act(people, assessment, "launch")
    after = client.get(reverse("dossier_pdf", args=[assessment.pk])).content

    assert before == after and len(fast_render) == 1


def test_a_dossier_frozen_late_shows_the_record_as_it_was_at_approval(people, fast_render):
    from reports.dossier import dossier_record
    from reports.dossier_data import record_data

    assessment = advance(people, create_draft(people), State.DATA_AI_REVIEW)
    assessment = act(
        people,
        assessment,
        "approve",
        conditions=[{"text": "Publish the disclosure.", "owner": "alice", "before_launch": True}],
    )
    approval_seq = assessment.audit_entries.get(transition="approve", to_state=State.APPROVED).seq
    meet(people, assessment.conditions.get())
    assessment = act(people, assessment, "launch")

    dossier = dossier_freeze(assessment_id=assessment.pk)
    data = record_data(dossier_record(assessment, dossier=dossier))

    assert data["assessment"]["state"] == State.APPROVED
    assert [c["status"] for c in data["conditions"]] == ["open"]
    assert data["audit_trail"][-1]["seq"] == approval_seq
    # marked met, confirmed, launched: not in it
    assert assessment.audit_entries.filter(seq__gt=approval_seq).count() == 3


def test_a_condition_marked_met_after_approval_is_open_in_the_frozen_record(people, fast_render):
    from reports.dossier import dossier_record
    from reports.dossier_data import record_data

    assessment = advance(people, create_draft(people), State.DATA_AI_REVIEW)
    assessment = act(
        people,
        assessment,
        "approve",
        conditions=[{"text": "Publish the disclosure.", "owner": "alice", "before_launch": True}],
    )
    services.condition_mark_met(condition=assessment.conditions.get(), by=people.alice, evidence="Published.")

    dossier = dossier_freeze(assessment_id=assessment.pk)
    [condition] = record_data(dossier_record(assessment, dossier=dossier))["conditions"]

    assert condition["status"] == "open"


def test_a_later_version_gets_its_own_dossier(people, fast_render):
    first = approved(people)
    first = act(people, act(people, first, "launch"), "start_reassessment")
    second = first.feature.assessments.get(version=2)
    services.bias_results_add(
        description=EVIDENCE,
        assessment=second,
        rows=[
            {"dimension": d, "group": g, "n": 50, "metric": "selection_rate", "value": 0.5}
            for d in ("race", "religion", "gender")
            for g in ("a", "b")
        ],
        by=people.alice,
    )
    second = approve_all(people, act(people, second, "submit"))

    one, two = dossier_freeze(assessment_id=first.pk), dossier_freeze(assessment_id=second.pk)

    assert one.pk != two.pk and one.sha256 != two.sha256
    assert (one.document_id, two.document_id) == (f"RAI-A{first.pk:06d}-V1", f"RAI-A{second.pk:06d}-V2")
    first.refresh_from_db()
    assert first.state == State.SUPERSEDED and State.SUPERSEDED in issued_states()


def test_only_decided_versions_are_frozen(people, fast_render):
    in_review = advance(people, create_draft(people), State.PRODUCT_REVIEW)

    with pytest.raises(DossierUnavailable):
        dossier_freeze(assessment_id=in_review.pk)
    assert not Dossier.objects.exists()


def test_a_stored_file_that_changed_is_never_served(people, login, fast_render):
    assessment = approved(people)
    dossier = dossier_freeze(assessment_id=assessment.pk)
    storage = dossier_storage()
    storage.delete(dossier.file_name)
    storage.save(dossier.file_name, __import__("io").BytesIO(b"%PDF-1.7 forged"))

    response = login(people.auditor).get(reverse("dossier_pdf", args=[assessment.pk]))

    assert response.status_code == 503
    assert b"no longer matches its recorded SHA-256" in response.content


def test_without_a_signing_key_the_approval_stands_and_the_download_says_why(
    people, login, settings, django_capture_on_commit_callbacks, fast_render
):
    settings.DOSSIER_SIGNING_KEY = ""
    with django_capture_on_commit_callbacks(execute=True):
        assessment = approved(people)  # the task fails, logged; the approval is committed

    assessment.refresh_from_db()
    assert assessment.state == State.APPROVED
    response = login(people.auditor).get(reverse("dossier_pdf", args=[assessment.pk]))
    assert response.status_code == 503
    assert b"signing is not configured" in response.content
    assert not Dossier.objects.issued().exists() and not DossierDownload.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_downloads_issue_one_dossier(people, fast_render, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    from reports import tasks

    monkeypatch.setattr(tasks.dossier_freeze_task, "delay", lambda assessment_id: None)  # the task is late
    assessment = approved(people)
    assert not Dossier.objects.issued().exists()
    results, errors = [], []
    barrier = threading.Barrier(4)

    def download():
        try:
            barrier.wait()
            results.append(
                report_services.dossier_download(assessment=assessment, user=people.auditor, channel="web").sha256
            )
        except Exception as error:  # noqa: BLE001
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=download) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert not errors
    assert len(set(results)) == 1 and len(results) == 4
    assert Dossier.objects.count() == 1
    assert [call for call in fast_render if not call[1]] == [(assessment.pk, False)]
