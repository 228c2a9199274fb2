from django.contrib.auth import get_user_model
from django.core.management import call_command

from assessments.audit import audit_verify
from assessments.models import AIFeature, Assessment, State, Team


def test_seed_demo_is_idempotent_and_covers_the_workflow(db):
    call_command("seed_demo", "--password", "pw-one")
    first = sorted(Assessment.objects.values_list("feature__name", "state"))
    call_command("seed_demo", "--password", "pw-two")
    assert sorted(Assessment.objects.values_list("feature__name", "state")) == first
    states = {state for _, state in first}
    for expected in (
        State.DRAFT,
        State.CLINICAL_REVIEW,
        State.CHANGES_REQUESTED,
        State.APPROVED,
        State.LAUNCHED,
        State.REJECTED,
    ):
        assert expected in states
    assert AIFeature.objects.filter(name__icontains="matching").exists()
    assert audit_verify().ok

    users = get_user_model().objects
    for username in ("alice", "lena", "sam", "claire", "priya", "dana", "chair", "audrey", "admin"):
        assert users.get(username=username).check_password("pw-two"), username
    assert users.get(username="admin").is_superuser
    assert Team.objects.get(slug="client-experience").has_member(users.get(username="alice"))
    assert users.get(username="lena").groups.filter(name="legal").exists()


def test_the_rejected_demo_is_the_hard_stop_case(db):
    call_command("seed_demo")
    rejected = Assessment.objects.get(state=State.REJECTED)
    sign_off = rejected.sign_offs.get(decision="rejected")
    assert sign_off.stage == "clinical" and "Hard stop" in sign_off.comment
    draft = Assessment.objects.get(state=State.DRAFT)
    assert "hard_stop" in [reason.code for reason in draft.submit_blockers()]
