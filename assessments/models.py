"""Features, their assessments, sign-offs, conditions, bias evidence and the audit log.

``Assessment.state`` is a protected django-fsm field: it changes only through the
transition methods below, and those are called only by ``assessments.services``.

The ``@transition`` declarations are the one table of the review workflow:
source, target, permission (who acts, and why anyone else may not: a
``permissions.Permission``, the check the services make) and guards, with the
rest in django-fsm's ``custom`` metadata (label, verb, done message, hint,
whether a comment is required). The method body is the transition's effect on
this assessment. Everything
else (services, permissions, pages, the API and its schema) reads this table
through ``assessments.transitions``.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import models
from django.utils import timezone
from django_fsm import GET_STATE, ConcurrentTransitionMixin, FSMField, transition
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from accounts import roles

from . import canonical, deadlines
from .bias import bias_evidence_blockers
from .errors import Reason
from .evidence_hash import evidence_hash_of
from .permissions import nobody_may, reviewer_may, team_may
from .questionnaire import get_questionnaire
from .states import (  # noqa: F401 (re-exported: the state machine's vocabulary is read as assessments.models.*)
    EDITABLE_STATES,
    NEXT_AFTER_APPROVAL,
    REVIEW_STATES,
    STAGE_STATE,
    STATE_STAGE,
    TERMINAL_STATES,
    WITHDRAWABLE_STATES,
    State,
)


class FollowUp:
    """Work a transition asks the service to do after it, on other assessments (it needs the audit log)."""

    SUPERSEDE_PREVIOUS = "supersede_previous"
    OPEN_NEW_VERSION = "open_new_version"


@dataclass
class TransitionContext:
    """What a transition's body needs: who acts, their input, the moment; what it records for the audit row."""

    by: object  # a user, or services.SYSTEM
    now: datetime
    comment: str = ""
    conditions: list = field(default_factory=list)
    details: dict = field(default_factory=dict)
    sign_off: object = None
    follow_ups: list = field(default_factory=list)
    # Querysets of the rows the body created or changed whose full data the audit row records (audit_records).
    records: list = field(default_factory=list)


def guard(reasons_of):
    """A django-fsm condition from a function returning reasons; evaluated once per assessment and state."""

    def condition(instance):
        return not instance.guard_reasons(reasons_of)

    condition.reasons_of = reasons_of
    condition.__name__ = f"guard_{reasons_of.__name__}"
    return condition


def _submit_reasons(assessment):
    return assessment.submit_blockers()


def _approve_reasons(assessment):
    return assessment.approval_blockers()


def _launch_reasons(assessment):
    return assessment.launch_blockers()


def _bias_reassessment_reasons(assessment):
    if assessment.overdue_monitoring_flags(assessment.guard_moment()):
        return []
    return [Reason("no_overdue_bias_flag", "No monitoring bias flag is past its deadline without a mitigation.")]


class KeepsReminderSchedule:
    """A row that stores when its next reminder falls due (``assessments.deadlines``; moved on: ``committee.schedule``).

    Saving it with a change to what the schedule is computed from (``schedule_basis``) starts the
    schedule again (``schedule_start``); saving it otherwise keeps the schedule the sweeps have moved on.
    """

    schedule_field = ""
    schedule_basis = ()

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._saved_basis = instance._basis()
        return instance

    def refresh_from_db(self, *args, **kwargs):
        super().refresh_from_db(*args, **kwargs)
        if kwargs.get("fields") is None and not args[1:]:
            self._saved_basis = self._basis()

    def _basis(self):
        # A deferred field is not in __dict__; None stands for "not known", which never matches.
        values = tuple(self.__dict__.get(name, _UNKNOWN) for name in self.schedule_basis)
        return None if _UNKNOWN in values else values

    def save(self, *args, **kwargs):
        basis = self._basis()
        if basis is not None and basis != getattr(self, "_saved_basis", None):
            self.schedule_start()
            update_fields = kwargs.get("update_fields")
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, self.schedule_field}
        super().save(*args, **kwargs)
        self._saved_basis = basis


_UNKNOWN = object()


class TeamQuerySet(models.QuerySet):
    def of(self, user):
        """The teams the user is a member of (membership is the team's group)."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(group__user=user)


def content_hash_of(feature_name, questionnaire_version, answers):
    """What a sign-off binds to: SHA-256 of the feature's name, the questionnaire version and the answers."""
    return canonical.sha256_of(
        {"feature": feature_name, "questionnaire_version": questionnaire_version, "answers": answers}
    )


class Team(models.Model):
    """A product team. Its members are the users of its group: the one store of membership."""

    slug = models.SlugField(unique=True, max_length=60)
    name = models.CharField(max_length=200)
    group = models.OneToOneField(Group, on_delete=models.PROTECT, related_name="team", editable=False)

    objects = TeamQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.group_id:
            self.group, _ = Group.objects.get_or_create(name=roles.team_group_name(self.slug))
        super().save(*args, **kwargs)

    @property
    def members(self):
        """The team's members: its group's users (add and remove work on it)."""
        return self.group.user_set

    def has_member(self, user):
        return user.is_authenticated and self.group.user_set.filter(pk=user.pk).exists()


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


class Assessment(KeepsReminderSchedule, ConcurrentTransitionMixin, models.Model):
    """One review cycle of an AI feature: the answers, their risk, and the sign-off state."""

    schedule_field = "next_reminder_at"
    schedule_basis = ("state", "stage_entered_at", "risk_level")

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
    # When the current review stage next needs a reminder (its deadline, then each reminder period and the
    # escalation); NULL outside review. Kept by save() and moved on by the sweep (committee/schedule.py).
    next_reminder_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-updated_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["feature", "version"], name="unique_assessment_version")]
        # One per ordering the pages use, so a page reads its rows in index order and stops after them
        # however many assessments exist.
        indexes = [
            # The list, the API (its cursor) and the admin changelist: newest change first.
            models.Index(fields=["-updated_at", "-id"], name="assessment_updated_idx"),
            # The same, filtered by state (the list's and the admin's state filter).
            models.Index(fields=["state", "-updated_at", "-id"], name="assessment_state_updated_idx"),
            # The review queue and the overdue lists: a stage's assessments, longest waiting first.
            models.Index(fields=["state", "stage_entered_at", "id"], name="assessment_queue_idx"),
            # The auditor's workspace: latest decision first.
            models.Index(fields=["-decided_at", "-updated_at", "-id"], name="assessment_decided_idx"),
            # The stage reminder sweep: only the stages whose next reminder has come.
            models.Index(
                fields=["next_reminder_at"],
                name="assessment_reminder_idx",
                condition=models.Q(next_reminder_at__isnull=False),
            ),
            # The re-review sweeps: launched features by re-review date.
            models.Index(fields=["state", "next_review_due"], name="assessment_rereview_idx"),
        ]
        permissions = [("sign_off_assessment", "Can sign off the current review stage")]

    def __str__(self):
        return f"{self.feature.name} v{self.version}"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        # What was decided about the old row no longer holds for the saved one.
        self.forget_checks()

    def schedule_start(self):
        """The current stage's first reminder is due at its deadline; outside review there is none."""
        entered = self._meta.get_field("stage_entered_at").to_python(self.stage_entered_at)  # as saving reads it
        in_review = self.state in REVIEW_STATES and entered is not None
        self.next_reminder_at = deadlines.stage_due_moment(entered, self.risk_level) if in_review else None

    def forget_checks(self):
        self._guard_memo = {}
        self._actor_facts = {}

    # The clock of the transition being taken (the service sets it), so its guards and its effect see one moment.
    transition_now = None

    def guard_moment(self):
        return self.transition_now or timezone.now()

    # -- what the policy asks of the assessment -------------------------------------------

    @property
    def stage(self):
        """The domain whose sign-off is due now, or None outside review."""
        return STATE_STAGE.get(self.state)

    def is_editable(self):
        return self.state in EDITABLE_STATES

    def compute_content_hash(self):
        return content_hash_of(self.feature.name, self.questionnaire_version, self.answers)

    def guard_reasons(self, reasons_of):
        """The reasons ``reasons_of`` gives now, computed once per state (the service and django-fsm share them)."""
        memo = self.__dict__.setdefault("_guard_memo", {})
        key = (reasons_of.__name__, self.state)
        if key not in memo:
            memo[key] = list(reasons_of(self))
        return memo[key]

    def submit_blockers(self):
        """Why the answers cannot go to the committee yet (structured reasons)."""
        return get_questionnaire(self.questionnaire_version).submit_blockers(self.answers)

    def approval_blockers(self):
        """Why the current stage cannot be approved yet (structured reasons)."""
        reasons = []
        if self.content_hash != self.compute_content_hash():
            reasons.append(
                Reason("answers_changed", "The answers changed since they were submitted; they must be resubmitted.")
            )
        if self.state == State.DATA_AI_REVIEW:
            reasons.extend(bias_evidence_blockers(self))
            missing = self.missing_sign_offs()
            if missing:
                labels = ", ".join(roles.DOMAIN_LABELS[d] for d in missing)
                reasons.append(
                    Reason("sign_offs_missing", f"Valid sign-offs of this round are missing from: {labels}.")
                )
        return reasons

    def launch_blockers(self):
        """Before-launch conditions not yet confirmed met, each as a reason naming it."""
        waiting = (Condition.Status.PROPOSED, Condition.Status.OPEN, Condition.Status.AWAITING_CONFIRMATION)
        conditions = self.conditions.filter(status__in=waiting, before_launch=True).select_related("sign_off")
        return [
            Reason(
                "condition_awaiting_confirmation", f"This condition is met but not yet confirmed: “{_clip(c.text)}”."
            )
            if c.awaits_confirmation
            else Reason("condition_open", f"This condition must be met before launch: “{_clip(c.text)}”.")
            for c in conditions.order_by("pk")
        ]

    def overdue_monitoring_flags(self, now):
        """Monitoring flags past their deadline without a monitoring mitigation, each as a reason naming it."""
        mitigated = set(self.bias_mitigations.filter(kind=EvidenceKind.MONITORING).values_list("flag", flat=True))
        return [
            Reason("bias_monitoring_flag_overdue", f"No mitigation was recorded for {f.flag}.", params={"flag": f.flag})
            for f in self.monitoring_flags.filter(due_at__lte=now).order_by("pk")
            if f.flag not in mitigated
        ]

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

    # -- what transitions do to this assessment ---------------------------------------------

    def _open_round(self, ctx):
        self.review_round += 1
        self.submitted_at = ctx.now
        self.stage_entered_at = ctx.now
        self.content_hash = self.compute_content_hash()

    def _sign(self, ctx, decision):
        ctx.sign_off = SignOff.objects.create(
            assessment=self,
            stage=self.stage,
            review_round=self.review_round,
            reviewer=ctx.by,
            decision=decision,
            comment=ctx.comment,
            content_hash=self.content_hash,
            evidence_hash=evidence_hash_of(self),
            created_at=ctx.now,
        )
        ctx.details["sign_off_id"] = ctx.sign_off.pk
        ctx.details["decision"] = decision
        ctx.records.append(SignOff.objects.filter(pk=ctx.sign_off.pk))
        return ctx.sign_off

    # -- the state machine; call only from assessments.services ---------------------------

    @transition(
        field=state,
        source=State.DRAFT,
        target=State.LEGAL_REVIEW,
        conditions=[guard(_submit_reasons)],
        permission=team_may,
        custom={
            "label": "Submit for review",
            "verb": "submitted it for review",
            "done": "“{feature}” was submitted for Legal review.",
            "hint": "Sends the answers to the committee; Legal reviews first, "
            "then Security, Clinical, Product and Data/AI.",
            "sends_answers": True,
        },
    )
    def submit(self, ctx):
        self._open_round(ctx)

    @transition(
        field=state,
        source=State.CHANGES_REQUESTED,
        target=State.LEGAL_REVIEW,
        conditions=[guard(_submit_reasons)],
        permission=team_may,
        custom={
            "label": "Resubmit for review",
            "verb": "resubmitted it for review",
            "done": "“{feature}” was resubmitted; review starts again at Legal.",
            "hint": "Sends the changed answers back to the committee; review starts again at Legal. "
            "Say what you changed: every reviewer sees your note.",
            "sends_answers": True,
            "comment_required": True,
        },
    )
    def resubmit(self, ctx):
        self._open_round(ctx)

    @transition(
        field=state,
        source=REVIEW_STATES,
        target=GET_STATE(
            lambda self, *args, **kwargs: NEXT_AFTER_APPROVAL[self.state], states=list(NEXT_AFTER_APPROVAL.values())
        ),
        conditions=[guard(_approve_reasons)],
        permission=reviewer_may,
        custom={
            "label": "Approve (sign off)",
            "verb": "approved",
            "done": "You signed off “{feature}”.",
            "hint": "Signs off {stage} review for the answers exactly as they are now. "
            "If they change later, your sign-off is invalidated.",
            "takes_conditions": True,
        },
    )
    def approve(self, ctx):
        sign_off = self._sign(ctx, SignOff.Decision.APPROVED)
        for condition in ctx.conditions:
            Condition.objects.create(assessment=self, sign_off=sign_off, created_at=ctx.now, **condition)
        # The conditions this domain set in an earlier round and that were carried: kept with this sign-off
        # (the reviewer drops one before signing; assessments/conditions.py).
        kept = list(self.conditions.filter(status=Condition.Status.PROPOSED, sign_off__stage=self.stage).order_by("pk"))
        for condition in kept:
            condition.status, condition.sign_off = Condition.Status.OPEN, sign_off
            condition.save(update_fields=["status", "sign_off", "next_reminder_on"])
        if kept:
            ctx.details["kept_conditions"] = [c.pk for c in kept]
        ctx.records.append(Condition.objects.filter(sign_off=sign_off))
        following = NEXT_AFTER_APPROVAL[self.state]
        self.stage_entered_at = ctx.now if following in REVIEW_STATES else None
        if following == State.APPROVED:
            self.decided_at = ctx.now
            ctx.follow_ups.append(FollowUp.SUPERSEDE_PREVIOUS)

    @transition(
        field=state,
        source=REVIEW_STATES,
        target=State.CHANGES_REQUESTED,
        permission=reviewer_may,
        custom={
            "label": "Request changes",
            "verb": "requested changes",
            "done": "You requested changes to “{feature}”; the team has been told.",
            "hint": "Sends the assessment back to the team. Say what must change; "
            "review restarts at Legal when they resubmit.",
            "comment_required": True,
            "tone": "secondary",
            # The reviewers' comments on answers of this round go to the team with the request.
            "gathers_comments": True,
        },
    )
    def request_changes(self, ctx):
        self._sign(ctx, SignOff.Decision.CHANGES_REQUESTED)
        self.stage_entered_at = None
        # The round ends here: its conditions not yet met carry into the next round as proposed, for the reviewer
        # of the domain that set each to keep (when signing again) or drop; none disappears silently.
        carried = list(
            self.conditions.filter(
                status__in=(Condition.Status.OPEN, Condition.Status.AWAITING_CONFIRMATION),
                sign_off__review_round=self.review_round,
            )
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        if carried:
            Condition.objects.filter(pk__in=carried).update(status=Condition.Status.PROPOSED, next_reminder_on=None)
            ctx.details["proposed_conditions"] = carried
            ctx.records.append(Condition.objects.filter(pk__in=carried))

    @transition(
        field=state,
        source=REVIEW_STATES,
        target=State.REJECTED,
        permission=reviewer_may,
        custom={
            "label": "Reject",
            "verb": "rejected it",
            "done": "You rejected “{feature}”.",
            "hint": "Ends this assessment: the feature may not launch as assessed. Say why.",
            "comment_required": True,
            "tone": "danger",
        },
    )
    def reject(self, ctx):
        self._sign(ctx, SignOff.Decision.REJECTED)
        self.stage_entered_at = None
        self.decided_at = ctx.now

    @transition(
        field=state,
        source=WITHDRAWABLE_STATES,
        target=State.WITHDRAWN,
        permission=team_may,
        custom={
            "label": "Withdraw",
            "verb": "withdrew it",
            "done": "“{feature}” was withdrawn.",
            "hint": "Stops this assessment for good; it cannot be reopened.",
            "tone": "danger",
        },
    )
    def withdraw(self, ctx):
        self.stage_entered_at = None

    @transition(
        field=state,
        source=State.APPROVED,
        target=State.LAUNCHED,
        conditions=[guard(_launch_reasons)],
        permission=team_may,
        custom={
            "label": "Mark launched",
            "verb": "marked it launched",
            "done": "“{feature}” is marked launched.",
            "hint": "Records that the feature is live. The re-review date is set from its risk level.",
        },
    )
    def launch(self, ctx):
        self.launched_at = ctx.now
        days = settings.REREVIEW_INTERVAL_DAYS.get(self.risk_level or 4, 90)
        self.next_review_due = timezone.localdate(ctx.now) + timedelta(days=days)
        ctx.details["next_review_due"] = self.next_review_due.isoformat()

    @transition(
        field=state,
        source=State.LAUNCHED,
        target=State.REASSESSMENT_DUE,
        permission=team_may,
        custom={
            "label": "Start re-assessment",
            "verb": "started a re-assessment",
            "done": "A re-assessment of “{feature}” was opened as a new draft.",
            "hint": "Opens a new draft version that starts from these answers.",
            "system": True,
        },
    )
    def start_reassessment(self, ctx):
        ctx.follow_ups.append(FollowUp.OPEN_NEW_VERSION)

    @transition(
        field=state,
        source=State.LAUNCHED,
        target=State.REASSESSMENT_DUE,
        conditions=[guard(_bias_reassessment_reasons)],
        permission=nobody_may,
        custom={
            "label": "Re-assess for an unmitigated bias flag",
            "verb": "opened a re-assessment: a bias flag from monitoring went unmitigated",
            "done": "A re-assessment of “{feature}” was opened: a monitoring bias flag went unmitigated.",
            "hint": "",
        },
    )
    def bias_reassessment(self, ctx):
        """Not a user action: a monitoring flag had no Data/AI mitigation within its deadline."""
        ctx.details["flags"] = [reason.params["flag"] for reason in self.overdue_monitoring_flags(ctx.now)]
        ctx.follow_ups.append(FollowUp.OPEN_NEW_VERSION)

    @transition(
        field=state,
        source=(State.LAUNCHED, State.REASSESSMENT_DUE),
        target=State.RETIRED,
        permission=team_may,
        custom={
            "label": "Retire",
            "verb": "retired it",
            "done": "“{feature}” was retired.",
            "hint": "Records that the feature has been switched off for good.",
            "tone": "danger",
        },
    )
    def retire(self, ctx):
        pass

    @transition(
        field=state,
        source=(State.APPROVED, State.LAUNCHED, State.REASSESSMENT_DUE),
        target=State.SUPERSEDED,
        permission=nobody_may,
        custom={
            "label": "Supersede",
            "verb": "superseded it",
            "done": "“{feature}” was superseded.",
            "hint": "",
        },
    )
    def supersede(self, ctx):
        """Not a user action: a newer version of the feature was approved."""


def _clip(text, limit=120):
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class AssessmentGroupObjectPermission(GroupObjectPermissionBase):
    """Per-assessment group permissions with a real foreign key (django-guardian's direct model):
    indexed joins for lists of thousands of assessments, and no orphaned grants."""

    # No index of its own: the lookup index below starts with this column and serves every query by assessment.
    content_object = models.ForeignKey(Assessment, on_delete=models.CASCADE, db_index=False)

    class Meta(GroupObjectPermissionBase.Meta):
        # Visibility asks, per assessment row, whether one of the user's groups holds a permission on it
        # (``selectors.visibility_condition``), answered from this index alone; guardian's own unique index
        # starts with the group instead.
        indexes = [
            models.Index(fields=["content_object", "permission", "group"], name="assessment_grant_lookup_idx"),
        ]


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
    # The bias evidence the signer saw (assessments/evidence_hash.py): bound, but outside the content hash.
    evidence_hash = models.CharField(max_length=64, blank=True, db_default="")
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


class Condition(KeepsReminderSchedule, models.Model):
    """Something the team must do, set by a reviewer when approving: by a date, or before launch."""

    schedule_field = "next_reminder_on"
    schedule_basis = ("status", "due_date")

    class Status(models.TextChoices):
        # Carried from a round that ended with a change request; its domain's reviewer keeps it when signing.
        PROPOSED = "proposed", "Proposed"
        OPEN = "open", "Open"
        # The team marked it met with evidence; a reviewer of the domain that set it (or the chair) confirms.
        AWAITING_CONFIRMATION = "awaiting_confirmation", "Awaiting confirmation"
        MET = "met", "Met"
        DROPPED = "dropped", "Dropped"

    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="conditions")
    sign_off = models.ForeignKey(SignOff, on_delete=models.PROTECT, related_name="conditions", null=True, blank=True)
    text = models.TextField(max_length=2000)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="conditions")
    due_date = models.DateField(null=True, blank=True)
    before_launch = models.BooleanField(default=False, help_text="Must be met before the feature launches.")
    status = models.CharField(max_length=30, choices=Status.choices, default=Status.OPEN)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # The two-step meeting (assessments/conditions.py): the team's evidence, then the domain's confirmation.
    # DB defaults too, so rows written outside the ORM (the bench seeder's COPY) need not name them.
    evidence = models.TextField(blank=True, default="", db_default="")
    marked_met_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    marked_met_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_comment = models.TextField(blank=True, default="", db_default="")
    # The next day its owner is to be reminded while it is open and dated; moved on by the sweep
    # (committee/schedule.py), NULL once closed.
    next_reminder_on = models.DateField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["due_date", "pk"]
        indexes = [
            # The condition reminder sweep: only the conditions whose next reminder has come.
            models.Index(
                fields=["next_reminder_on"],
                name="condition_reminder_idx",
                condition=models.Q(next_reminder_on__isnull=False),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(due_date__isnull=False) | models.Q(before_launch=True),
                name="condition_has_a_due_date_or_before_launch",
            )
        ]

    def __str__(self):
        return self.text[:80]

    def schedule_start(self):
        """An open dated condition is first reminded ``CONDITION_REMINDER_DAYS_BEFORE`` days before it is due."""
        due_date = self._meta.get_field("due_date").to_python(self.due_date)  # as saving reads it ("2099-01-01")
        dated = self.status == self.Status.OPEN and due_date is not None
        self.next_reminder_on = deadlines.condition_first_reminder(due_date) if dated else None

    @property
    def met(self):
        return self.status == self.Status.MET

    @property
    def is_open(self):
        return self.status == self.Status.OPEN

    @property
    def awaits_confirmation(self):
        return self.status == self.Status.AWAITING_CONFIRMATION

    @property
    def domain(self):
        """The domain whose reviewer set it, and confirms it."""
        return self.sign_off.stage if self.sign_off_id else None


class EvidenceKind(models.TextChoices):
    # Evidence for the approval (draft up to Data/AI review), or monitoring results of a launched feature.
    APPROVAL = "approval", "Approval evidence"
    MONITORING = "monitoring", "Monitoring after launch"


class QuestionComment(models.Model):
    """A comment on one answer, kept per review round.

    A reviewer writes it while reviewing; it stays with the committee until a
    transition that gathers comments (``request_changes``) sends it to the team
    (``shared_at``, ``sign_off``). The team replies to a shared comment; a reply
    is shared when written. Every comment is in the audit log.
    """

    class Role(models.TextChoices):
        REVIEWER = "reviewer", "Reviewer"
        TEAM = "team", "Team"

    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="question_comments")
    question = models.CharField(max_length=100, help_text="The question id (section.name).")
    review_round = models.PositiveIntegerField()
    role = models.CharField(max_length=10, choices=Role.choices)
    # The reviewer's stage when they wrote it; empty for the team's replies.
    stage = models.CharField(max_length=20, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reply_to = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="replies")
    text = models.TextField(max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)
    shared_at = models.DateTimeField(null=True, blank=True, help_text="When the team could first see it.")
    # The change request that sent it to the team.
    sign_off = models.ForeignKey(
        SignOff, on_delete=models.PROTECT, null=True, blank=True, related_name="question_comments"
    )

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["assessment", "review_round"], name="question_comment_round")]

    def __str__(self):
        return f"{self.question} (round {self.review_round}): {self.text[:60]}"

    @property
    def is_shared(self):
        return self.shared_at is not None


class BiasBatch(models.Model):
    """One addition of bias evidence (an upload, a form, an API call) and where its numbers come from:
    the file and its SHA-256, who added it and when, the method, and the model version and data set."""

    class Method(models.TextChoices):
        RESULTS_FILE = "results_file", "Per-group results uploaded as a CSV file"
        RESULTS_ENTERED = "results_entered", "Per-group results entered (form or API)"
        PREDICTIONS = "predictions", "Computed from raw predictions with fairlearn"

    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="bias_batches")
    # The rows' ``BiasResult.batch``: the upload's token, so that one upload is never saved twice.
    token = models.CharField(max_length=32)
    kind = models.CharField(max_length=20, choices=EvidenceKind.choices, default=EvidenceKind.APPROVAL)
    method = models.CharField(max_length=20, choices=Method.choices)
    # The library and version that computed the rates ("fairlearn 0.15.0"); empty for results given as such.
    tool = models.CharField(max_length=100, blank=True)
    # Pairs of dimensions whose intersections were computed from raw predictions, e.g. [["race", "gender"]].
    intersections = models.JSONField(default=list, blank=True)
    source_name = models.CharField(max_length=255, blank=True)
    source_sha256 = models.CharField(max_length=64, blank=True)
    description = models.TextField(
        max_length=2000, help_text="The model version and the data set: period, size, how groups were defined."
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name_plural = "bias batches"
        constraints = [models.UniqueConstraint(fields=["assessment", "token"], name="one_bias_batch_per_token")]

    def __str__(self):
        return f"{self.get_method_display()}: {self.source_name or self.token}"


class BiasResult(models.Model):
    """One group's result on one fairness metric (DESIGN section 5).

    Rows added together (one upload, one form) share a ``batch``: one measurement,
    dated by ``created_at``, whose provenance is its ``evidence_batch`` (rows recorded
    before provenance was kept have none).
    """

    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="bias_results")
    kind = models.CharField(max_length=20, choices=EvidenceKind.choices, default=EvidenceKind.APPROVAL)
    batch = models.CharField(max_length=32, blank=True, db_index=True)
    evidence_batch = models.ForeignKey(BiasBatch, on_delete=models.PROTECT, null=True, blank=True, related_name="rows")
    dimension = models.CharField(max_length=50)
    group = models.CharField(max_length=100)
    sample_size = models.PositiveIntegerField()
    metric = models.CharField(max_length=100)
    value = models.FloatField()
    source_name = models.CharField(max_length=255, blank=True)
    source_sha256 = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["dimension", "metric", "group"]

    def __str__(self):
        return f"{self.dimension}/{self.group} {self.metric}={self.value}"


class BiasJustification(models.Model):
    """Why a required identity dimension cannot be measured: recorded instead of evidence, once per dimension."""

    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="bias_justifications")
    dimension = models.CharField(max_length=50)
    text = models.TextField(max_length=5000)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["dimension", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "dimension"], name="one_bias_justification_per_dimension")
        ]

    def __str__(self):
        return f"Justification for {self.dimension}"


class BiasMitigation(models.Model):
    """What is done about one flag (``bias.Flag.key``) of the approval evidence or of monitoring."""

    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="bias_mitigations")
    kind = models.CharField(max_length=20, choices=EvidenceKind.choices, default=EvidenceKind.APPROVAL)
    flag = models.CharField(max_length=320)
    text = models.TextField(max_length=5000)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "kind", "flag"], name="one_bias_mitigation_per_flag")
        ]

    def __str__(self):
        return f"Mitigation of {self.flag}"


class MonitoringFlag(models.Model):
    """A flag a monitoring result raised after launch; unmitigated by ``due_at``, the feature is re-assessed."""

    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="monitoring_flags")
    flag = models.CharField(max_length=320)
    code = models.CharField(max_length=40)
    dimension = models.CharField(max_length=50)
    metric = models.CharField(max_length=100)
    group = models.CharField(max_length=100, blank=True)
    batch = models.CharField(max_length=32)
    raised_at = models.DateTimeField()
    due_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["raised_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["assessment", "flag"], name="one_monitoring_flag_per_key")]

    def __str__(self):
        return f"Monitoring flag {self.flag}"


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
        CONDITION_MARKED_MET = "condition_marked_met", "Condition marked met"
        CONDITION_CONFIRMED = "condition_confirmed", "Condition confirmed met"
        CONDITION_REOPENED = "condition_reopened", "Condition reopened"
        CONDITION_DROPPED = "condition_dropped", "Condition dropped"
        SIGN_OFF_INVALIDATED = "sign_off_invalidated", "Sign-off invalidated"
        # The committee chair reminded a stage's reviewers by hand (committee.services.stage_nudge).
        REMINDER_SENT = "reminder_sent", "Reminder sent"
        BIAS_JUSTIFIED = "bias_justified", "Bias dimension justified"
        BIAS_MITIGATED = "bias_mitigated", "Bias flag mitigated"
        BIAS_FLAGS_RAISED = "bias_flags_raised", "Bias flags raised by monitoring"
        # A reviewer commented on one answer, or the team replied (services.question_comment_add).
        QUESTION_COMMENT = "question_comment", "Question comment"
        # Rows made before the log recorded them, recorded as they were then (assessments.audit_backfill).
        RECORDS_LOGGED = "records_logged", "Existing records entered in the log"
        # The feature's public register text was published or retracted (reports.register_publication).
        REGISTER_PUBLISHED = "register_published", "Register text published"
        REGISTER_RETRACTED = "register_retracted", "Register text retracted"
        # Someone downloaded the assessment's dossier (reports.services.dossier_download): who, which bytes.
        DOSSIER_DOWNLOADED = "dossier_downloaded", "Dossier downloaded"

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
