"""Replaying the log per assessment, and comparing the tables with what it tells.

What the chain says of each assessment (state, round, content, team, sign-offs,
the records a decision rests on) against the assessment, sign-off, grant and
record tables; every difference is reported to the verifier's report.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from .. import canonical
from ..audit_records import compare_records, recorded_by_assessment, replay_entry
from ..grants import expected_grants
from ..models import (
    Assessment,
    AssessmentGroupObjectPermission,
    AssessmentUserObjectPermission,
    AuditEntry,
    SignOff,
    content_hash_of,
)


@dataclass
class Replay:
    """An assessment as the log tells it."""

    state: str = ""
    review_round: int = 0
    content_hash: str = ""
    team: str = ""  # the owning team's slug, as recorded when the assessment was created
    # (review_round, stage) -> [decision, reviewer id, content hash, still valid]
    sign_offs: dict = field(default_factory=dict)
    # (table, row id) -> the row's fields as last recorded (assessments.audit_records)
    records: dict = field(default_factory=dict)


def replay_row(assessment, assessment_id, actor_id, action, transition, to_state, content_hash, details):
    if to_state:
        assessment.state = to_state
    assessment.content_hash = content_hash
    if not isinstance(details, dict):
        details = {}
    replay_entry(assessment.records, assessment_id, action, details)
    if action == AuditEntry.Action.CREATED:
        assessment.team = details.get("team") if isinstance(details.get("team"), str) else ""
    if action == AuditEntry.Action.TRANSITION:
        # Every transition row records the review round after it, and a decision row the sign-off it made.
        assessment.review_round = _int(details.get("review_round"), assessment.review_round)
        if details.get("decision") in SignOff.Decision.values:
            key = (assessment.review_round, details.get("stage"))
            assessment.sign_offs[key] = [details["decision"], actor_id, content_hash, True]
    elif action == AuditEntry.Action.SIGN_OFF_INVALIDATED:
        # One invalidation invalidates every valid sign-off of that stage bound to the old content.
        for (_, stage), sign_off in assessment.sign_offs.items():
            if stage == details.get("stage") and sign_off[2] == details.get("signed_hash"):
                sign_off[3] = False


def _int(value, default):
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def compare_tables(report, replay):
    """Each assessment's state, sign-offs and grants in the tables against what the log says."""
    table = {}
    contents = Assessment.objects.order_by().values_list(
        "pk",
        "state",
        "review_round",
        "feature__team__group__name",
        "feature__team__slug",
        "content_hash",
        "feature__name",
        "questionnaire_version",
        "answers",
    )
    for pk, state, review_round, team_group, team, content_hash, feature_name, version, answers in contents.iterator(
        chunk_size=2000
    ):
        table[pk] = (state, review_round, team_group)
        told = replay.get(pk)
        if told is None:
            continue
        if told.team and team != told.team:
            report.add(
                "team_drift",
                f"Assessment {pk} belongs to team {team} in the table, but the log created it for team {told.team}.",
                assessment_id=pk,
            )
        try:
            answers_hash = content_hash_of(feature_name, version, answers)
        except canonical.NotCanonical:
            answers_hash = None
        if content_hash != told.content_hash or answers_hash != content_hash:
            report.add(
                "content_drift",
                f"Assessment {pk}: its answers or name are not the content the log last recorded "
                "(changed behind the log).",
                assessment_id=pk,
            )
    report.assessments = len(table)
    for pk in sorted(set(replay) - set(table)):
        report.add(
            "assessment_deleted", f"Assessment {pk} has audit rows but is missing from the table.", assessment_id=pk
        )
    for pk in sorted(set(table) - set(replay)):
        report.add(
            "assessment_without_log",
            f"Assessment {pk} has no audit trail: it was created or kept behind the log.",
            assessment_id=pk,
        )
    for pk, (state, review_round, _) in sorted(table.items()):
        told = replay.get(pk)
        if told is None:
            continue
        if state != told.state:
            report.add(
                "state_drift",
                f"Assessment {pk} is {state} in the table, but the log ends with it {told.state}.",
                assessment_id=pk,
            )
        if review_round != told.review_round:
            report.add(
                "round_drift",
                f"Assessment {pk} is in review round {review_round} in the table, "
                f"but the log says {told.review_round}.",
                assessment_id=pk,
            )
    _compare_sign_offs(report, replay, table)
    _compare_grants(report, replay, table)
    compare_records(report, recorded_by_assessment(replay.values()), set(table) & set(replay))


def _compare_sign_offs(report, replay, table):
    stored = defaultdict(dict)
    for row in SignOff.objects.order_by().values_list(
        "assessment_id", "review_round", "stage", "decision", "reviewer_id", "content_hash", "invalidated_at"
    ):
        pk, review_round, stage, decision, reviewer_id, content_hash, invalidated_at = row
        stored[pk][(review_round, stage)] = [decision, reviewer_id, content_hash, invalidated_at is None]
    for pk in sorted(set(stored) | {pk for pk, told in replay.items() if told.sign_offs}):
        if pk not in table or pk not in replay:
            continue
        told = replay[pk].sign_offs
        have = stored.get(pk, {})
        for key in sorted(set(told) | set(have), key=lambda k: (k[0], str(k[1]))):
            review_round, stage = key
            what = f"the {stage} sign-off of round {review_round}"
            if key not in have:
                report.add(
                    "sign_off_missing",
                    f"Assessment {pk}: {what} is in the log but missing from the table (deleted).",
                    assessment_id=pk,
                )
            elif key not in told:
                report.add(
                    "sign_off_inserted",
                    f"Assessment {pk}: {what} is in the table, but the log never recorded it.",
                    assessment_id=pk,
                )
            elif have[key][:3] != told[key][:3]:
                report.add(
                    "sign_off_altered",
                    f"Assessment {pk}: {what} differs from the log (decision, reviewer or content hash).",
                    assessment_id=pk,
                )
            elif have[key][3] != told[key][3]:
                valid = "valid" if have[key][3] else "invalidated"
                report.add(
                    "sign_off_validity_drift",
                    f"Assessment {pk}: {what} is {valid} in the table, but not according to the log.",
                    assessment_id=pk,
                )


def _compare_grants(report, replay, table):
    granted = defaultdict(set)
    for pk, group, codename in AssessmentGroupObjectPermission.objects.order_by().values_list(
        "content_object_id", "group__name", "permission__codename"
    ):
        granted[pk].add((group, codename))
    for pk, username, codename in AssessmentUserObjectPermission.objects.order_by().values_list(
        "content_object_id", "user__username", "permission__codename"
    ):
        report.add(
            "grant_drift",
            f"Assessment {pk}: user {username} holds {codename}, but the workflow grants only to groups.",
            assessment_id=pk,
        )
    for pk, (_, _, team_group) in sorted(table.items()):
        told = replay.get(pk)
        if told is None:
            continue
        expected = expected_grants(team_group_name=team_group, state=told.state, review_round=told.review_round)
        have = granted.get(pk, set())
        for group, codename in sorted(have - expected):
            report.add(
                "grant_drift",
                f"Assessment {pk}: group {group} holds {codename}, which the workflow never granted.",
                assessment_id=pk,
            )
        for group, codename in sorted(expected - have):
            report.add(
                "grant_drift",
                f"Assessment {pk}: group {group} lacks {codename}, which the workflow granted.",
                assessment_id=pk,
            )
