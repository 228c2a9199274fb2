"""The public transparency register (DESIGN section 8): every live AI feature, for anyone, without login.

One definition of what the register says, read by the page (``/register/``), its
JSON (``/register.json``) and the API (``GET /api/v1/register/``), so the three
never differ.

What is listed: for each feature, its current version in ``approved``,
``launched`` or ``reassessment_due``. A feature under re-assessment is still
live as approved (its new version is a draft until approved), so it stays
listed, marked as under review. Drafts, review stages, changes requested,
rejected, withdrawn, retired and superseded versions are never listed; when a
new version is approved, the old one is superseded and the new one takes its
place.

The register is built once and kept in Django's cache (``CACHES["default"]``;
production shares it between processes through ``CACHE_URL``) under a
generation token. Any change that can alter it (a transition into or out of
those states, an audited change of a listed version, a save of a feature, a
team, an assessment in those states or a bias result) replaces the token when
its transaction commits, so the next request builds it afresh. ``TTL`` bounds
how long a process without a shared cache may serve an old copy.
"""

import hashlib
import json
import uuid
from datetime import datetime

from django.core.cache import cache
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from assessments.coverage import ANNEX_III_USE, article_27_applies
from assessments.models import Assessment, BiasResult, State
from assessments.questionnaire import AUDIENCE, DISCLOSURE, get_questionnaire
from assessments.states import REGISTER_STATES

from .models import RegisterText

STATUS_TEXT = {
    State.APPROVED: "Approved; not launched yet",
    State.LAUNCHED: "Live",
    State.REASSESSMENT_DUE: "Live; being re-assessed",
}
# What every listed feature does not do: the policy's clinical boundary, which each version was checked against
# (the three clinical questions are hard stops: a version answering yes cannot be submitted).
POLICY_STATEMENT = (
    "This feature does not provide therapy, diagnose or treat any condition, or make clinical decisions. "
    "Our Responsible AI policy forbids AI from doing these: people provide care."
)
# The same promise for the whole register.
POLICY_PROMISE = (
    "None of these features provides therapy, diagnoses or treats any condition, or makes clinical decisions: "
    "our Responsible AI policy forbids AI from doing these. People provide care."
)
WHAT_IT_DOES_NOT_DO = "transparency.what_it_does_not_do"
OVERSIGHT_LEVEL = "oversight.human_in_the_loop"
OVERSIGHT_DESCRIPTION = "oversight.human_oversight_description"

# The register text a team drafts and Legal or the chair publishes (reports.register_publication).
REGISTER_TEXT_FIELDS = (
    "contact_email",
    "senior_responsible_owner",
    "supplier",
    "data_used",
    "human_oversight",
    "how_to_complain",
    "impact_assessments",
)

GENERATION_KEY = "reports:register:generation"
SNAPSHOT_KEY = "reports:register:snapshot:{generation}"
TTL = 300  # seconds


def register_assessments():
    """The listed version of each feature: its latest version in a register state."""
    rows = (
        Assessment.objects.filter(state__in=REGISTER_STATES)
        .select_related("feature__team")
        .only(
            "pk",
            "version",
            "state",
            "answers",
            "questionnaire_version",
            "decided_at",
            "launched_at",
            "next_review_due",
            "feature__name",
            "feature__team__name",
        )
        .order_by("feature_id", "-version")
    )
    listed = {}
    for assessment in rows:
        listed.setdefault(assessment.feature_id, assessment)
    return sorted(listed.values(), key=lambda a: (a.feature.name.casefold(), a.feature.team.name.casefold(), a.pk))


def last_bias_monitoring_dates(assessments):
    """``{assessment id: date}`` of the latest bias measurement of each listed version (one query).

    The one place the register asks when bias was last measured: monitoring results after launch
    (``EvidenceKind.MONITORING``) and the approval's own evidence alike, whichever is newest.
    """
    ids = [a.pk for a in assessments]
    if not ids:
        return {}
    latest = (
        BiasResult.objects.filter(assessment_id__in=ids)
        .values("assessment_id")
        .annotate(latest=Max("created_at"))
        .values_list("assessment_id", "latest")
    )
    return {assessment_id: timezone.localdate(moment) for assessment_id, moment in latest}


def _date(value):
    if value is None:
        return None
    if isinstance(value, datetime):
        value = timezone.localdate(value)
    return value.isoformat()


def _text(value):
    return value.strip() if isinstance(value, str) else ""


def _label(questionnaire, qid, value):
    question = questionnaire.questions.get(qid)
    return question.choice_label(value) if question is not None and value is not None else ""


def register_entry(assessment, *, questionnaire, last_bias_on, text=None):
    """One feature as the register shows it: plain values (strings, lists, ISO dates) only.

    ``text`` is the feature's published ``RegisterText``, or None while none is published.
    """
    answers = questionnaire.visible_answers(assessment.answers)
    audience = answers.get(AUDIENCE) or []
    audience_question = questionnaire.questions.get(AUDIENCE)
    level = answers.get(OVERSIGHT_LEVEL)
    level_question = questionnaire.questions.get(OVERSIGHT_LEVEL)
    return {
        "feature_id": assessment.feature_id,
        "feature": assessment.feature.name,
        "team": assessment.feature.team.name,
        "version": assessment.version,
        "status": str(assessment.state),
        "status_text": STATUS_TEXT[assessment.state],
        "disclosure": _text(answers.get(DISCLOSURE)),
        "audience": [
            {"id": str(value), "label": audience_question.choice_label(value) if audience_question else str(value)}
            for value in audience
        ],
        "policy_statement": POLICY_STATEMENT,
        "what_it_does_not_do": _text(answers.get(WHAT_IT_DOES_NOT_DO)),
        "human_oversight": {
            "review": str(level) if level is not None else None,
            "review_text": level_question.choice_label(level) if level is not None and level_question else "",
            "description": _text(answers.get(OVERSIGHT_DESCRIPTION)),
        },
        "approved_on": _date(assessment.decided_at),
        "launched_on": _date(assessment.launched_at),
        "last_bias_monitoring_on": _date(last_bias_on),
        "last_review_on": _date(assessment.decided_at),
        "next_review_due": _date(assessment.next_review_due),
        # A launched feature whose re-assessment is open: its register text may change.
        "under_review": assessment.state == State.REASSESSMENT_DUE,
        "register_text": register_text_data(text),
    }


def export_entry(entry, assessment, questionnaire):
    """``entry`` with the facts the public standards' formats take from the listed version's answers.

    Exported only for features whose register text Legal or the chair published, having seen these records.
    """
    answers = questionnaire.visible_answers(assessment.answers)
    return {**entry, **assessment_facts(assessment, questionnaire, answers)}


def assessment_facts(assessment, questionnaire, answers):
    """What the public standards' formats take from the listed version's answers (register_formats.py)."""
    scale = answers.get("impact.expected_users_per_month")
    other = answers.get("impact.other_assessments") or []
    return {
        "questionnaire_version": assessment.questionnaire_version,
        "summary": _text(answers.get("overview.feature_summary")),
        "purpose": _text(answers.get("overview.purpose")),
        "benefits": _text(answers.get("impact.benefits")),
        "residual_risks": _text(answers.get("impact.residual_risks")),
        "alternatives": _text(answers.get("impact.alternatives")),
        "care_process": _text(answers.get("overview.care_process")),
        "period_and_frequency": _text(answers.get("overview.period_and_frequency")),
        "scale": f"About {scale:,} people a month at full rollout." if isinstance(scale, int | float) else "",
        "technique": _label(questionnaire, "overview.ai_technique", answers.get("overview.ai_technique")),
        "model": _text(answers.get("overview.model_version")) or _text(answers.get("overview.vendor")),
        "vendor_data_terms": _label(
            questionnaire, "data.vendor_data_retention", answers.get("data.vendor_data_retention")
        ),
        "impact_assessment_titles": [
            "AI impact assessment (Responsible AI Committee)",
            *(_label(questionnaire, "impact.other_assessments", v) for v in other if v != "none"),
        ],
        "article_27_applies": article_27_applies(answers) if ANNEX_III_USE in questionnaire.questions else None,
    }


def register_text_data(text):
    if text is None:
        return None
    return {
        **{field: getattr(text, field) for field in REGISTER_TEXT_FIELDS},
        "published_on": _date(text.reviewed_at),
    }


def register_texts(assessments):
    """``(published texts by feature id, ids of retracted features)`` of the listed features (one query).

    A feature whose text was retracted, with none published since, is off the register in every format.
    """
    ids = [a.feature_id for a in assessments]
    if not ids:
        return {}, set()
    published, retracted = {}, set()
    for text in RegisterText.objects.filter(
        feature_id__in=ids, status__in=[RegisterText.Status.PUBLISHED, RegisterText.Status.RETRACTED]
    ):
        if text.status == RegisterText.Status.PUBLISHED:
            published[text.feature_id] = text
        else:
            retracted.add(text.feature_id)
    return published, retracted - set(published)


def register_data():
    """The register as plain data: ``(public data, export entries)``, read from the database (three queries,
    whatever the number of features). Export entries are those with published register text."""
    assessments = register_assessments()
    texts, retracted = register_texts(assessments)
    assessments = [a for a in assessments if a.feature_id not in retracted]
    bias_dates = last_bias_monitoring_dates(assessments)
    questionnaires = {}
    features = []
    exports = []
    for assessment in assessments:
        version = assessment.questionnaire_version
        if version not in questionnaires:
            questionnaires[version] = get_questionnaire(version)
        entry = register_entry(
            assessment,
            questionnaire=questionnaires[version],
            last_bias_on=bias_dates.get(assessment.pk),
            text=texts.get(assessment.feature_id),
        )
        features.append(entry)
        if entry["register_text"]:
            exports.append(export_entry(entry, assessment, questionnaires[version]))
    return {"policy_statement": POLICY_PROMISE, "count": len(features), "features": features}, exports


def register_snapshot():
    """The register from the cache, built when missing: ``{"data", "exports", "etag", "last_modified"}``."""
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        cache.add(GENERATION_KEY, uuid.uuid4().hex, None)
        generation = cache.get(GENERATION_KEY) or "uncached"
    key = SNAPSHOT_KEY.format(generation=generation)
    snapshot = cache.get(key)
    if snapshot is None:
        # Taken before reading: a change committed while this builds has a later time and a new generation.
        built_at = timezone.now().replace(microsecond=0)
        data, exports = register_data()
        body = json.dumps([data, exports], sort_keys=True, ensure_ascii=True, separators=(",", ":"))
        snapshot = {
            "data": data,
            "exports": exports,
            "etag": hashlib.sha256(body.encode()).hexdigest()[:32],
            "last_modified": built_at,
        }
        cache.set(key, snapshot, TTL)
    return snapshot


def register_invalidate():
    """Forget the cached register now (every process sharing the cache builds it afresh)."""
    cache.set(GENERATION_KEY, uuid.uuid4().hex, None)


def register_changed():
    """Something the register shows changed in the current transaction: forget it once that commits."""
    # robust: the change is committed either way; a cache outage must not turn it into an error (TTL bounds it).
    transaction.on_commit(register_invalidate, robust=True)
