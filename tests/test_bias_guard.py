"""What Data/AI approval needs of bias evidence: every required dimension (or a justification), and a
mitigation note for every flag (ratios under 0.8, groups under 30), each missing thing a structured reason."""

import pytest
from django.core.management import call_command

from assessments import services
from assessments.audit import audit_verify
from assessments.bias import bias_flags
from assessments.errors import InputError, NotPermitted, TransitionConflict
from assessments.models import AuditEntry, BiasJustification, BiasMitigation, BiasResult, State

from .workflow import EVIDENCE, act, advance, bias_rows, create_draft


def row(dimension, group, value, n=200, metric="selection_rate"):
    return {"dimension": dimension, "group": group, "n": n, "metric": metric, "value": value}


def at_data_ai(people, rows, **answers):
    """An assessment at Data/AI review whose only evidence is ``rows``."""
    assessment = create_draft(people, **answers)
    if rows:
        services.bias_results_add(description=EVIDENCE, assessment=assessment, rows=rows, by=people.alice)
    assessment = act(people, assessment, "submit")
    while assessment.state != State.DATA_AI_REVIEW:
        assessment = act(people, assessment, "approve")
    return assessment


def refusal(people, assessment):
    with pytest.raises(TransitionConflict) as refused:
        act(people, assessment, "approve")
    return [(r.code, r.params) for r in refused.value.reasons]


def test_a_missing_dimension_is_a_reason_naming_it(people):
    assessment = at_data_ai(people, bias_rows(["race", "gender"]))

    assert refusal(people, assessment) == [("bias_evidence_missing", {"dimension": "religion"})]


def test_a_dimension_the_team_marked_relevant_is_required(people):
    assessment = at_data_ai(people, bias_rows(), **{"bias.relevant_dimensions": ["age"]})

    assert refusal(people, assessment) == [("bias_evidence_missing", {"dimension": "age"})]


def test_a_justified_missing_dimension_passes(people):
    assessment = at_data_ai(people, bias_rows(["race", "gender"]))

    services.bias_justification_record(
        assessment=assessment,
        dimension="religion",
        text="We do not collect religion, and inferring it would itself be a harm.",
        by=people.reviewers["data_ai"],
    )

    assert act(people, assessment, "approve").state == State.APPROVED
    entry = AuditEntry.objects.get(action="bias_justified")
    assert entry.details["dimension"] == "religion" and entry.actor == people.reviewers["data_ai"]


def test_an_unmitigated_flag_is_a_reason_and_a_mitigated_one_passes(people):
    rows = [*bias_rows(["religion", "gender"]), row("race", "a", 0.5), row("race", "b", 0.7)]
    assessment = at_data_ai(people, rows)
    flag_key = "ratio_below_four_fifths:race:selection_rate"

    reasons = refusal(people, assessment)

    assert [code for code, _ in reasons] == ["bias_flag_unmitigated"]
    assert reasons[0][1]["flag"] == flag_key
    assert reasons[0][1]["ratio"] == pytest.approx(0.5 / 0.7)
    assert reasons[0][1]["disadvantaged_group"] == "a"
    assert reasons[0][1]["reference_group"] == "b"
    assert reasons[0][1]["direction"] == "higher_is_better"
    services.bias_mitigation_record(
        assessment=assessment, flag=flag_key, text="Re-weighted training data; retest monthly.", by=people.alice
    )
    assert act(people, assessment, "approve").state == State.APPROVED


def test_a_small_group_is_a_reason_of_its_own(people):
    rows = [*bias_rows(["religion", "gender"]), row("race", "a", 0.5, n=29), row("race", "b", 0.5, n=400)]
    assessment = at_data_ai(people, rows)

    reasons = refusal(people, assessment)

    assert reasons == [
        (
            "bias_group_too_small",
            {
                "flag": "group_too_small:race:a",
                "dimension": "race",
                "metrics": ["selection_rate"],
                "group": "a",
                "n": 29,
                "minimum": 30,
            },
        )
    ]


class Row:
    def __init__(self, group, value, n=100, dimension="race", metric="selection_rate"):
        self.dimension, self.metric, self.group, self.value, self.sample_size = dimension, metric, group, value, n


@pytest.mark.parametrize(("worst", "flagged"), [(0.8, False), (0.7999, True), (0.8001, False)])
def test_the_four_fifths_boundary_is_exact(worst, flagged):
    flags = bias_flags([Row("a", worst), Row("b", 1.0)])

    assert bool(flags) is flagged


@pytest.mark.parametrize(("n", "flagged"), [(29, True), (30, False), (31, False)])
def test_the_small_group_boundary_is_exact(n, flagged):
    flags = bias_flags([Row("a", 1.0, n=n), Row("b", 1.0)])

    assert bool(flags) is flagged


def test_the_refusal_lists_every_missing_thing_at_once(people):
    rows = [row("race", "a", 0.5, n=10), row("race", "b", 0.9)]
    assessment = at_data_ai(people, rows)

    codes = [code for code, _ in refusal(people, assessment)]

    assert codes == ["bias_evidence_missing", "bias_evidence_missing", "bias_flag_unmitigated", "bias_group_too_small"]


def test_a_justification_is_only_for_a_required_dimension_and_only_once(people):
    assessment = create_draft(people)
    with pytest.raises(InputError):
        services.bias_justification_record(assessment=assessment, dimension="hair_colour", text="x", by=people.alice)
    with pytest.raises(InputError):
        services.bias_justification_record(assessment=assessment, dimension="race", text="  ", by=people.alice)
    services.bias_justification_record(assessment=assessment, dimension="race", text="Not collected.", by=people.alice)
    with pytest.raises(TransitionConflict):
        services.bias_justification_record(assessment=assessment, dimension="race", text="Again.", by=people.alice)
    assert BiasJustification.objects.count() == 1


def test_a_mitigation_must_name_a_flag_the_evidence_raises(people):
    assessment = create_draft(people)
    services.bias_results_add(description=EVIDENCE, assessment=assessment, rows=bias_rows(), by=people.alice)
    with pytest.raises(TransitionConflict):
        services.bias_mitigation_record(
            assessment=assessment, flag="ratio_below_four_fifths:race:x", text="t", by=people.alice
        )
    assert not BiasMitigation.objects.exists()


@pytest.mark.parametrize("who", ["legal", "chair", "auditor"])
def test_others_may_not_justify_or_mitigate(people, who):
    assessment = advance(people, create_draft(people), State.LEGAL_REVIEW)
    user = {"chair": people.chair, "auditor": people.auditor}.get(who) or people.reviewers[who]
    with pytest.raises(NotPermitted):
        services.bias_justification_record(assessment=assessment, dimension="race", text="x", by=user)
    with pytest.raises(NotPermitted):
        services.bias_mitigation_record(assessment=assessment, flag="x", text="x", by=user)


def test_justifications_and_mitigations_keep_the_audit_log_verifiable(people):
    rows = [*bias_rows(["religion", "gender"]), row("race", "a", 0.5), row("race", "b", 0.7)]
    assessment = create_draft(people)
    services.bias_results_add(description=EVIDENCE, assessment=assessment, rows=rows, by=people.alice)
    services.bias_mitigation_record(
        assessment=assessment, flag="ratio_below_four_fifths:race:selection_rate", text="Fixed.", by=people.alice
    )
    services.bias_justification_record(assessment=assessment, dimension="race", text="Also.", by=people.alice)

    assert audit_verify().ok
    call_command("verify_audit_log")


def test_the_verifier_finds_a_mitigation_changed_behind_the_log(people):
    from django.db import connection

    assessment = create_draft(people)
    services.bias_results_add(
        description=EVIDENCE,
        assessment=assessment,
        rows=[row("race", "a", 0.5), row("race", "b", 0.7)],
        by=people.alice,
    )
    mitigation = services.bias_mitigation_record(
        assessment=assessment, flag="ratio_below_four_fifths:race:selection_rate", text="Fixed.", by=people.alice
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {BiasMitigation._meta.db_table} SET text = %s WHERE id = %s", ["Nothing to do.", mitigation.pk]
        )

    report = audit_verify()

    assert [p.kind for p in report.problems] == ["bias_note_altered"]


def test_the_verifier_finds_a_justification_inserted_behind_the_log(people):
    assessment = create_draft(people)
    BiasJustification.objects.create(assessment=assessment, dimension="race", text="x", created_by=people.alice)

    assert [p.kind for p in audit_verify().problems] == ["bias_note_inserted"]


def test_evidence_rows_from_one_batch_are_saved_once(people):
    assessment = create_draft(people)
    batch = "a" * 32
    services.bias_results_add(
        description=EVIDENCE, assessment=assessment, rows=bias_rows(), by=people.alice, batch=batch
    )
    services.bias_results_add(
        description=EVIDENCE, assessment=assessment, rows=bias_rows(), by=people.alice, batch=batch
    )

    assert BiasResult.objects.filter(assessment=assessment).count() == len(bias_rows())
    assert AuditEntry.objects.filter(action="bias_evidence_added").count() == 1


@pytest.mark.parametrize("text", ["nul\x00here", "lone \udfff surrogate", "x" * 5001])
def test_notes_that_cannot_be_stored_are_bad_input(people, text):
    assessment = create_draft(people)

    with pytest.raises(InputError):
        services.bias_justification_record(assessment=assessment, dimension="race", text=text, by=people.alice)

    assert not BiasJustification.objects.exists()
