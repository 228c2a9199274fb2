"""The core's models, one module per aggregate, re-exported so that ``assessments.models.X`` keeps working.

- ``assessment``: the assessment and its transition table (``workflow``: what the table shares with the
  services; ``reminders``: rows that keep their own next reminder)
- ``team``: teams and their AI features
- ``object_permissions``: per-assessment grants
- ``sign_off``, ``condition``, ``question_comment``: what reviewers decide, require and say
- ``bias_evidence``: batches, results, justifications, mitigations, monitoring flags
- ``audit_log``: the hash-chained audit log, its head and signing keys

The modules import each other, never this package. The state vocabulary lives in ``assessments.states``
and is re-exported here as before.
"""

from ..states import (
    EDITABLE_STATES,
    NEXT_AFTER_APPROVAL,
    REVIEW_STATES,
    STAGE_STATE,
    STATE_STAGE,
    TERMINAL_STATES,
    WITHDRAWABLE_STATES,
    State,
)
from .assessment import Assessment, content_hash_of
from .audit_log import AuditChainHead, AuditEntry, AuditEntryQuerySet, AuditSigningKey, audit_payload
from .bias_evidence import BiasBatch, BiasJustification, BiasMitigation, BiasResult, EvidenceKind, MonitoringFlag
from .condition import Condition, ConditionEvidenceFile
from .object_permissions import AssessmentGroupObjectPermission, AssessmentUserObjectPermission
from .question_comment import QuestionComment
from .reminders import KeepsReminderSchedule
from .sign_off import SignOff
from .team import AIFeature, Team, TeamQuerySet
from .workflow import FollowUp, TransitionContext, guard

__all__ = [
    "EDITABLE_STATES",
    "NEXT_AFTER_APPROVAL",
    "REVIEW_STATES",
    "STAGE_STATE",
    "STATE_STAGE",
    "TERMINAL_STATES",
    "WITHDRAWABLE_STATES",
    "AIFeature",
    "Assessment",
    "AssessmentGroupObjectPermission",
    "AssessmentUserObjectPermission",
    "AuditChainHead",
    "AuditEntry",
    "AuditEntryQuerySet",
    "AuditSigningKey",
    "BiasBatch",
    "BiasJustification",
    "BiasMitigation",
    "BiasResult",
    "Condition",
    "ConditionEvidenceFile",
    "EvidenceKind",
    "FollowUp",
    "KeepsReminderSchedule",
    "MonitoringFlag",
    "QuestionComment",
    "SignOff",
    "State",
    "Team",
    "TeamQuerySet",
    "TransitionContext",
    "audit_payload",
    "content_hash_of",
    "guard",
]
