"""Every change to features, assessments and their evidence goes through these functions.

Each runs in one transaction, locks the assessment row it changes, writes the
audit log in the same transaction, and raises a domain error (assessments.errors)
with a readable message instead of half-doing anything.

One module per use case: ``drafts`` (creating, new versions, answers), ``transition``
(the state machine and what follows a transition), ``approval_conditions`` (the
conditions an approval carries), ``comments`` (comments on answers); the bias
evidence services live in ``assessments.bias_services``. This package re-exports the
names callers use; the modules import each other directly, never this package.
"""

from ..bias_services.evidence import bias_evidence_check, evidence_kind_in
from ..bias_services.flags import bias_flags_of
from ..bias_services.notes import bias_justification_record, bias_mitigation_record, bias_mitigations_record
from ..bias_services.results import DIMENSION, MAX_BIAS_ROWS, bias_results_add
from ..conditions import condition_mark_met
from ..states import BIAS_EVIDENCE_STATES
from .actors import SYSTEM
from .approval_conditions import MAX_CONDITIONS
from .comments import MAX_QUESTION_COMMENT, question_comment_add
from .drafts import FEATURE_NAME_MAX, answers_edit_refusal, assessment_create, assessment_update_answers
from .transition import MAX_COMMENT, assessment_transition, transition_refusal

__all__ = [
    "BIAS_EVIDENCE_STATES",
    "DIMENSION",
    "FEATURE_NAME_MAX",
    "MAX_BIAS_ROWS",
    "MAX_COMMENT",
    "MAX_CONDITIONS",
    "MAX_QUESTION_COMMENT",
    "SYSTEM",
    "answers_edit_refusal",
    "assessment_create",
    "assessment_transition",
    "assessment_update_answers",
    "bias_evidence_check",
    "bias_flags_of",
    "bias_justification_record",
    "bias_mitigation_record",
    "bias_mitigations_record",
    "bias_results_add",
    "condition_mark_met",
    "evidence_kind_in",
    "question_comment_add",
    "transition_refusal",
]
