"""Benchmark: verify_audit_log over 1,000,000 audit rows must finish in under a minute.

    make bench-audit                                         # a throwaway SQLite file in /tmp
    BENCH_AUDIT_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_audit make bench-audit

The log is load for the benchmark only (features named "Audit bench feature N"):
assessments that each went through a whole review (created, answers changed,
bias evidence, submitted, five sign-offs, launched), with the tables exactly as
the services leave them, so the verifier does all its work, the table replay
included. Rows are hashed and signed with the project's own code but inserted in
bulk (through the services it would take hours). The database and its signing
key are kept between runs; the first run builds them (a few minutes).

Prints the time of a full verification and exits non-zero when it is over
BENCH_AUDIT_SECONDS (60) or when the verifier finds any problem.
"""

import os
import sys
import tempfile
import time
from collections import defaultdict
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["DATABASE_URL"] = os.environ.get("BENCH_AUDIT_DATABASE_URL", "sqlite:////tmp/raia-bench-audit.sqlite3")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.pop("REDIS_URL", None)
KEY_FILE = Path(os.environ.get("BENCH_AUDIT_KEY", Path(tempfile.gettempdir()) / "raia-bench-audit-key.pem"))
if not KEY_FILE.exists():
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    KEY_FILE.write_bytes(
        Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    KEY_FILE.chmod(0o600)
os.environ["AUDIT_SIGNING_KEY"] = str(KEY_FILE)
os.environ["AUDIT_PUBLIC_KEYS"] = ""

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts import roles  # noqa: E402
from assessments import canonical, signing  # noqa: E402
from assessments.audit import HEAD_PK, audit_verify  # noqa: E402
from assessments.audit_records import BY_MODEL, records_of_values  # noqa: E402
from assessments.demo_answers import INTAKE_V2, MATCHING_V2, NOTES_V2  # noqa: E402
from assessments.grants import grant_rows  # noqa: E402
from assessments.models import (  # noqa: E402
    AIFeature,
    Assessment,
    AssessmentGroupObjectPermission,
    AuditChainHead,
    AuditEntry,
    AuditSigningKey,
    BiasResult,
    SignOff,
    State,
    Team,
    audit_payload,
)
from assessments.questionnaire import current_questionnaire  # noqa: E402
from assessments.risk import risk_score  # noqa: E402
from bench.seed import bench_users  # noqa: E402

ROWS = int(os.environ.get("BENCH_AUDIT_ROWS", "1000000"))
LIMIT_SECONDS = float(os.environ.get("BENCH_AUDIT_SECONDS", "60"))
ANSWER_EDITS = 11  # rows per assessment: created + edits + bias + submit + 5 sign-offs + launch = 20
ROWS_PER_ASSESSMENT = 9 + ANSWER_EDITS
APPROVAL_COMMENT = "Reviewed; no concerns."
BATCH = 500  # assessments per transaction
STAGE_ORDER = [State.LEGAL_REVIEW, State.SECURITY_REVIEW, State.CLINICAL_REVIEW, State.PRODUCT_REVIEW]


def main():
    call_command("migrate", verbosity=0)
    signer = signing.signer_from_settings()
    existing = AuditEntry.objects.count()
    wanted = ROWS // ROWS_PER_ASSESSMENT
    built = Assessment.objects.filter(feature__name__startswith="Audit bench feature").count()
    if existing and (existing != built * ROWS_PER_ASSESSMENT or AuditChainHead.objects.get().key_id != signer.key_id):
        sys.exit(
            f"{connection.settings_dict['NAME']} holds other audit rows; point the benchmark at an empty database."
        )
    if built < wanted:
        start = time.perf_counter()
        _build(signer, built, wanted)
        print(f"built {wanted - built} assessments in {time.perf_counter() - start:.0f} s")
    rows = AuditEntry.objects.count()
    print(f"database: {connection.vendor}; audit rows: {rows:,}; assessments: {Assessment.objects.count():,}")
    start, cpu = time.perf_counter(), time.process_time()
    report = audit_verify()
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    print(report.summary())
    for problem in report.problems[:20]:
        print("PROBLEM", problem.kind, problem.message)
    print(
        f"verify_audit_log: {seconds:.1f} s for {report.rows:,} rows ({report.rows / seconds:,.0f} rows/s); "
        f"this process's CPU time {cpu:.1f} s (the rest is the database, or other load: see uptime)"
    )
    if not report.ok:
        sys.exit(1)
    if seconds > LIMIT_SECONDS:
        print(f"OVER TARGET: {LIMIT_SECONDS:.0f} s")
        sys.exit(1)


def _build(signer, built, wanted):
    users = bench_users()
    team = Team.objects.get_or_create(slug="audit-bench-team", defaults={"name": "Audit bench team"})[0]
    team.members.add(users["bench_team"])
    reviewers = {domain: users[f"bench_{domain}"] for domain in roles.DOMAINS}
    questionnaire = current_questionnaire()
    templates = []
    for answers in (INTAKE_V2, MATCHING_V2, NOTES_V2):
        cleaned, _ = questionnaire.clean(answers)
        templates.append((cleaned, risk_score(questionnaire, cleaned)))
    head = AuditChainHead.objects.get_or_create(pk=HEAD_PK)[0]
    if not AuditSigningKey.objects.filter(key_id=signer.key_id).exists():
        AuditSigningKey.objects.create(
            key_id=signer.key_id,
            public_key=signing.public_pem(signer.public_key),
            valid_from=timezone.now() - timedelta(days=3650),
        )
    chain = [head.last_seq, head.last_hash]
    moment = [timezone.now() - timedelta(days=365)]
    for first in range(built, wanted, BATCH):
        with transaction.atomic():
            _build_batch(
                signer,
                team,
                users,
                reviewers,
                templates,
                questionnaire,
                first,
                min(wanted, first + BATCH),
                chain,
                moment,
            )
        print(f"  {min(wanted, first + BATCH):,} / {wanted:,} assessments", end="\r", flush=True)
    print()


def _build_batch(signer, team, users, reviewers, templates, questionnaire, first, last, chain, moment):
    owner = users["bench_team"]
    now = timezone.now()
    features = AIFeature.objects.bulk_create(
        [AIFeature(name=f"Audit bench feature {i}", team=team, owner=owner, created_at=now) for i in range(first, last)]
    )
    assessments = []
    for i, feature in enumerate(features, start=first):
        answers, score = templates[i % len(templates)]
        assessment = Assessment(
            feature=feature,
            version=1,
            questionnaire_version=questionnaire.version,
            answers=answers,
            state=State.LAUNCHED,
            risk_level=score["level"],
            risk_score=score,
            review_round=1,
            created_by=owner,
            created_at=now,
            updated_at=now,
            submitted_at=now,
            decided_at=now,
            launched_at=now,
        )
        assessment.content_hash = assessment.compute_content_hash()
        assessments.append(assessment)
    Assessment.objects.bulk_create(assessments)
    AssessmentGroupObjectPermission.objects.bulk_create(grant_rows(assessments), batch_size=5000)
    # Evidence and sign-offs first: their audit rows record each with its id (assessments.audit_records).
    bias = BiasResult.objects.bulk_create(
        [
            BiasResult(assessment=assessment, created_by=owner, created_at=now, **row)
            for assessment in assessments
            for row in _bias_rows()
        ],
        batch_size=5000,
    )
    recorded = defaultdict(list)
    for result in bias:
        recorded[result.assessment_id].append(
            {"id": result.pk, "assessment": result.assessment_id, "created_by": result.created_by_id}
            | {name: getattr(result, name) for name in BY_MODEL[BiasResult].fields if name != "created_by"}
        )
    sign_offs = SignOff.objects.bulk_create(
        [
            SignOff(
                assessment=assessment,
                stage=domain,
                review_round=1,
                reviewer=reviewers[domain],
                decision=SignOff.Decision.APPROVED,
                comment=APPROVAL_COMMENT,
                content_hash=assessment.content_hash,
                created_at=now,
            )
            for assessment in assessments
            for domain in roles.DOMAINS
        ],
        batch_size=5000,
    )
    signed = defaultdict(dict)
    for sign_off in sign_offs:
        values = {"id": sign_off.pk, "assessment": sign_off.assessment_id, "comment": sign_off.comment}
        values["invalidated_reason"] = sign_off.invalidated_reason
        # The manifestation as the sign-off holds it (assessments.audit_records.COVERED).
        values.update(signer_name=sign_off.signer_name, signer_username=sign_off.signer_username)
        values.update(delegation=sign_off.delegation_id, created_at=sign_off.created_at)
        signed[sign_off.assessment_id][sign_off.stage] = records_of_values(SignOff, [values])
    entries = []
    for assessment in assessments:
        records = records_of_values(BiasResult, recorded[assessment.pk])
        for spec in _lifecycle(assessment, owner, reviewers, team.slug, records, signed[assessment.pk]):
            entries.append(_entry(signer, chain, moment, assessment, **spec))
    AuditEntry.objects.bulk_create(entries, batch_size=2000)
    AuditChainHead.objects.filter(pk=HEAD_PK).update(
        last_seq=chain[0],
        last_hash=chain[1],
        signed_at=moment[0],
        key_id=signer.key_id,
        signature=signer.sign(
            signing.checkpoint_statement(
                seq=chain[0], hash=chain[1], signed_at=canonical.timestamp(moment[0]), key_id=signer.key_id
            )
        ),
    )


def _bias_rows():
    return [
        {"dimension": d, "group": g, "sample_size": 200, "metric": "selection_rate", "value": v}
        for d in ("race", "religion", "gender")
        for g, v in (("group a", 0.61), ("group b", 0.57))
    ]


def _lifecycle(assessment, owner, reviewers, team_slug, bias_records, sign_off_records):
    """The rows the services would write for one assessment's whole review."""
    content = assessment.content_hash
    yield {
        "actor": owner,
        "action": "created",
        "to_state": "draft",
        "details": {"version": 1, "questionnaire_version": assessment.questionnaire_version, "team": team_slug},
    }
    for edit in range(ANSWER_EDITS):
        yield {
            "actor": owner,
            "action": "answers_changed",
            "from_state": "draft",
            "to_state": "draft",
            "details": {"changed": {"impact.benefits": {"from": f"Draft {edit}", "to": f"Draft {edit + 1}"}}},
        }
    yield {
        "actor": owner,
        "action": "bias_evidence_added",
        "from_state": "draft",
        "to_state": "draft",
        "details": {"rows": _bias_rows(), "records": bias_records},
    }
    yield {
        "actor": owner,
        "action": "transition",
        "transition": "submit",
        "from_state": "draft",
        "to_state": "legal_review",
        "details": {"review_round": 1},
    }
    states = [*STAGE_ORDER, State.DATA_AI_REVIEW, State.APPROVED]
    for domain, (from_state, to_state) in zip(roles.DOMAINS, zip(states, states[1:], strict=False), strict=True):
        yield {
            "actor": reviewers[domain],
            "action": "transition",
            "transition": "approve",
            "from_state": from_state,
            "to_state": to_state,
            "comment": APPROVAL_COMMENT,
            "details": {
                "review_round": 1,
                "stage": domain,
                "decision": "approved",
                "records": sign_off_records[domain],
            },
        }
    yield {
        "actor": owner,
        "action": "transition",
        "transition": "launch",
        "from_state": "approved",
        "to_state": "launched",
        "details": {"review_round": 1, "next_review_due": "2027-01-01"},
    }
    assert content


def _entry(
    signer, chain, moment, assessment, *, actor, action, transition="", from_state="", to_state="", comment="", details
):
    moment[0] += timedelta(milliseconds=10)
    seq = chain[0] + 1
    details = canonical.normalise(details)
    payload = audit_payload(
        seq=seq,
        assessment_id=assessment.pk,
        actor_id=actor.pk,
        actor_username=actor.get_username(),
        action=action,
        transition=transition,
        from_state=from_state,
        to_state=to_state,
        comment=comment,
        content_hash=assessment.content_hash,
        details=details,
        created_at=moment[0],
        prev_hash=chain[1],
    )
    entry_hash = canonical.sha256_of(payload)
    entry = AuditEntry(
        seq=seq,
        assessment_id=assessment.pk,
        actor_id=actor.pk,
        actor_username=actor.get_username(),
        action=action,
        transition=transition,
        from_state=from_state,
        to_state=to_state,
        comment=comment,
        content_hash=assessment.content_hash,
        details=details,
        created_at=moment[0],
        prev_hash=chain[1],
        entry_hash=entry_hash,
        key_id=signer.key_id,
        signature=signer.sign(signing.row_statement(seq=seq, hash=entry_hash, key_id=signer.key_id)),
    )
    chain[0], chain[1] = seq, entry_hash
    return entry


if __name__ == "__main__":
    main()
