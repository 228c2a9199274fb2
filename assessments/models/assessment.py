"""The assessment: one review cycle of a feature, and its state machine.

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

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django_fsm import GET_STATE, ConcurrentTransitionMixin, FSMField, transition

from accounts import roles

from .. import canonical, deadlines
from ..bias import bias_evidence_blockers
from ..errors import Reason
from ..evidence_hash import evidence_hash_of
from ..permissions import nobody_may, reviewer_may, team_may
from ..questionnaire import get_questionnaire
from ..states import (
    EDITABLE_STATES,
    NEXT_AFTER_APPROVAL,
    REVIEW_STATES,
    STATE_STAGE,
    SUPERSEDED_BY_APPROVAL_STATES,
    WITHDRAWABLE_STATES,
    State,
)
from .bias_evidence import EvidenceKind
from .condition import Condition, close_carried
from .reminders import KeepsReminderSchedule
from .sign_off import SignOff
from .team import AIFeature
from .workflow import FollowUp, guard


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


def content_hash_of(feature_name, questionnaire_version, answers):
    """What a sign-off binds to: SHA-256 of the feature's name, the questionnaire version and the answers."""
    return canonical.sha256_of(
        {"feature": feature_name, "questionnaire_version": questionnaire_version, "answers": answers}
    )


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
                "condition_awaiting_confirmation",
                f"This condition is met but not yet confirmed: “{_clip(c.text)}”.",
                params={"condition": c.pk},
            )
            if c.awaits_confirmation
            else Reason(
                "condition_open",
                f"This condition must be met before launch: “{_clip(c.text)}”.",
                params={"condition": c.pk},
            )
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
            **SignOff.manifestation_of(ctx.by, self.stage, ctx.now),
        )
        ctx.details["sign_off_id"] = ctx.sign_off.pk
        ctx.details["manifestation"] = ctx.sign_off.manifestation_record()
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
            "signs": True,  # a signing act: the signer re-authenticates (accounts.reauth)
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
            "signs": True,  # a signing act: the signer re-authenticates (accounts.reauth)
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
            "signs": True,  # a signing act: the signer re-authenticates (accounts.reauth)
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
        close_carried(self, ctx, "the assessment was rejected")

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
        close_carried(self, ctx, "the assessment was withdrawn")

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
        source=SUPERSEDED_BY_APPROVAL_STATES,
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
