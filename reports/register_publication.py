"""Publishing the register text of a feature, with review (DESIGN section 8).

The team drafts the text; a Legal reviewer or the committee chair publishes it; only published text is public.
A change to published text is a new draft, and the published text stays public until the draft is published
in its place. Retraction takes the feature off the register in every format. Publication and retraction are
entries in the audit chain, on the feature's listed version, in the same transaction as the change.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from accounts import roles
from assessments.audit import audit_event
from assessments.canonical import sha256_of, unstorable_text
from assessments.errors import InputError, NotPermitted, Reason, TransitionConflict
from assessments.models import AIFeature, Assessment, AuditEntry
from assessments.questionnaire import get_questionnaire
from assessments.readability import flesch_kincaid_grade

from . import register
from .models import RegisterText
from .register_formats import algoritmeregister_problems, algoritmeregister_record

# Field: (label, longest text, whether it is prose the readability gate applies to).
FIELDS = {
    "contact_email": ("Team contact address", 254, False),
    "senior_responsible_owner": ("Senior responsible owner (a role title)", 200, False),
    "supplier": ("Supplier (empty when built in-house)", 199, False),
    "data_used": ("The data the feature uses", 2499, True),
    "human_oversight": ("How people oversee the feature", 2499, True),
    "how_to_complain": ("How to complain or appeal", 2499, True),
    "impact_assessments": ("Impact assessments done", 2499, True),
}
REQUIRED = (
    "contact_email",
    "senior_responsible_owner",
    "data_used",
    "human_oversight",
    "how_to_complain",
    "impact_assessments",
)


def may_publish(user):
    """Legal reviewers and the committee chair publish and retract register text."""
    return roles.user_has_role(user, roles.LEGAL) or roles.user_has_role(user, roles.CHAIR)


def listed_version(feature):
    """The feature's version the register lists, or None (not approved, launched or under re-assessment)."""
    return (
        Assessment.objects.filter(feature=feature, state__in=register.REGISTER_STATES)
        .select_related("feature__team")
        .order_by("-version")
        .first()
    )


def text_version(text):
    """The version of a register text: the SHA-256 of its fields (of empty fields when there is no text).

    A form carries the version it showed; the services compare it under the feature's lock, so a change saved
    meanwhile is refused, never overwritten or published unseen.
    """
    return sha256_of({name: getattr(text, name) if text is not None else "" for name in FIELDS})


def current_text(feature):
    """The text a new draft starts from: the draft, else the published text, else None."""
    texts = RegisterText.objects.filter(
        feature=feature, status__in=[RegisterText.Status.DRAFT, RegisterText.Status.PUBLISHED]
    )
    return min(texts, key=lambda text: text.status != RegisterText.Status.DRAFT, default=None)


def _refuse_stale(expected_version, text, message):
    if expected_version != text_version(text):
        raise TransitionConflict(message, code="stale_register_text")


def register_text_draft(*, feature, by, values, expected_version=None):
    """Save the team's draft of ``feature``'s register text (creating it if there is none).

    Guarantees: only a member of the feature's team drafts; every value is text within its limit; with
    ``expected_version`` (``text_version`` of the text the editor read: the draft, else the published text), a
    change saved or published by someone else since is a TransitionConflict (``stale_register_text``, compared
    under the feature's lock), never overwritten; the published text, if any, is untouched and stays public
    until this draft is published.
    """
    if not feature.team.has_member(by):
        raise NotPermitted(f"Only members of the team {feature.team.name} may draft its register text.")
    if not isinstance(values, dict):
        raise InputError({"values": "Give the register text as fields."})
    errors = {}
    cleaned = {}
    for name, value in values.items():
        if name not in FIELDS:
            errors[str(name)[:100]] = "Not a field of the register text."
            continue
        label, limit, _ = FIELDS[name]
        if not isinstance(value, str):
            errors[name] = f"{label}: must be text."
            continue
        value = value.strip()
        problem = unstorable_text(value)
        if problem:
            errors[name] = f"{label}: {problem}"
        elif len(value) > limit:
            errors[name] = f"{label}: {len(value)} characters; the limit is {limit}."
        elif name == "contact_email" and value:
            try:
                validate_email(value)
            except ValidationError:
                errors[name] = f"{label}: {value!r} is not an email address."
        cleaned[name] = value
    if errors:
        raise InputError(errors, message="Some fields of the register text are not valid.")
    with transaction.atomic():
        AIFeature.objects.select_for_update().get(pk=feature.pk)
        current = current_text(feature)
        if expected_version is not None:
            _refuse_stale(
                expected_version,
                current,
                "Someone else changed this register text after you opened it; your text was not saved.",
            )
        if current is not None and current.status == RegisterText.Status.DRAFT:
            draft = current
        else:
            start = {name: getattr(current, name) for name in FIELDS} if current else {}
            draft = RegisterText(feature=feature, **start)
        for name, value in cleaned.items():
            setattr(draft, name, value)
        draft.drafted_by = by
        draft.drafted_at = timezone.now()
        draft.save()
    return draft


def publication_blockers(text, assessment):
    """Why ``text`` cannot be published now, as reasons (empty when it can)."""
    reasons = []
    if assessment is None:
        reasons.append(Reason("not_listed", "Only a feature with an approved or launched version is on the register."))
    if not text.contact_email:
        reasons.append(
            Reason(
                "contact_missing",
                "Add a team contact address: both public register standards require one, and people need it "
                "to ask about the feature.",
                "contact_email",
            )
        )
    for name in REQUIRED:
        if name != "contact_email" and not getattr(text, name):
            reasons.append(Reason("field_missing", f"Fill in: {FIELDS[name][0]}.", name))
    limit = settings.DISCLOSURE_MAX_GRADE
    for name, (label, _, prose) in FIELDS.items():
        value = getattr(text, name)
        if prose and value:
            grade = flesch_kincaid_grade(value)
            if grade > limit:
                reasons.append(
                    Reason(
                        "text_too_hard",
                        f"{label} reads at grade {grade:.1f}; plain language means grade {limit} or lower. "
                        "Use shorter sentences and simpler words.",
                        name,
                    )
                )
    if assessment is not None:
        for field, message in algoritmeregister_problems(algoritmeregister_record(preview_entry(text, assessment))):
            if field != "contact_email":  # said above, in the register text's own words
                reasons.append(Reason("dutch_register_limit", message, field))
    return reasons


def preview_entry(text, assessment):
    """The export entry ``text`` would give with the listed version ``assessment``: what the reviewer approves."""
    questionnaire = get_questionnaire(assessment.questionnaire_version)
    entry = register.register_entry(assessment, questionnaire=questionnaire, last_bias_on=None, text=text)
    return register.export_entry(entry, assessment, questionnaire)


def register_text_publish(*, text, by, comment="", expected_version=None):
    """Publish a draft register text in place of the feature's published one.

    Guarantees: only Legal or the chair, never a member of the feature's team; exactly the text the publisher
    read: ``expected_version`` (by default the version of ``text`` as given) is compared under the feature's
    lock, and a draft changed since is a TransitionConflict (``stale_register_text``), not published; never
    without a contact address, plain language in every prose field and a record the Dutch register accepts;
    the previous published text becomes ``replaced``; one audit entry; the cached register is forgotten on
    commit.
    """
    if expected_version is None:
        expected_version = text_version(text)
    if not may_publish(by):
        raise NotPermitted("Only Legal reviewers and the committee chair may publish register text.")
    if text.feature.team.has_member(by):
        raise NotPermitted("Nobody publishes the register text of their own team's feature.", code="own_team")
    with transaction.atomic():
        AIFeature.objects.select_for_update().get(pk=text.feature_id)
        text = RegisterText.objects.select_related("feature__team").get(pk=text.pk)
        if text.status != RegisterText.Status.DRAFT:
            raise TransitionConflict("Only a draft can be published; this text is " + text.get_status_display())
        _refuse_stale(
            expected_version,
            text,
            "The draft was changed after you opened it; it was not published. Read it again before publishing.",
        )
        assessment = listed_version(text.feature)
        reasons = publication_blockers(text, assessment)
        if reasons:
            raise TransitionConflict("The register text cannot be published yet.", reasons=reasons)
        now = timezone.now()
        RegisterText.objects.filter(feature=text.feature, status=RegisterText.Status.PUBLISHED).update(
            status=RegisterText.Status.REPLACED
        )
        text.status = RegisterText.Status.PUBLISHED
        text.reviewed_by, text.reviewed_at = by, now
        text.save(update_fields=["status", "reviewed_by", "reviewed_at"])
        audit_event(
            assessment,
            actor=by,
            action=AuditEntry.Action.REGISTER_PUBLISHED,
            comment=comment,
            details={"register_text": text.pk, "text": {name: getattr(text, name) for name in FIELDS}},
        )
        register.register_changed()
    return text


def register_text_retract(*, feature, by, reason):
    """Take the feature's published text, and so the feature, off the register in every format.

    Guarantees: only Legal or the chair; a reason is required; one audit entry; the cached register is
    forgotten on commit. Publishing a text again puts the feature back.
    """
    if not may_publish(by):
        raise NotPermitted("Only Legal reviewers and the committee chair may retract register text.")
    reason = reason.strip() if isinstance(reason, str) else ""
    if not reason:
        raise InputError({"reason": "Say why the entry is retracted."})
    if unstorable_text(reason):
        raise InputError({"reason": "The reason " + unstorable_text(reason)})
    with transaction.atomic():
        AIFeature.objects.select_for_update().get(pk=feature.pk)
        text = RegisterText.objects.filter(feature=feature, status=RegisterText.Status.PUBLISHED).first()
        if text is None:
            raise TransitionConflict("This feature has no published register text to retract.", code="not_published")
        text.status = RegisterText.Status.RETRACTED
        text.retracted_by, text.retracted_at, text.retraction_reason = by, timezone.now(), reason
        text.save(update_fields=["status", "retracted_by", "retracted_at", "retraction_reason"])
        assessment = listed_version(feature) or feature.assessments.order_by("-version").first()
        audit_event(
            assessment,
            actor=by,
            action=AuditEntry.Action.REGISTER_RETRACTED,
            comment=reason,
            details={"register_text": text.pk},
        )
        register.register_changed()
    return text
