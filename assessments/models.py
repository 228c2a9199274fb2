"""Features, their assessments, sign-offs, conditions, bias evidence and the audit log.

``Assessment.state`` is a protected django-fsm field: it changes only through the
transition methods below, and those are called only by ``assessments.services``.
"""

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import models
from django.utils import timezone
from django_fsm import GET_STATE, ConcurrentTransitionMixin, FSMField, transition
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from committee import roles

from . import canonical
from .permissions import may_act_for_team, may_sign_off


class State(models.TextChoices):
    DRAFT = "draft", "Draft"
    LEGAL_REVIEW = "legal_review", "Legal review"
    SECURITY_REVIEW = "security_review", "Security review"
    CLINICAL_REVIEW = "clinical_review", "Clinical review"
    PRODUCT_REVIEW = "product_review", "Product review"
    DATA_AI_REVIEW = "data_ai_review", "Data/AI review"
    APPROVED = "approved", "Approved"
    LAUNCHED = "launched", "Launched"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"
    REJECTED = "rejected", "Rejected"
    WITHDRAWN = "withdrawn", "Withdrawn"
    REASSESSMENT_DUE = "reassessment_due", "Re-assessment due"
    RETIRED = "retired", "Retired"
    SUPERSEDED = "superseded", "Superseded"


# Review stage of each domain, in the committee's order.
STAGE_STATE = {
    roles.LEGAL: State.LEGAL_REVIEW,
    roles.SECURITY: State.SECURITY_REVIEW,
    roles.CLINICAL: State.CLINICAL_REVIEW,
    roles.PRODUCT: State.PRODUCT_REVIEW,
    roles.DATA_AI: State.DATA_AI_REVIEW,
}
STATE_STAGE = {state: domain for domain, state in STAGE_STATE.items()}
REVIEW_STATES = tuple(STAGE_STATE.values())
NEXT_AFTER_APPROVAL = {
    State.LEGAL_REVIEW: State.SECURITY_REVIEW,
    State.SECURITY_REVIEW: State.CLINICAL_REVIEW,
    State.CLINICAL_REVIEW: State.PRODUCT_REVIEW,
    State.PRODUCT_REVIEW: State.DATA_AI_REVIEW,
    State.DATA_AI_REVIEW: State.APPROVED,
}


def _nobody(instance, user):
    return False


# Answers may be edited only here.
EDITABLE_STATES = (State.DRAFT, State.CHANGES_REQUESTED)
WITHDRAWABLE_STATES = (State.DRAFT, State.CHANGES_REQUESTED, *REVIEW_STATES)
TERMINAL_STATES = (State.REJECTED, State.WITHDRAWN, State.RETIRED, State.SUPERSEDED)


def content_hash_of(feature_name, questionnaire_version, answers):
    """What a sign-off binds to: SHA-256 of the feature's name, the questionnaire version and the answers."""
    return canonical.sha256_of(
        {"feature": feature_name, "questionnaire_version": questionnaire_version, "answers": answers}
    )


class Team(models.Model):
    """A product team. Its members act for its assessments through its group."""

    slug = models.SlugField(unique=True, max_length=60)
    name = models.CharField(max_length=200)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="teams", blank=True)
    group = models.OneToOneField(Group, on_delete=models.PROTECT, related_name="team", editable=False)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.group_id:
            self.group, _ = Group.objects.get_or_create(name=roles.team_group_name(self.slug))
        super().save(*args, **kwargs)

    def has_member(self, user):
        return user.is_authenticated and self.members.filter(pk=user.pk).exists()


class AIFeature(models.Model):
    """A proposed AI tool or feature. Each review cycle is one Assessment version."""

    name = models.CharField(max_length=200)
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="features")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_features")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = "AI feature"
        constraints = [models.UniqueConstraint(fields=["team", "name"], name="unique_feature_name_per_team")]

    def __str__(self):
        return self.name


class Assessment(ConcurrentTransitionMixin, models.Model):
    """One review cycle of an AI feature: the answers, their risk, and the sign-off state."""

    feature = models.ForeignKey(AIFeature, on_delete=models.PROTECT, related_name="assessments")
    version = models.PositiveIntegerField(default=1)
    questionnaire_version = models.CharField(max_length=20)
    answers = models.JSONField(default=dict, blank=True)
    state = FSMField(default=State.DRAFT, choices=State.choices, protected=True, db_index=True)
    risk_level = models.PositiveSmallIntegerField(null=True, blank=True, db_index=True)
    risk_score = models.JSONField(default=dict, blank=True, help_text="The risk calculation's breakdown.")
    content_hash = models.CharField(max_length=64, blank=True)
    # Each submit or resubmit opens a new review round; sign-offs belong to one round.
    review_round = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    stage_entered_at = models.DateTimeField(null=True, blank=True, db_index=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    launched_at = models.DateTimeField(null=True, blank=True)
    next_review_due = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-updated_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["feature", "version"], name="unique_assessment_version")]
        permissions = [("sign_off_assessment", "Can sign off the current review stage")]

    def __str__(self):
        return f"{self.feature.name} v{self.version}"

    # -- what the policy asks of the assessment -------------------------------------------

    @property
    def stage(self):
        """The domain whose sign-off is due now, or None outside review."""
        return STATE_STAGE.get(self.state)

    @property
    def team(self):
        return self.feature.team

    def is_editable(self):
        return self.state in EDITABLE_STATES

    def compute_content_hash(self):
        return content_hash_of(self.feature.name, self.questionnaire_version, self.answers)

    def submit_blockers(self):
        """Readable reasons why the answers cannot go to the committee yet."""
        from .questionnaire import get_questionnaire

        return get_questionnaire(self.questionnaire_version).submit_blockers(self.answers)

    def approval_blockers(self):
        """Readable reasons why the current stage cannot be approved yet."""
        from .bias import bias_evidence_blockers

        reasons = []
        if self.content_hash != self.compute_content_hash():
            reasons.append("The answers changed since they were submitted; they must be resubmitted.")
        if self.state == State.DATA_AI_REVIEW:
            reasons.extend(bias_evidence_blockers(self))
            missing = self.missing_sign_offs()
            if missing:
                labels = ", ".join(roles.DOMAIN_LABELS[d] for d in missing)
                reasons.append(f"Valid sign-offs of this round are missing from: {labels}.")
        return reasons

    def missing_sign_offs(self):
        """Domains before the current stage without a valid approval bound to the current content."""
        if self.stage is None:
            return []
        earlier = roles.DOMAINS[: roles.DOMAINS.index(self.stage)]
        signed = set(
            self.sign_offs.filter(
                review_round=self.review_round,
                decision=SignOff.Decision.APPROVED,
                content_hash=self.content_hash,
                invalidated_at__isnull=True,
            ).values_list("stage", flat=True)
        )
        return [d for d in earlier if d not in signed]

    def _submit_ok(self):
        return not self.submit_blockers()

    def _approve_ok(self):
        return not self.approval_blockers()

    # -- the state machine; call only from assessments.services ---------------------------

    @transition(
        field=state, source=State.DRAFT, target=State.LEGAL_REVIEW, conditions=[_submit_ok], permission=may_act_for_team
    )
    def submit(self):
        pass

    @transition(
        field=state,
        source=State.CHANGES_REQUESTED,
        target=State.LEGAL_REVIEW,
        conditions=[_submit_ok],
        permission=may_act_for_team,
    )
    def resubmit(self):
        pass

    @transition(
        field=state,
        source=REVIEW_STATES,
        target=GET_STATE(lambda self: NEXT_AFTER_APPROVAL[self.state], states=list(NEXT_AFTER_APPROVAL.values())),
        conditions=[_approve_ok],
        permission=may_sign_off,
    )
    def approve(self):
        pass

    @transition(field=state, source=REVIEW_STATES, target=State.CHANGES_REQUESTED, permission=may_sign_off)
    def request_changes(self):
        pass

    @transition(field=state, source=REVIEW_STATES, target=State.REJECTED, permission=may_sign_off)
    def reject(self):
        pass

    @transition(field=state, source=WITHDRAWABLE_STATES, target=State.WITHDRAWN, permission=may_act_for_team)
    def withdraw(self):
        pass

    @transition(field=state, source=State.APPROVED, target=State.LAUNCHED, permission=may_act_for_team)
    def launch(self):
        pass

    @transition(field=state, source=State.LAUNCHED, target=State.REASSESSMENT_DUE, permission=may_act_for_team)
    def start_reassessment(self):
        pass

    @transition(
        field=state, source=(State.LAUNCHED, State.REASSESSMENT_DUE), target=State.RETIRED, permission=may_act_for_team
    )
    def retire(self):
        pass

    @transition(
        field=state,
        source=(State.APPROVED, State.LAUNCHED, State.REASSESSMENT_DUE),
        target=State.SUPERSEDED,
        permission=_nobody,
    )
    def supersede(self):
        """Not a user action: a newer version of the feature was approved."""


class AssessmentGroupObjectPermission(GroupObjectPermissionBase):
    """Per-assessment group permissions with a real foreign key (django-guardian's direct model):
    indexed joins for lists of thousands of assessments, and no orphaned grants."""

    content_object = models.ForeignKey(Assessment, on_delete=models.CASCADE)


class AssessmentUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Assessment, on_delete=models.CASCADE)


class SignOff(models.Model):
    """A committee member's decision at one stage, bound to the content it saw."""

    class Decision(models.TextChoices):
        APPROVED = "approved", "Approved"
        CHANGES_REQUESTED = "changes_requested", "Changes requested"
        REJECTED = "rejected", "Rejected"

    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="sign_offs")
    stage = models.CharField(max_length=20, choices=[(d, roles.DOMAIN_LABELS[d]) for d in roles.DOMAINS])
    review_round = models.PositiveIntegerField()
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="sign_offs")
    decision = models.CharField(max_length=20, choices=Decision.choices)
    comment = models.TextField(blank=True)
    content_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    invalidated_at = models.DateTimeField(null=True, blank=True)
    invalidated_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            # One decision per stage per round: the database refuses a second sign-off.
            models.UniqueConstraint(fields=["assessment", "review_round", "stage"], name="one_sign_off_per_stage_round")
        ]

    def __str__(self):
        return f"{self.get_stage_display()} {self.get_decision_display()} by {self.reviewer}"

    @property
    def is_valid(self):
        return self.invalidated_at is None


class Condition(models.Model):
    """Something the team must do, set by a reviewer when approving."""

    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="conditions")
    sign_off = models.ForeignKey(SignOff, on_delete=models.PROTECT, related_name="conditions", null=True, blank=True)
    text = models.TextField(max_length=2000)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="conditions")
    due_date = models.DateField()
    met = models.BooleanField(default=False)
    met_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["due_date", "pk"]

    def __str__(self):
        return self.text[:80]


class BiasResult(models.Model):
    """One group's result on one fairness metric (DESIGN section 5)."""

    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="bias_results")
    dimension = models.CharField(max_length=50)
    group = models.CharField(max_length=100)
    sample_size = models.PositiveIntegerField()
    metric = models.CharField(max_length=100)
    value = models.FloatField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["dimension", "metric", "group"]

    def __str__(self):
        return f"{self.dimension}/{self.group} {self.metric}={self.value}"


class AuditEntryQuerySet(models.QuerySet):
    def delete(self):
        raise PermissionError("The audit log is append-only.")

    def update(self, **kwargs):
        raise PermissionError("The audit log is append-only.")


def audit_payload(
    *,
    seq,
    assessment_id,
    actor_id,
    actor_username,
    action,
    transition,
    from_state,
    to_state,
    comment,
    content_hash,
    details,
    created_at,
    prev_hash,
):
    """What a row's hash covers, as the database returns it (``created_at`` as a datetime)."""
    return {
        "seq": seq,
        "assessment_id": assessment_id,
        "actor_id": actor_id,
        "actor_username": actor_username,
        "action": action,
        "transition": transition,
        "from_state": from_state,
        "to_state": to_state,
        "comment": comment,
        "content_hash": content_hash,
        "details": details,
        "created_at": canonical.timestamp(created_at),
        "prev_hash": prev_hash,
    }


class AuditEntry(models.Model):
    """One row of the append-only, hash-chained audit log.

    ``entry_hash`` is SHA-256 over the row's RFC 8785 canonical JSON including the
    previous row's hash, so altering, deleting or inserting any row breaks the chain.
    ``signature`` is the signing key's Ed25519 signature of ``(seq, entry_hash)``:
    it is outside the hash and lets the verifier name the first row of a rewritten
    stretch. ``assessment_id`` is kept without a database constraint so that even
    a deleted assessment leaves its trail (and its removal is detected).
    """

    class Action(models.TextChoices):
        CREATED = "created", "Created"
        TRANSITION = "transition", "Transition"
        ANSWERS_CHANGED = "answers_changed", "Answers changed"
        BIAS_EVIDENCE_ADDED = "bias_evidence_added", "Bias evidence added"
        CONDITION_MET = "condition_met", "Condition met"
        SIGN_OFF_INVALIDATED = "sign_off_invalidated", "Sign-off invalidated"

    # Assigned by the appender as the chain's next number, so the hash can cover it.
    seq = models.BigIntegerField(primary_key=True)
    assessment = models.ForeignKey(
        Assessment, on_delete=models.DO_NOTHING, db_constraint=False, related_name="audit_entries"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, db_constraint=False, null=True, related_name="+"
    )
    actor_username = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=30, choices=Action.choices)
    transition = models.CharField(max_length=30, blank=True)
    from_state = models.CharField(max_length=30, blank=True)
    to_state = models.CharField(max_length=30, blank=True)
    comment = models.TextField(blank=True)
    content_hash = models.CharField(max_length=64, blank=True)
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField()
    prev_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64, unique=True)
    # Empty when the row was appended while no signing key was configured.
    key_id = models.CharField(max_length=16, blank=True)
    signature = models.CharField(max_length=100, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["seq"]
        verbose_name_plural = "audit entries"

    def __str__(self):
        return f"#{self.pk} {self.action} {self.from_state}->{self.to_state}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("The audit log is append-only.")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The audit log is append-only.")

    def hashed_payload(self):
        return audit_payload(
            seq=self.seq,
            assessment_id=self.assessment_id,
            actor_id=self.actor_id,
            actor_username=self.actor_username,
            action=self.action,
            transition=self.transition,
            from_state=self.from_state,
            to_state=self.to_state,
            comment=self.comment,
            content_hash=self.content_hash,
            details=self.details,
            created_at=self.created_at,
            prev_hash=self.prev_hash,
        )

    def compute_hash(self):
        return canonical.sha256_of(self.hashed_payload())


class AuditChainHead(models.Model):
    """The single row naming the chain's last entry, signed; appends lock it to serialise.

    ``signature`` is the signing key's Ed25519 signature of the checkpoint
    ``(last_seq, last_hash, signed_at, key_id)``: moving the head (truncating the
    log, or appending rows without the service) needs the private key.
    """

    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default=canonical.GENESIS_HASH)
    signed_at = models.DateTimeField(null=True, blank=True)
    key_id = models.CharField(max_length=16, blank=True)
    signature = models.CharField(max_length=100, blank=True)

    class Meta:
        verbose_name = "audit chain head"

    def __str__(self):
        return f"Audit chain head at row {self.last_seq}"


class AuditSigningKey(models.Model):
    """The public half of a key that signed the audit log, and when it was in use.

    Recorded by the appender when a key first signs; the previous key's period
    ends then (rotation). The verifier trusts only public keys it is given
    outside the database; these rows add the validity periods.
    """

    key_id = models.CharField(max_length=16, primary_key=True)
    public_key = models.TextField(help_text="PEM (SubjectPublicKeyInfo).")
    valid_from = models.DateTimeField()
    valid_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["valid_from"]

    def __str__(self):
        return f"Audit signing key {self.key_id}"
