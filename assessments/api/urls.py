"""assessments/ endpoints of API v1, included by config/urls.py under /api/v1/ (DESIGN section 9).

committee/ and reports/ bring their own routes (``committee/api_urls.py``, ``reports/api_urls.py``), and the
schema, the docs and the catch-all 404 are in ``root_urls.py``; config/urls.py composes them.
"""

from django.urls import path

from . import conditions, views_coverage
from .converters import ObjectIdConverter  # noqa: F401  (registers the "object_id" converter)
from .views import assessments, auth, bias, comments, questionnaire, transitions

urlpatterns = [
    path("auth/token/", auth.TokenView.as_view(), name="api-token"),
    path("questionnaire/", questionnaire.QuestionnaireView.as_view(), name="api-questionnaire"),
    path("assessments/", assessments.AssessmentListView.as_view(), name="api-assessment-list"),
    path("assessments/<object_id:pk>/", assessments.AssessmentDetailView.as_view(), name="api-assessment-detail"),
    path(
        "assessments/<object_id:pk>/transitions/",
        transitions.TransitionsView.as_view(),
        name="api-assessment-transitions",
    ),
    path(
        "assessments/<object_id:pk>/bias-results/",
        bias.BiasResultsView.as_view(),
        name="api-assessment-bias-results",
    ),
    path(
        "assessments/<object_id:pk>/bias-justifications/",
        bias.BiasJustificationsView.as_view(),
        name="api-assessment-bias-justifications",
    ),
    path(
        "assessments/<object_id:pk>/bias-mitigations/",
        bias.BiasMitigationsView.as_view(),
        name="api-assessment-bias-mitigations",
    ),
    path("assessments/<object_id:pk>/bias-flags/", bias.BiasFlagsView.as_view(), name="api-assessment-bias-flags"),
    path(
        "assessments/<object_id:pk>/coverage/",
        views_coverage.CoverageView.as_view(),
        name="api-assessment-coverage",
    ),
    path(
        "assessments/<object_id:pk>/comments/",
        comments.QuestionCommentsView.as_view(),
        name="api-assessment-comments",
    ),
    path(
        "assessments/<object_id:pk>/conditions/",
        conditions.ConditionsView.as_view(),
        name="api-assessment-conditions",
    ),
    path(
        "assessments/<object_id:pk>/conditions/<object_id:cid>/met/",
        conditions.ConditionMetView.as_view(),
        name="api-condition-met",
    ),
    path(
        "assessments/<object_id:pk>/conditions/<object_id:cid>/confirm/",
        conditions.ConditionConfirmView.as_view(),
        name="api-condition-confirm",
    ),
    path(
        "assessments/<object_id:pk>/conditions/<object_id:cid>/reopen/",
        conditions.ConditionReopenView.as_view(),
        name="api-condition-reopen",
    ),
    path(
        "assessments/<object_id:pk>/conditions/<object_id:cid>/drop/",
        conditions.ConditionDropView.as_view(),
        name="api-condition-drop",
    ),
    path(
        "assessments/<object_id:pk>/conditions/<object_id:cid>/edit/",
        conditions.ConditionEditView.as_view(),
        name="api-condition-edit",
    ),
    path(
        "assessments/<object_id:pk>/conditions/<object_id:cid>/evidence/<str:sha256>/",
        conditions.ConditionEvidenceFileView.as_view(),
        name="api-condition-evidence-file",
    ),
]
