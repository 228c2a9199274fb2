"""The REST API's views (DESIGN section 9), one module per resource.

``base`` holds what every view shares (``ApiView``, ``visible_assessment``); ``questionnaire``, ``assessments``,
``transitions``, ``bias``, ``comments`` and ``auth`` (the token, with its request and response shapes) each hold
one resource's endpoints. The names are re-exported here for callers outside the API; modules of this package
import their siblings, never this package.
"""

from .assessments import AssessmentDetailView, AssessmentListView
from .auth import TokenView
from .base import ApiView, assessment_data, visible_assessment, with_details
from .bias import BiasFlagsView, BiasJustificationsView, BiasMitigationsView, BiasResultsView
from .comments import QuestionCommentsView
from .questionnaire import QuestionnaireView
from .transitions import TransitionsView

__all__ = [
    "ApiView",
    "AssessmentDetailView",
    "AssessmentListView",
    "BiasFlagsView",
    "BiasJustificationsView",
    "BiasMitigationsView",
    "BiasResultsView",
    "QuestionCommentsView",
    "QuestionnaireView",
    "TokenView",
    "TransitionsView",
    "assessment_data",
    "visible_assessment",
    "with_details",
]
