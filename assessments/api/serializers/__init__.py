"""Shapes of the API's requests and responses (DESIGN section 9), one module per resource.

``strict`` holds the base of every request body (unknown fields refused, lists bounded); ``errors`` and
``questionnaire`` only document responses; ``assessments``, ``transitions``, ``comments`` and ``bias`` hold a
resource's representation and its requests. The token's request and response live with its view
(``views/auth.py``). The names are re-exported here for callers outside the API; modules of this package import
their siblings, never this package.
"""

from .assessments import (
    SUMMARY_COLUMNS,
    SUMMARY_FIELDS,
    AnswersSerializer,
    AnswersUpdateSerializer,
    AssessmentCreateSerializer,
    AssessmentSerializer,
    AssessmentSummarySerializer,
    ConditionSerializer,
    SignOffSerializer,
    answer_field,
)
from .bias import (
    BiasBatchSerializer,
    BiasFileSerializer,
    BiasFlagSerializer,
    BiasJustificationRequestSerializer,
    BiasJustificationSerializer,
    BiasMitigationRequestSerializer,
    BiasMitigationSerializer,
    BiasResultSerializer,
    BiasRowSerializer,
    BiasRowsSerializer,
)
from .comments import (
    QuestionCommentSerializer,
    ReviewerCommentRequestSerializer,
    TeamReplyRequestSerializer,
    question_comment_request_serializer,
)
from .errors import ConflictSerializer, ErrorSerializer, FieldErrorsSerializer, ReasonSerializer
from .questionnaire import QuestionnaireSerializer
from .strict import BoundedListSerializer, StrictInputSerializer
from .transitions import (
    TRANSITION_REQUESTS,
    ApproveRequestSerializer,
    ReasonedDecisionRequestSerializer,
    SimpleTransitionRequestSerializer,
    TransitionSerializer,
    transition_request_serializer,
)

__all__ = [
    "SUMMARY_COLUMNS",
    "SUMMARY_FIELDS",
    "TRANSITION_REQUESTS",
    "AnswersSerializer",
    "AnswersUpdateSerializer",
    "ApproveRequestSerializer",
    "AssessmentCreateSerializer",
    "AssessmentSerializer",
    "AssessmentSummarySerializer",
    "BiasBatchSerializer",
    "BiasFileSerializer",
    "BiasFlagSerializer",
    "BiasJustificationRequestSerializer",
    "BiasJustificationSerializer",
    "BiasMitigationRequestSerializer",
    "BiasMitigationSerializer",
    "BiasResultSerializer",
    "BiasRowSerializer",
    "BiasRowsSerializer",
    "BoundedListSerializer",
    "ConditionSerializer",
    "ConflictSerializer",
    "ErrorSerializer",
    "FieldErrorsSerializer",
    "QuestionCommentSerializer",
    "QuestionnaireSerializer",
    "ReasonSerializer",
    "ReasonedDecisionRequestSerializer",
    "ReviewerCommentRequestSerializer",
    "SignOffSerializer",
    "SimpleTransitionRequestSerializer",
    "StrictInputSerializer",
    "TeamReplyRequestSerializer",
    "TransitionSerializer",
    "answer_field",
    "question_comment_request_serializer",
    "transition_request_serializer",
]
