"""Bench data: thousands of assessments with the spread of years of real use, inserted in bulk.

Load for the benchmark only, never demo or real data (features are named "Bench
feature N"). Every feature gets a lifecycle drawn from a fixed mix (drafts, each
review stage, changes requested and resubmitted, approved, launched, rejected,
withdrawn, retired, re-assessed and superseded), with its events spread over
four years, open work recent. The lifecycle is then played forward exactly as
``assessments.services`` would write it, but into rows instead of one
transaction per step:

- the assessment's final fields (state, round, content hash, timestamps);
- one sign-off per decision (invalidated when the answers change after it),
  conditions on some final approvals, bias evidence before submission;
- one audit row per service call, with the services' actions, transitions,
  states, comments and details, hashed and signed in one chain (so
  ``audit_verify`` replays the log and finds the tables as the log says);
- the grants of ``assessments.grants.expected_grants`` (the one grants policy)
  for the final state and round.

On PostgreSQL rows go in with ``COPY``; elsewhere (the smoke test on SQLite)
with ``bulk_create``. ``tests/test_bench_smoke.py`` checks the spread, the
grants against ``grants_sync`` and the whole log with ``audit_verify``.
"""

import hashlib
import random
import time
from dataclasses import dataclass, field
from datetime import UTC, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import connection, transaction
from django.utils import timezone
from psycopg.types.json import Jsonb

from accounts import roles
from assessments import canonical, deadlines, signing
from assessments.audit import HEAD_PK
from assessments.audit_records import records_of_values
from assessments.bias import RELEVANT_DIMENSIONS_QUESTION, REQUIRED_DIMENSIONS
from assessments.demo_answers import INTAKE_V2, MATCHING_V2, NOTES_V2
from assessments.grants import CODENAMES, expected_grants
from assessments.models import (
    NEXT_AFTER_APPROVAL,
    STAGE_STATE,
    AIFeature,
    Assessment,
    AssessmentGroupObjectPermission,
    AuditChainHead,
    AuditEntry,
    AuditSigningKey,
    BiasBatch,
    BiasResult,
    Condition,
    EvidenceKind,
    SignOff,
    State,
    Team,
    audit_payload,
    content_hash_of,
)
from assessments.questionnaire import current_questionnaire
from assessments.risk import risk_score

# Bump when the data a seed makes changes: databases seeded by another version are rebuilt.
SEED_VERSION = 4
YEARS = 4
REVIEWERS_PER_DOMAIN = 2
# Final outcome of a feature's story, and how often it is told (weights).
STORIES = {
    "draft": 8,
    "legal_review": 4,
    "security_review": 3,
    "clinical_review": 3,
    "product_review": 3,
    "data_ai_review": 3,
    "changes_requested": 6,
    "approved": 4,
    "launched": 24,
    "rejected": 5,
    "withdrawn": 5,
    "retired": 10,
    "reassessment_due": 5,  # v1 waits as reassessment_due; v2 is a draft or in review
    "superseded": 13,  # v1 superseded by v2, which is approved or launched
}
REVIEW_STATES = list(STAGE_STATE.values())
CHANGES_ROUND = 0.25  # share of submitted stories with a first round that ended in a change request
CONDITION_SHARE = 0.3  # share of final approvals that set a dated condition


BIAS_DESCRIPTION = "Bench: matching model v1, a synthetic month of bookings; groups as clients described them."


def bias_rows(answers):
    """Per-group results for every dimension Data/AI approval needs for these answers (two groups each)."""
    marked = answers.get(RELEVANT_DIMENSIONS_QUESTION) or []
    dimensions = list(REQUIRED_DIMENSIONS) + [d for d in marked if d not in REQUIRED_DIMENSIONS and d != "other"]
    return [
        {"dimension": d, "group": g, "sample_size": 200, "metric": "selection_rate", "value": v}
        for d in dimensions
        for g, v in (("group a", 0.61), ("group b", 0.57))
    ]


INVALIDATED = "The answers changed after this sign-off."


def team_count(size):
    # A fixed number of teams at bench sizes, so that a team member sees the same share at every size.
    return 20 if size >= 1000 else 4


def bench_users(teams=()):
    """The bench's people: a member per team (bench_team in the first two), two reviewers per domain,
    a chair, an auditor and a superuser for the admin. Created once, without a usable password: the
    bench opens their sessions itself."""
    user_model = get_user_model()
    users = {}

    def user(username, *, role=None, superuser=False):
        found, created = user_model.objects.get_or_create(username=username)
        if created:
            found.set_unusable_password()
            found.is_staff = found.is_superuser = superuser
            found.save()
        if role:
            found.groups.add(Group.objects.get_or_create(name=role)[0])
        users[username] = found
        return found

    user("bench_team")
    for domain in roles.DOMAINS:
        user(f"bench_{domain}", role=domain)
        for n in range(2, REVIEWERS_PER_DOMAIN + 1):
            user(f"bench_{domain}_{n}", role=domain)
    user("bench_chair", role=roles.CHAIR)
    user("bench_auditor", role=roles.AUDITOR)
    user("bench_admin", superuser=True)
    for index, team in enumerate(teams):
        member = user(f"bench_member_{index}")
        team.members.add(member)
        if index < 2:
            team.members.add(users["bench_team"])
    return users


# -- the story of one feature -------------------------------------------------------------------


def _hours(rng, low, high):
    return timedelta(hours=rng.uniform(low, high))


def _review_steps(rng, until):
    """Submit and approve up to stage ``until`` (0..5; 5 is approved), maybe after a round of changes."""
    steps = [("submit", _hours(rng, 1, 72))]
    if rng.random() < CHANGES_ROUND:
        stop = rng.randrange(5)
        steps += [("approve", _hours(rng, 4, 150)) for _ in range(stop)]
        steps.append(("request_changes", _hours(rng, 4, 150)))
        steps.append(("edit", _hours(rng, 2, 120)))
        steps.append(("resubmit", _hours(rng, 1, 48)))
    steps += [("approve", _hours(rng, 4, 150)) for _ in range(until)]
    return steps


def _draft_steps(rng):
    steps = [("created", timedelta(0))]
    steps += [("edit", _hours(rng, 1, 96)) for _ in range(rng.randrange(4))]
    return steps


def _story(rng, kind):
    """``(v1 steps, v2 steps or None)``: each step ``(name, gap before it)``; and the moment it ends."""
    v1 = _draft_steps(rng)
    v2 = None
    recent = timedelta(days=rng.uniform(0, 20))
    anytime = timedelta(days=rng.uniform(0, 365 * YEARS))
    if kind == "draft":
        ends = recent
    elif kind in REVIEW_STATES:
        v1 += [("bias", _hours(rng, 1, 48))] + _review_steps(rng, REVIEW_STATES.index(kind))
        ends = recent
    elif kind == "changes_requested":
        v1 += [("bias", _hours(rng, 1, 48))] + _review_steps(rng, rng.randrange(5))
        v1.append(("request_changes", _hours(rng, 4, 150)))
        ends = timedelta(days=rng.uniform(0, 60))
    elif kind == "rejected":
        v1 += [("bias", _hours(rng, 1, 48))] + _review_steps(rng, rng.randrange(5))
        v1.append(("reject", _hours(rng, 4, 150)))
        ends = anytime
    elif kind == "withdrawn":
        if rng.random() < 0.5:
            v1 += [("bias", _hours(rng, 1, 48))] + _review_steps(rng, rng.randrange(5))
        v1.append(("withdraw", _hours(rng, 24, 400)))
        ends = anytime
    else:
        v1 += [("bias", _hours(rng, 1, 48))] + _review_steps(rng, 5)
        if kind == "approved":
            ends = recent
        elif kind == "launched":
            v1.append(("launch", _hours(rng, 24, 600)))
            ends = timedelta(days=rng.uniform(0, 85))  # launched within its re-review interval
        elif kind == "retired":
            v1.append(("launch", _hours(rng, 24, 600)))
            v1.append(("retire", timedelta(days=rng.uniform(30, 700))))
            ends = anytime
        else:  # reassessment_due, superseded: re-review opens version 2
            v1.append(("launch", _hours(rng, 24, 600)))
            v1.append(("start_reassessment", None))  # on the re-review date
            v2 = [("created", timedelta(0))] + [("edit", _hours(rng, 1, 96)) for _ in range(rng.randrange(3))]
            if kind == "reassessment_due":
                v2 += (
                    [("bias", _hours(rng, 1, 48))] + _review_steps(rng, rng.randrange(5)) if rng.random() < 0.6 else []
                )
                ends = recent
            else:
                v2 += [("bias", _hours(rng, 1, 48))] + _review_steps(rng, 5)
                if rng.random() < 0.7:
                    v2.append(("launch", _hours(rng, 24, 600)))
                    ends = timedelta(days=rng.uniform(0, 85))
                else:
                    ends = recent
    return v1, v2, ends


# -- playing stories forward into rows --------------------------------------------------------------


@dataclass
class _Assessment:
    pk: int
    feature: "_Feature"
    version: int
    answers: dict
    risk: dict
    created_by: int
    state: str = State.DRAFT
    review_round: int = 0
    content_hash: str = ""
    created_at: object = None
    updated_at: object = None
    submitted_at: object = None
    stage_entered_at: object = None
    decided_at: object = None
    launched_at: object = None
    next_review_due: object = None
    sign_offs: list = field(default_factory=list)  # [id, stage, round, reviewer, decision, comment, hash, at, inv_at]
    edits: int = 0


@dataclass
class _Feature:
    pk: int
    name: str
    team: int  # index
    owner: object  # user
    created_at: object = None


class _Rows:
    """Rows collected for one table: inserted with COPY on PostgreSQL, bulk_create elsewhere."""

    def __init__(self, model, columns, json=()):
        self.model, self.columns, self.json, self.rows = model, columns, set(json), []

    def add(self, *values):
        self.rows.append(values)

    def flush(self):
        if not self.rows:
            return
        if connection.vendor == "postgresql":
            json_at = [i for i, c in enumerate(self.columns) if c in self.json]
            names = ", ".join(f'"{c}"' for c in self.columns)
            with (
                connection.cursor() as cursor,
                cursor.copy(f'COPY "{self.model._meta.db_table}" ({names}) FROM STDIN') as copy,
            ):
                for row in self.rows:
                    if json_at:
                        row = list(row)
                        for i in json_at:
                            row[i] = Jsonb(row[i])
                    copy.write_row(row)
        else:
            self.model.objects.bulk_create(
                [self.model(**dict(zip(self.columns, row, strict=True))) for row in self.rows], batch_size=2000
            )
        self.rows = []


class Seeder:
    def __init__(self, size, *, seed=14, log=None):
        self.size, self.rng, self.log = size, random.Random(seed), log or (lambda *a: None)
        self.signer = signing.signer_from_settings()

    # Each step of a story, as the service that takes it writes it.

    def run(self):
        started = time.perf_counter()
        now = timezone.now().replace(microsecond=0)
        self.now = now
        questionnaire = current_questionnaire()
        self.qv = questionnaire.version
        self.templates = []
        for answers in (INTAKE_V2, MATCHING_V2, NOTES_V2):
            cleaned, _ = questionnaire.clean(answers)
            self.templates.append((cleaned, risk_score(questionnaire, cleaned)))
        teams = [
            Team.objects.get_or_create(slug=f"bench-team-{i}", defaults={"name": f"Bench team {i}"})[0]
            for i in range(team_count(self.size))
        ]
        self.users = bench_users(teams)
        self.teams = teams
        self.members = [self.users[f"bench_member_{i}"] for i in range(len(teams))]
        self.reviewers = {
            d: [self.users[f"bench_{d}"]] + [self.users[f"bench_{d}_{n}"] for n in range(2, REVIEWERS_PER_DOMAIN + 1)]
            for d in roles.DOMAINS
        }
        self.permissions = {
            p.codename: p.pk
            for p in Permission.objects.filter(content_type__app_label="assessments", codename__in=CODENAMES)
        }
        self.groups = {g.name: g.pk for g in Group.objects.all()}
        stories = self._stories(now)
        self.log(f"  planned {len(stories):,} features in {time.perf_counter() - started:.1f} s")
        with transaction.atomic():
            self._play(stories, now)
        self.log(f"  seeded in {time.perf_counter() - started:.1f} s")
        return self.counts

    def _stories(self, now):
        """Features and their timed steps until ``size`` assessments are planned."""
        rng = self.rng
        kinds, weights = zip(*STORIES.items(), strict=True)
        feature_pk = (AIFeature.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
        assessment_pk = (Assessment.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
        first = Assessment.objects.filter(feature__name__startswith="Bench feature").count()
        planned, stories, index = 0, [], first
        # Every kind at least once, whatever the size; then the mix.
        queue = list(kinds)
        while planned < self.size:
            kind = queue.pop() if queue else rng.choices(kinds, weights)[0]
            if kind in ("reassessment_due", "superseded") and self.size - planned < 2:
                kind = "launched"
            v1, v2, ends = _story(rng, kind)
            team = index % len(self.teams) if rng.random() < 0.8 else rng.randrange(len(self.teams))
            feature = _Feature(feature_pk, f"Bench feature {index}", team, self.members[team])
            feature_pk += 1
            index += 1
            timed = self._timed(v1, v2, now - ends, rng)
            versions = []
            for version in (1, 2) if v2 is not None else (1,):
                answers, risk = self.templates[rng.randrange(len(self.templates))]
                versions.append(_Assessment(assessment_pk, feature, version, dict(answers), risk, feature.owner.pk))
                assessment_pk += 1
            planned += len(versions)
            stories.append((feature, versions, timed))
        return stories

    @staticmethod
    def _timed(v1, v2, end, rng):
        """``[(moment, version, step)]``: gaps laid backwards from ``end``."""
        steps = [(1, name, gap) for name, gap in v1]
        if v2 is not None:
            steps += [(2, name, gap) for name, gap in v2]
        # The re-review date is months after launch; v2 is created the same moment.
        total = timedelta(0)
        moments = []
        for version, name, gap in reversed(steps):
            moments.append((end - total, version, name))
            if gap is None:
                gap = timedelta(days=rng.uniform(60, 360))
            if not (version == 2 and name == "created"):
                total += gap
        moments.reverse()
        return moments

    def _play(self, stories, now):
        self.counts = {}
        self.tables = {
            "feature": _Rows(AIFeature, ["id", "name", "team_id", "owner_id", "created_at"]),
            "assessment": _Rows(
                Assessment,
                [
                    "id",
                    "feature_id",
                    "version",
                    "questionnaire_version",
                    "answers",
                    "state",
                    "risk_level",
                    "risk_score",
                    "content_hash",
                    "review_round",
                    "created_by_id",
                    "created_at",
                    "updated_at",
                    "submitted_at",
                    "stage_entered_at",
                    "decided_at",
                    "launched_at",
                    "next_review_due",
                    "next_reminder_at",
                ],
                json=("answers", "risk_score"),
            ),
            "sign_off": _Rows(
                SignOff,
                [
                    "id",
                    "assessment_id",
                    "stage",
                    "review_round",
                    "reviewer_id",
                    "decision",
                    "comment",
                    "content_hash",
                    "created_at",
                    "invalidated_at",
                    "invalidated_reason",
                    "signer_name",
                    "signer_username",
                    "delegation_id",
                ],
            ),
            "condition": _Rows(
                Condition,
                [
                    "id",
                    "assessment_id",
                    "sign_off_id",
                    "text",
                    "owner_id",
                    "due_date",
                    "before_launch",
                    "status",
                    "closed_at",
                    "created_at",
                    "next_reminder_on",
                ],
            ),
            "bias_batch": _Rows(
                BiasBatch,
                [
                    "id",
                    "assessment_id",
                    "token",
                    "kind",
                    "method",
                    "tool",
                    "intersections",
                    "source_name",
                    "source_sha256",
                    "description",
                    "created_by_id",
                    "created_at",
                ],
                json=("intersections",),
            ),
            "bias": _Rows(
                BiasResult,
                [
                    "id",
                    "evidence_batch_id",
                    "assessment_id",
                    "dimension",
                    "group",
                    "sample_size",
                    "metric",
                    "value",
                    "kind",
                    "batch",
                    "source_name",
                    "source_sha256",
                    "created_by_id",
                    "created_at",
                ],
            ),
            "grant": _Rows(AssessmentGroupObjectPermission, ["group_id", "permission_id", "content_object_id"]),
            "audit": _Rows(
                AuditEntry,
                [
                    "seq",
                    "assessment_id",
                    "actor_id",
                    "actor_username",
                    "action",
                    "transition",
                    "from_state",
                    "to_state",
                    "comment",
                    "content_hash",
                    "details",
                    "created_at",
                    "prev_hash",
                    "entry_hash",
                    "key_id",
                    "signature",
                ],
                json=("details",),
            ),
        }
        self.sign_off_pk = (SignOff.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
        self.condition_pk = (Condition.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
        self.bias_batch_pk = (BiasBatch.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
        self.bias_pk = (BiasResult.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
        AuditChainHead.objects.get_or_create(pk=HEAD_PK)
        head = AuditChainHead.objects.select_for_update().get(pk=HEAD_PK)
        self.seq, self.last_hash = head.last_seq, head.last_hash
        earliest = canonical.recorded(min(m for _, _, timed in stories for m, _, _ in timed))
        if self.signer is not None and not AuditSigningKey.objects.filter(key_id=self.signer.key_id).exists():
            AuditSigningKey.objects.filter(valid_until__isnull=True).update(valid_until=earliest)
            AuditSigningKey.objects.create(
                key_id=self.signer.key_id, public_key=signing.public_pem(self.signer.public_key), valid_from=earliest
            )
        # The log is one chain in time order, across features, as the services would have appended it.
        events = []
        for feature, versions, timed in stories:
            feature.created_at = timed[0][0]
            self.tables["feature"].add(
                feature.pk, feature.name, self.teams[feature.team].pk, feature.owner.pk, feature.created_at
            )
            for order, (moment, version, name) in enumerate(timed):
                events.append((moment, feature.pk, order, versions, version, name))
        events.sort(key=lambda e: (e[0], e[1], e[2]))
        self.tables["feature"].flush()
        for moment, _, _, versions, version, name in events:
            getattr(self, f"_{name}")(versions[version - 1], moment, versions)
            if len(self.tables["audit"].rows) >= 20000:
                self._flush("audit", "bias_batch", "bias", "condition")
        assessments = [a for _, versions, _ in stories for a in versions]
        for a in assessments:
            self.tables["assessment"].add(
                a.pk,
                a.feature.pk,
                a.version,
                self.qv,
                a.answers,
                a.state,
                a.risk["level"],
                a.risk,
                a.content_hash,
                a.review_round,
                a.created_by,
                a.created_at,
                a.updated_at,
                a.submitted_at,
                a.stage_entered_at,
                a.decided_at,
                a.launched_at,
                a.next_review_due,
                # As Assessment.save() schedules it: the stage's first reminder at its deadline.
                deadlines.stage_due_moment(a.stage_entered_at, a.risk["level"])
                if a.state in REVIEW_STATES and a.stage_entered_at
                else None,
            )
        for a in assessments:
            for row in a.sign_offs:
                self.tables["sign_off"].add(*row)
            team_group = roles.team_group_name(self.teams[a.feature.team].slug)
            for group, codename in sorted(
                expected_grants(team_group_name=team_group, state=a.state, review_round=a.review_round)
            ):
                self.tables["grant"].add(self.groups[group], self.permissions[codename], a.pk)
        self._flush(*self.tables)
        self._head(events[-1][0] if events else now)
        self._reset_sequences()
        self.counts["assessment"] = len(assessments)
        self.counts["feature"] = len(stories)

    def _flush(self, *names):
        # Foreign keys are checked at commit (Django makes them deferrable), so tables go in any order.
        for name in names:
            table = self.tables[name]
            self.counts[name] = self.counts.get(name, 0) + len(table.rows)
            table.flush()

    # -- the services' steps --------------------------------------------------------------------

    def _audit(self, a, moment, *, actor, action, transition="", from_state="", to_state="", comment="", details):
        """``audit_append``: the next row of the chain, hashed and signed."""
        self.seq += 1
        moment = canonical.recorded(moment)  # the precision audit_append records
        details = canonical.normalise(details)
        actor_id = actor.pk if actor is not None else None
        username = actor.get_username() if actor is not None else "system"
        payload = audit_payload(
            seq=self.seq,
            assessment_id=a.pk,
            actor_id=actor_id,
            actor_username=username,
            action=action,
            transition=transition,
            from_state=from_state,
            to_state=to_state,
            comment=comment,
            content_hash=a.content_hash,
            details=details,
            created_at=moment,
            prev_hash=self.last_hash,
        )
        entry_hash = canonical.sha256_of(payload)
        key_id = signature = ""
        if self.signer is not None:
            key_id = self.signer.key_id
            signature = self.signer.sign(signing.row_statement(seq=self.seq, hash=entry_hash, key_id=key_id))
        self.tables["audit"].add(
            self.seq,
            a.pk,
            actor_id,
            username,
            action,
            transition,
            from_state,
            to_state,
            comment,
            a.content_hash,
            details,
            moment,
            self.last_hash,
            entry_hash,
            key_id,
            signature,
        )
        self.last_hash = entry_hash

    def _hash(self, a):
        a.content_hash = content_hash_of(a.feature.name, self.qv, a.answers)

    def _created(self, a, moment, versions):
        a.created_at = a.updated_at = moment
        if a.version > 1:
            # The re-review opened it from the previous version's answers (services.transition._open_reassessment).
            a.answers = dict(versions[0].answers)
        self._hash(a)
        by_system = a.version > 1
        self._audit(
            a,
            moment,
            actor=None if by_system else a.feature.owner,
            action=AuditEntry.Action.CREATED,
            to_state=State.DRAFT,
            comment=f"Re-assessment of version {a.version - 1}." if by_system else "",
            details={"version": a.version, "questionnaire_version": self.qv, "team": self.teams[a.feature.team].slug},
        )

    def _edit(self, a, moment, versions):
        a.edits += 1
        a.updated_at = moment
        old = a.answers.get("overview.purpose")
        new = f"{old.split(' (revision ')[0]} (revision {a.edits})"
        a.answers["overview.purpose"] = new
        self._hash(a)
        self._audit(
            a,
            moment,
            actor=a.feature.owner,
            action=AuditEntry.Action.ANSWERS_CHANGED,
            from_state=a.state,
            to_state=a.state,
            details={"changed": {"overview.purpose": {"from": old, "to": new}}},
        )
        # services.drafts._invalidate_stale_sign_offs
        for row in a.sign_offs:
            if row[INVALIDATED_AT] is None and row[HASH] != a.content_hash:
                row[INVALIDATED_AT], row[INVALIDATED_AT + 1] = moment, INVALIDATED
                self._audit(
                    a,
                    moment,
                    actor=a.feature.owner,
                    action=AuditEntry.Action.SIGN_OFF_INVALIDATED,
                    from_state=a.state,
                    to_state=a.state,
                    details={
                        "sign_off_id": row[0],
                        "stage": row[2],
                        "signed_hash": row[HASH],
                        "records": _sign_off_records(row),
                    },
                )

    def _bias(self, a, moment, versions):
        rows = bias_rows(a.answers)
        # One measurement (services.bias_results_add): approval evidence, its rows sharing one batch and its provenance.
        batch = hashlib.sha256(f"bench-bias-{a.pk}-{moment.isoformat()}".encode()).hexdigest()[:32]
        owner = a.feature.owner
        batch_pk, self.bias_batch_pk = self.bias_batch_pk, self.bias_batch_pk + 1
        method = BiasBatch.Method.RESULTS_ENTERED
        self.tables["bias_batch"].add(
            batch_pk, a.pk, batch, EvidenceKind.APPROVAL.value, method.value, "", [], "", "", BIAS_DESCRIPTION,
            owner.pk, moment,
        )  # fmt: skip
        logged, recorded = [], []
        for row in rows:
            logged.append({"id": self.bias_pk, **row})
            recorded.append(
                {
                    "id": self.bias_pk,
                    "assessment": a.pk,
                    **row,
                    "kind": EvidenceKind.APPROVAL.value,
                    "batch": batch,
                    "evidence_batch": batch_pk,
                    "source_name": "",
                    "source_sha256": "",
                    "created_by": owner.pk,
                    "created_at": moment,
                }
            )
            self.tables["bias"].add(
                self.bias_pk,
                batch_pk,
                a.pk,
                row["dimension"],
                row["group"],
                row["sample_size"],
                row["metric"],
                row["value"],
                EvidenceKind.APPROVAL.value,
                batch,
                "",
                "",
                owner.pk,
                moment,
            )
            self.bias_pk += 1
        provenance = {
            "id": batch_pk,
            "token": batch,
            "kind": EvidenceKind.APPROVAL.value,
            "method": method.value,
            "method_label": method.label,
            "tool": "",
            "intersections": [],
            "source_name": "",
            "source_sha256": "",
            "description": BIAS_DESCRIPTION,
            "created_by": owner.get_username(),
            "created_by_id": owner.pk,
            "created_at": canonical.timestamp(moment),
        }
        batch_record = {
            **{k: provenance[k] for k in ("id", "token", "kind", "method", "tool", "intersections")},
            **{k: provenance[k] for k in ("source_name", "source_sha256", "description")},
            "assessment": a.pk,
            "created_by": owner.pk,
            "created_at": moment,
        }
        self._audit(
            a,
            moment,
            actor=owner,
            action=AuditEntry.Action.BIAS_EVIDENCE_ADDED,
            from_state=a.state,
            to_state=a.state,
            details={
                "kind": EvidenceKind.APPROVAL.value,
                "batch": batch,
                "provenance": provenance,
                "rows": logged,
                "records": {
                    **records_of_values(BiasBatch, [batch_record]),
                    **records_of_values(BiasResult, recorded),
                },
            },
        )

    def _transition(self, a, moment, name, *, by, to_state, comment="", extra=None, effect=None):
        """``services.transition._take``: details, the body's effect, the audit row."""
        from_state, stage = a.state, STAGE_OF.get(a.state)
        details = {**(extra or {}), "review_round": a.review_round}
        if stage:
            details["stage"] = stage
        if effect:
            effect(details)
        a.state, a.updated_at = to_state, moment
        details["review_round"] = a.review_round
        self._audit(
            a,
            moment,
            actor=by,
            action=AuditEntry.Action.TRANSITION,
            transition=name,
            from_state=from_state,
            to_state=to_state,
            comment=comment,
            details=details,
        )

    def _open_round(self, a, moment):
        a.review_round += 1
        a.submitted_at = a.stage_entered_at = moment
        self._hash(a)

    def _submit(self, a, moment, versions):
        self._transition(
            a,
            moment,
            "submit",
            by=a.feature.owner,
            to_state=State.LEGAL_REVIEW,
            effect=lambda d: self._open_round(a, moment),
        )

    def _resubmit(self, a, moment, versions):
        self._transition(
            a,
            moment,
            "resubmit",
            by=a.feature.owner,
            to_state=State.LEGAL_REVIEW,
            comment="Answered the change request: the escalation path is described.",
            effect=lambda d: self._open_round(a, moment),
        )

    def _sign(self, a, moment, decision, details, comment):
        stage = STAGE_OF[a.state]
        reviewer = self.rng.choice(self.reviewers[stage])
        row = [
            self.sign_off_pk,
            a.pk,
            stage,
            a.review_round,
            reviewer.pk,
            decision,
            comment,
            a.content_hash,
            moment,
            None,
            "",
            # The manifestation (assessments.models.sign_off): the signer as named when they signed; no delegation.
            reviewer.get_full_name().strip(),
            reviewer.get_username(),
            None,
        ]
        a.sign_offs.append(_SignOffRow(row))
        self.sign_off_pk += 1
        details["manifestation"] = {
            "signer_name": row[11],
            "signer_username": row[12],
            "meaning": decision,
            "domain": stage,
            "signed_at": moment.astimezone(UTC).isoformat(),
            "delegation": None,
        }
        details["sign_off_id"], details["decision"] = row[0], decision
        details.setdefault("records", {}).update(_sign_off_records(row))
        return reviewer, row

    def _approve(self, a, moment, versions):
        following = NEXT_AFTER_APPROVAL[a.state]
        comment = "Reviewed; no concerns."
        chosen = {}

        def effect(details):
            _, row = self._sign(a, moment, SignOff.Decision.APPROVED, details, comment)
            chosen["by"] = self.users_by_pk[row[4]]
            if following == State.APPROVED and self.rng.random() < CONDITION_SHARE:
                due = timezone.localdate(moment) + timedelta(days=self.rng.randrange(30, 180))
                text = "Publish the per-group monitoring report to the committee."
                condition = {
                    "id": self.condition_pk,
                    "assessment": a.pk,
                    "sign_off": row[0],
                    "text": text,
                    "owner": a.feature.owner.pk,
                    "due_date": due,
                    "before_launch": False,
                    "status": Condition.Status.OPEN.value,
                    "closed_at": None,
                    "created_at": moment,
                }
                self.tables["condition"].add(
                    *condition.values(),
                    deadlines.condition_first_reminder(due),  # as Condition.save() schedules it
                )
                self.condition_pk += 1
                # A new condition has no evidence or review yet (the table's defaults, which the COPY leaves to it).
                unmet = dict.fromkeys(("marked_met_by", "marked_met_at", "reviewed_by", "reviewed_at"))
                unmet.update(
                    evidence_file_name="", evidence_file_type="", evidence_file_size=None, evidence_file_sha256=""
                )
                recorded = {**condition, **unmet, "evidence": "", "review_comment": ""}
                details.setdefault("records", {}).update(records_of_values(Condition, [recorded]))
                details["conditions"] = [
                    {
                        "text": text,
                        "owner": a.feature.owner.get_username(),
                        "due_date": due.isoformat(),
                        "before_launch": False,
                    }
                ]
            a.stage_entered_at = moment if following in REVIEW_STATES else None
            if following == State.APPROVED:
                a.decided_at = moment

        self._decide(a, moment, "approve", following, comment, effect, chosen)
        if following == State.APPROVED and a.version > 1:
            previous = versions[0]
            if previous.state in (State.APPROVED, State.LAUNCHED, State.REASSESSMENT_DUE):
                self._transition(
                    previous,
                    moment,
                    "supersede",
                    by=chosen["by"],
                    to_state=State.SUPERSEDED,
                    comment=f"Superseded by version {a.version}.",
                    extra={"superseded_by": a.pk},
                )

    def _decide(self, a, moment, name, to_state, comment, effect, chosen):
        # The reviewer is known only once the sign-off is drawn; the audit row names them.
        from_state, stage = a.state, STAGE_OF[a.state]
        details = {"review_round": a.review_round, "stage": stage}
        effect(details)
        a.state, a.updated_at = to_state, moment
        details["review_round"] = a.review_round
        self._audit(
            a,
            moment,
            actor=chosen["by"],
            action=AuditEntry.Action.TRANSITION,
            transition=name,
            from_state=from_state,
            to_state=to_state,
            comment=comment,
            details=details,
        )

    def _request_changes(self, a, moment, versions):
        comment = "Explain how clients can appeal a match, and add the per-group error rates."
        chosen = {}

        def effect(details):
            _, row = self._sign(a, moment, SignOff.Decision.CHANGES_REQUESTED, details, comment)
            chosen["by"] = self.users_by_pk[row[4]]
            a.stage_entered_at = None

        self._decide(a, moment, "request_changes", State.CHANGES_REQUESTED, comment, effect, chosen)

    def _reject(self, a, moment, versions):
        comment = "The benefit does not justify the risk to clients in crisis."
        chosen = {}

        def effect(details):
            _, row = self._sign(a, moment, SignOff.Decision.REJECTED, details, comment)
            chosen["by"] = self.users_by_pk[row[4]]
            a.stage_entered_at = None
            a.decided_at = moment

        self._decide(a, moment, "reject", State.REJECTED, comment, effect, chosen)

    def _withdraw(self, a, moment, versions):
        def effect(details):
            a.stage_entered_at = None

        self._transition(a, moment, "withdraw", by=a.feature.owner, to_state=State.WITHDRAWN, effect=effect)

    def _launch(self, a, moment, versions):
        def effect(details):
            a.launched_at = moment
            days = settings.REREVIEW_INTERVAL_DAYS.get(a.risk["level"] or 4, 90)
            a.next_review_due = timezone.localdate(moment) + timedelta(days=days)
            details["next_review_due"] = a.next_review_due.isoformat()

        self._transition(a, moment, "launch", by=a.feature.owner, to_state=State.LAUNCHED, effect=effect)

    def _retire(self, a, moment, versions):
        self._transition(a, moment, "retire", by=a.feature.owner, to_state=State.RETIRED)

    def _start_reassessment(self, a, moment, versions):
        self._transition(a, moment, "start_reassessment", by=None, to_state=State.REASSESSMENT_DUE)

    # -- the end ------------------------------------------------------------------------------------

    @property
    def users_by_pk(self):
        if not hasattr(self, "_users_by_pk"):
            self._users_by_pk = {u.pk: u for u in self.users.values()}
        return self._users_by_pk

    def _head(self, moment):
        moment = canonical.recorded(moment)
        update = {"last_seq": self.seq, "last_hash": self.last_hash, "signed_at": None, "key_id": "", "signature": ""}
        if self.signer is not None:
            update.update(
                signed_at=moment,
                key_id=self.signer.key_id,
                signature=self.signer.sign(
                    signing.checkpoint_statement(
                        seq=self.seq,
                        hash=self.last_hash,
                        signed_at=canonical.timestamp(moment),
                        key_id=self.signer.key_id,
                    )
                ),
            )
        AuditChainHead.objects.filter(pk=HEAD_PK).update(**update)

    def _reset_sequences(self):
        if connection.vendor != "postgresql":
            return
        with connection.cursor() as cursor:
            for model in (AIFeature, Assessment, SignOff, Condition, BiasBatch, BiasResult):
                table = model._meta.db_table
                # Table names come from the models, not from input.
                sql = f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), (SELECT COALESCE(MAX(id), 1) FROM \"{table}\"))"  # noqa: S608, E501
                cursor.execute(sql)


class _SignOffRow(list):
    """A sign-off row as a list in the sign-off table's column order (``_edit`` invalidates it in place)."""


HASH, INVALIDATED_AT = 7, 9


def _sign_off_records(row):
    """What the services record of a sign-off (assessments.audit_records)."""
    values = {"id": row[0], "assessment": row[1], "comment": row[6], "invalidated_reason": row[INVALIDATED_AT + 1]}
    # The manifestation: the signer as named when they signed, the delegation, the time of signing.
    values.update(signer_name=row[11], signer_username=row[12], delegation=row[13], created_at=row[8])
    return records_of_values(SignOff, [values])


STAGE_OF = {state: domain for domain, state in STAGE_STATE.items()}


def seed(size, *, seed=14, log=None):
    """Add ``size`` bench assessments to the current database; return row counts per table."""
    return Seeder(size, seed=seed, log=log).run()
