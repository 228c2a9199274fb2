"""The assessment's states and the groups of states every rule reads, named once beside the state machine.

The transition table (``assessments.models``, ``@transition``) moves an assessment between these states;
every other module that asks "may this happen in this state?" reads a group defined here, never a list of
its own. This module imports no model, so the deadline rule, the schedules and migrations can use it.
"""

from django.db import models

from accounts import roles


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

# Answers may be edited only here.
EDITABLE_STATES = (State.DRAFT, State.CHANGES_REQUESTED)
# The team may withdraw an assessment it holds or that is in review (the ``withdraw`` transition's source).
WITHDRAWABLE_STATES = (State.DRAFT, State.CHANGES_REQUESTED, *REVIEW_STATES)
# Ended for good: no transition leaves these, no reminder is sent about them (the sweeps skip them).
TERMINAL_STATES = (State.REJECTED, State.WITHDRAWN, State.RETIRED, State.SUPERSEDED)

# Bias evidence for the approval is added while the answers are written, changed or reviewed.
BIAS_EVIDENCE_STATES = (State.DRAFT, State.CHANGES_REQUESTED, *REVIEW_STATES)
# After launch, evidence is monitoring: kept apart from the approval's, dated, and its new flags must be answered.
MONITORING_STATES = (State.LAUNCHED,)
# The team replies to reviewers' comments on answers while changes are requested and during review.
REPLY_STATES = (State.CHANGES_REQUESTED, *REVIEW_STATES)

# A version in force: approved and not ended, launched or not, due for re-assessment or not.
IN_FORCE_STATES = (State.APPROVED, State.LAUNCHED, State.REASSESSMENT_DUE)
# Approving a newer version supersedes the feature's versions in force (the ``supersede`` transition's source).
SUPERSEDED_BY_APPROVAL_STATES = IN_FORCE_STATES
# The public register lists the versions in force.
REGISTER_STATES = IN_FORCE_STATES
# Open and outside review: back with the team after a change request, or in force (the home page's middle group).
OPEN_OUTSIDE_REVIEW_STATES = (State.CHANGES_REQUESTED, *IN_FORCE_STATES)

# The states a reviewer's deciding transition ends in (an approval at the last stage, a change request, a
# rejection), in the order the weekly summary, the charts and the CSV show them.
DECISION_STATES = (State.APPROVED, State.CHANGES_REQUESTED, State.REJECTED)
