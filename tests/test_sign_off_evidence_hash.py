"""Each sign-off binds the bias evidence its signer saw (a second hash), and adding evidence invalidates no one."""

from assessments import services
from assessments.evidence_hash import evidence_hash_of
from assessments.models import State
from reports.dossier import dossier_record
from reports.dossier_data import record_data

from .workflow import act, advance, create_draft


def test_each_sign_off_binds_the_evidence_it_saw_and_added_evidence_invalidates_no_sign_off(people):
    assessment = advance(people, create_draft(people), State.LEGAL_REVIEW)
    assessment = act(people, assessment, "approve")
    legal = assessment.sign_offs.get(stage="legal")
    assert legal.evidence_hash == evidence_hash_of(assessment) and len(legal.evidence_hash) == 64

    services.bias_results_add(
        assessment=assessment,
        rows=[{"dimension": "age", "group": "over 65", "n": 80, "metric": "selection_rate", "value": 0.5}],
        by=people.alice,
        description="Matching model v3, a pilot of 80 clients over 65.",
    )
    assessment.refresh_from_db()
    assessment = act(people, assessment, "approve")
    security = assessment.sign_offs.get(stage="security")
    legal.refresh_from_db()

    assert security.evidence_hash == evidence_hash_of(assessment) != legal.evidence_hash
    assert legal.invalidated_at is None and legal.content_hash == security.content_hash
    # The issued dossier carries each sign-off's evidence hash in its signed assessment.json.
    data = record_data(dossier_record(assessment))
    assert {s["stage"]: s["evidence_hash"] for s in data["sign_offs"]} == {
        "legal": legal.evidence_hash,
        "security": security.evidence_hash,
    }


def test_the_evidence_hash_covers_mitigations_and_justifications_too(people):
    assessment = create_draft(people)
    before = evidence_hash_of(assessment)
    services.bias_justification_record(
        assessment=assessment, dimension="religion", text="Not collected by the vendor.", by=people.alice
    )
    assert evidence_hash_of(assessment) != before
