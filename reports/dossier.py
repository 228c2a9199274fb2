"""The dossier: what it says (a record of one assessment version), as HTML, as tagged PDF/A-3a, as JSON.

``dossier_record`` loads everything a dossier shows in a fixed number of
queries. A frozen dossier shows the record as it stood when the assessment was
approved (the audit trail up to the approval's entry, conditions with the status
they had then), so rendering it later gives the same content; a draft shows the
record as it is now. ``record_data`` is the machine-readable assessment
embedded as ``assessment.json``; ``record_html`` the document; ``html_to_pdf``
renders it with WeasyPrint, fetching nothing but the project's static files.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import yaml
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone

from accounts import roles
from assessments import canonical
from assessments.audit import audit_checkpoint
from assessments.coverage import coverage_for_page, maps_beyond_nist
from assessments.forms import person_name
from assessments.models import Assessment, AuditChainHead, AuditEntry, Condition, SignOff, State
from assessments.presenters.answers import RISK_NAMES, answer_sections, display_answer, risk_breakdown
from assessments.presenters.review import comment_threads
from assessments.presenters.timeline import is_withheld_comment, shared_comment_ids, timeline
from assessments.questionnaire import NIST_FUNCTIONS, get_questionnaire

from .dossier_bias import bias_chapter_context
from .dossier_conditions import condition_steps

DATA_FORMAT = "raia-dossier/1"
ATTACHMENT_NAME = "assessment.json"
NIST_FILE = Path(__file__).resolve().parent / "nist_ai_rmf.yaml"
STYLESHEET = "reports/dossier.css"
NIST_FUNCTION_TEXT = {
    "GOVERN": "A culture of risk management is cultivated and present.",
    "MAP": "Context is recognized and risks related to context are identified.",
    "MEASURE": "Identified risks are assessed, analyzed, or tracked.",
    "MANAGE": "Risks are prioritized and acted upon based on a projected impact.",
}


def audit_checkpoint_now():
    """The audit chain checkpoint a dossier embeds, as ``manage.py audit_checkpoint`` prints it.

    The one place the dossier learns the checkpoint: the signed head of the chain
    ``{"seq", "hash", "signed_at", "key_id", "signature"}`` (inside the approval's
    transaction, the head is the approval's own entry). Where no signing key is
    configured the head is unsigned and only ``{"seq", "hash"}`` can be given.
    """
    signed = audit_checkpoint()
    if signed is not None:
        return signed
    head = AuditChainHead.objects.order_by("pk").first()
    if head is None:
        return {"seq": 0, "hash": canonical.GENESIS_HASH}
    return {"seq": head.last_seq, "hash": head.last_hash}


@cache
def issued_states():
    """States an assessment can only be in after its approval: ``approved`` and every state reachable from it.

    Read from the state machine's declarations, so a new state after approval is covered without a list here.
    """
    field_ = Assessment._meta.get_field("state")
    transitions = list(field_.get_all_transitions(Assessment))
    reached = {State.APPROVED.value}
    grew = True
    while grew:
        grew = False
        for transition in transitions:
            if transition.source in reached and isinstance(transition.target, str) and transition.target not in reached:
                reached.add(transition.target)
                grew = True
    return frozenset(reached)


# Terminal decisions other than approval: their versions get a signed decision record, frozen the same way.
DECISION_RECORD_STATES = frozenset({State.REJECTED.value, State.WITHDRAWN.value})


def decided_states():
    """States whose version has an issued, frozen dossier: approved and after, rejected, withdrawn."""
    return issued_states() | DECISION_RECORD_STATES


def deciding_state(assessment):
    """The decision the version's dossier records: ``approved`` (for any state after approval), or its own state."""
    return assessment.state if assessment.state in DECISION_RECORD_STATES else State.APPROVED.value


def is_issuable(assessment):
    """Whether this version was decided, so that its dossier (or decision record) is, or will be, issued."""
    return assessment.state in decided_states()


def document_id(assessment, *, draft):
    base = f"RAI-A{assessment.pk:06d}-V{assessment.version}"
    return f"{base}-DRAFT" if draft else base


@cache
def stylesheet():
    """The dossier's print stylesheet (a static file of the project), inlined into its HTML."""
    with open(finders.find(STYLESHEET), encoding="utf-8") as handle:
        return handle.read()


@cache
def nist_texts():
    with open(NIST_FILE, encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    return data["source"], dict(data["subcategories"])


def utc(moment):
    """A moment as the dossier prints it: unambiguous, in UTC."""
    if moment is None:
        return ""
    return timezone.localtime(moment, UTC).strftime("%-d %b %Y, %H:%M UTC")


def utc_date(day):
    return day.strftime("%-d %b %Y") if day else ""


# -- the record -------------------------------------------------------------------------------


@dataclass
class DossierRecord:
    assessment: Assessment
    draft: bool
    document_id: str
    issued_at: datetime
    checkpoint: dict
    # The record as it stood at this moment and audit row (the approval), or now for a draft.
    as_of: datetime
    upto_seq: int | None
    sign_offs: list = field(default_factory=list)
    conditions: list = field(default_factory=list)
    bias_rows: list = field(default_factory=list)
    bias_justifications: list = field(default_factory=list)
    bias_mitigations: list = field(default_factory=list)
    question_comments: list = field(default_factory=list)
    entries: list = field(default_factory=list)
    people: dict = field(default_factory=dict)
    # Audit rows of reviewers' comments a change request has not sent to the team yet: a draft dossier, which the
    # team may download, leaves their text out (an issued dossier, frozen at the approval, holds everything).
    withheld_seqs: frozenset = frozenset()
    # The decision a frozen dossier records (approved, rejected, withdrawn) and the reason given with it.
    decision: str = State.APPROVED.value
    decision_comment: str = ""
    decided_by: str = ""
    template_version: str = ""

    @property
    def questionnaire(self):
        return get_questionnaire(self.assessment.questionnaire_version)

    @property
    def state(self):
        """The state the record describes: the decision for a frozen dossier, the current one for a draft."""
        return self.assessment.state if self.draft else self.decision

    @property
    def is_decision_record(self):
        return not self.draft and self.decision != State.APPROVED.value


def dossier_record(assessment, *, dossier=None, now=None):
    """Everything a dossier of ``assessment`` shows; frozen as of ``dossier``'s approval when given."""
    now = now or timezone.now()
    assessment = Assessment.objects.select_related("feature__team", "feature__owner", "created_by").get(
        pk=assessment.pk
    )
    entries = AuditEntry.objects.filter(assessment_id=assessment.pk).order_by("seq")
    if dossier is not None:
        entries = entries.filter(seq__lte=dossier.approval_seq)
    entries = list(entries)
    as_of = now
    deciding = None
    if dossier is not None:
        deciding = next((e for e in entries if e.seq == dossier.approval_seq), None)
        as_of = deciding.created_at if deciding is not None else assessment.decided_at or now
    sign_offs = [
        s
        for s in assessment.sign_offs.select_related("reviewer", "delegation__delegated_by").order_by(
            "review_round", "created_at", "pk"
        )
        if s.created_at <= as_of
    ]
    for sign_off in sign_offs:
        if sign_off.invalidated_at is not None and sign_off.invalidated_at > as_of:
            sign_off.invalidated_at, sign_off.invalidated_reason = None, ""
    conditions = [
        c
        for c in assessment.conditions.select_related("owner", "sign_off").order_by("created_at", "pk")
        if c.created_at <= as_of
    ]
    for condition in conditions:
        later = (condition.closed_at, condition.marked_met_at, condition.reviewed_at)
        if any(moment is not None and moment > as_of for moment in later):
            # Marked met, confirmed or reopened after the approval: the frozen record shows it as it stood then.
            condition.status, condition.closed_at = Condition.Status.OPEN, None
            condition.evidence, condition.marked_met_by, condition.marked_met_at = "", None, None
            condition.review_comment, condition.reviewed_by, condition.reviewed_at = "", None, None
            condition.evidence_file_name, condition.evidence_file_type = "", ""
            condition.evidence_file_size, condition.evidence_file_sha256 = None, ""
    # The approval's evidence: monitoring results after launch are not part of what was approved.
    bias_rows = [
        b
        for b in assessment.bias_results.filter(kind="approval")
        .select_related("created_by", "evidence_batch__created_by")
        .order_by("dimension", "metric", "group", "pk")
        if b.created_at <= as_of
    ]
    bias_justifications = [
        j for j in assessment.bias_justifications.select_related("created_by") if j.created_at <= as_of
    ]
    bias_mitigations = [
        m
        for m in assessment.bias_mitigations.filter(kind="approval").select_related("created_by")
        if m.created_at <= as_of
    ]
    question_comments = [
        c
        for c in assessment.question_comments.select_related("author").order_by("review_round", "created_at", "pk")
        if c.created_at <= as_of
    ]
    for comment in question_comments:
        if comment.shared_at is not None and comment.shared_at > as_of:
            comment.shared_at, comment.sign_off_id = None, None
    withheld_seqs = frozenset()
    if dossier is None:
        shared = shared_comment_ids(entries)
        withheld_seqs = frozenset(e.seq for e in entries if is_withheld_comment(e, shared))
        question_comments = [c for c in question_comments if c.shared_at is not None]
    actor_ids = {e.actor_id for e in entries if e.actor_id}
    people = {u.pk: u for u in get_user_model().objects.filter(pk__in=actor_ids)} if actor_ids else {}
    draft = dossier is None
    return DossierRecord(
        assessment=assessment,
        draft=draft,
        document_id=dossier.document_id if dossier else document_id(assessment, draft=True),
        issued_at=now,
        checkpoint=dossier.checkpoint if dossier else audit_checkpoint_now(),
        as_of=as_of,
        upto_seq=dossier.approval_seq if dossier else None,
        sign_offs=sign_offs,
        conditions=conditions,
        bias_rows=bias_rows,
        bias_justifications=bias_justifications,
        bias_mitigations=bias_mitigations,
        question_comments=question_comments,
        withheld_seqs=withheld_seqs,
        entries=entries,
        people=people,
        decision=dossier.decision if dossier else State.APPROVED.value,
        decision_comment=deciding.comment if deciding is not None else "",
        decided_by=person_name(people[deciding.actor_id]) if deciding and deciding.actor_id in people else "",
    )


# -- the document -----------------------------------------------------------------------------


def _nist_rows(questionnaire, answers):
    _, texts = nist_texts()
    visible = questionnaire.visible_answers(answers)
    addressing = {}
    for question in questionnaire.questions.values():
        if question.id not in visible:
            continue
        for ref in question.nist:
            addressing.setdefault(ref, []).append(question.text)
    functions = []
    for function in NIST_FUNCTIONS:
        refs = [r for r in questionnaire.all_nist_subcategories() if r.startswith(function + " ")]
        rows = [{"id": r, "text": texts.get(r, ""), "questions": addressing.get(r, [])} for r in refs]
        functions.append(
            {
                "function": function,
                "text": NIST_FUNCTION_TEXT[function],
                "rows": rows,
                "covered": sum(1 for r in rows if r["questions"]),
            }
        )
    return functions


def _stage_table(record):
    """The five stages of the deciding round: who signed, when, what they decided."""
    a = record.assessment
    latest = {}
    for sign_off in record.sign_offs:
        if sign_off.review_round == a.review_round:
            latest[sign_off.stage] = sign_off
    by_sign_off = {}
    for condition in record.conditions:
        by_sign_off.setdefault(condition.sign_off_id, []).append(condition)
    return [
        {
            "role": roles.DOMAIN_LABELS[domain],
            "sign_off": latest.get(domain),
            "signer": person_name(latest[domain].reviewer) if domain in latest else "",
            "when": utc(latest[domain].created_at) if domain in latest else "",
            "conditions": by_sign_off.get(latest[domain].pk, []) if domain in latest else [],
        }
        for domain in roles.DOMAINS
    ]


def _rounds(record):
    by_sign_off = {}
    for condition in record.conditions:
        by_sign_off.setdefault(condition.sign_off_id, []).append(condition)
    rounds = {}
    for sign_off in record.sign_offs:
        rounds.setdefault(sign_off.review_round, []).append(
            {
                "sign_off": sign_off,
                "role": roles.DOMAIN_LABELS.get(sign_off.stage, sign_off.stage),
                "signer": person_name(sign_off.reviewer),
                "when": utc(sign_off.created_at),
                "invalidated": utc(sign_off.invalidated_at),
                "conditions": by_sign_off.get(sign_off.pk, []),
            }
        )
    return [{"round": n, "rows": rows} for n, rows in sorted(rounds.items())]


DECISION_WORDS = {
    State.APPROVED.value: "Approved",
    State.REJECTED.value: "Rejected",
    State.WITHDRAWN.value: "Withdrawn",
}


def _decision(record):
    if not record.draft:
        return DECISION_WORDS[record.decision]
    state = record.assessment.get_state_display()
    return f"Not approved: {state.lower()}" if record.assessment.state != State.DRAFT else "Not submitted: draft"


def record_context(record):
    a = record.assessment
    questionnaire = record.questionnaire
    risk = risk_breakdown(questionnaire, a.risk_score or {})
    events = timeline(
        questionnaire, record.entries, record.people, withhold_pending_comments=bool(record.withheld_seqs)
    )
    for event in events:
        event["stamp"] = timezone.localtime(event["entry"].created_at, UTC).strftime("%Y-%m-%d %H:%M:%S")
        event["word_changes"] = [
            {"text": _clip(row["text"], 40), "words": _shortened(row["words"])} for row in event["changes"]
        ]
    today = timezone.localdate(record.as_of)
    source, _ = nist_texts()
    steps = condition_steps(record.entries)
    return {
        "record": record,
        "a": a,
        "questionnaire": questionnaire,
        "issuer": settings.DOSSIER_ISSUER,
        "decision": _decision(record),
        "decision_comment": record.decision_comment,
        "decided_by": record.decided_by,
        "risk_name": RISK_NAMES.get(a.risk_level, "Not scored"),
        "summary": display_answer(
            questionnaire.questions.get("overview.feature_summary"), a.answers.get("overview.feature_summary")
        ),
        "owner": person_name(a.feature.owner),
        "dates": {
            "created": utc(a.created_at),
            "submitted": utc(a.submitted_at),
            "decided": utc(a.decided_at) if a.decided_at and a.decided_at <= record.as_of else "",
            "issued": utc(record.issued_at),
            "as_of": utc(record.as_of),
            "w3c": timezone.localtime(record.issued_at, UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        },
        "answer_sections": answer_sections(questionnaire, a.answers),
        "hard_stops": questionnaire.hard_stops(a.answers),
        "risk": risk,
        "nist": _nist_rows(questionnaire, a.answers),
        "nist_source": source,
        "coverage": coverage_for_page(questionnaire, a.answers) if maps_beyond_nist(questionnaire) else [],
        **bias_chapter_context(record),
        "stages": _stage_table(record),
        "comment_rounds": _comment_rounds(record),
        "rounds": _rounds(record),
        "conditions": [
            {
                "condition": c,
                "due": "Before launch" if c.before_launch and not c.due_date else utc_date(c.due_date),
                "before_launch": c.before_launch,
                "closed": utc(c.closed_at),
                "overdue": c.is_overdue(today),
                "steps": steps.get(c.pk, []),
            }
            for c in record.conditions
        ],
        "events": events,
        "decision_labels": dict(SignOff.Decision.choices),
        "attachment_name": ATTACHMENT_NAME,
        "stylesheet": stylesheet(),
    }


# An unchanged passage longer than this is shortened to its ends in the dossier (the attachment has it whole).
UNCHANGED_SHOWN = 120


def _shortened(segments):
    """Word-level change segments with each long unchanged passage cut to its ends, around an ellipsis."""
    keep = UNCHANGED_SHOWN // 2
    return [
        {
            "op": s.op,
            "text": s.text if s.changed or len(s.text) <= UNCHANGED_SHOWN else f"{s.text[:keep]} … {s.text[-keep:]}",
        }
        for s in segments
    ]


def _comment_rounds(record):
    """Comments on answers per review round, newest round first, each thread under its question."""
    rounds = {}
    for comment in record.question_comments:
        rounds.setdefault(comment.review_round, []).append(comment)
    return [
        {"round": n, "threads": list(comment_threads(record.questionnaire, comments, record.entries).values())}
        for n, comments in sorted(rounds.items(), reverse=True)
    ]


def _clip(text, limit):
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def record_html(record):
    return render_to_string("reports/dossier.html", record_context(record))
