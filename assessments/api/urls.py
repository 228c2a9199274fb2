"""Routes under /api/: version 1 of the API, its OpenAPI schema and its docs (DESIGN section 9)."""

from csp.decorators import csp_update
from django.urls import include, path, re_path, register_converter
from drf_spectacular.views import SpectacularSwaggerSplitView

from . import conditions, views, views_coverage
from .exceptions import api_not_found
from .parsers import MAX_JSON_INT
from .schema_view import SchemaView


class ObjectIdConverter:
    """A database id: digits that fit a 64-bit key. Anything else matches no route (a JSON 404)."""

    regex = "[0-9]{1,19}"

    def to_python(self, value):
        number = int(value)
        if not 1 <= number <= MAX_JSON_INT:
            raise ValueError(value)
        return number

    def to_url(self, value):
        return str(value)


register_converter(ObjectIdConverter, "object_id")

urlpatterns = [
    path("v1/auth/token/", views.TokenView.as_view(), name="api-token"),
    path("v1/questionnaire/", views.QuestionnaireView.as_view(), name="api-questionnaire"),
    path("v1/assessments/", views.AssessmentListView.as_view(), name="api-assessment-list"),
    path("v1/assessments/<object_id:pk>/", views.AssessmentDetailView.as_view(), name="api-assessment-detail"),
    path(
        "v1/assessments/<object_id:pk>/transitions/",
        views.TransitionsView.as_view(),
        name="api-assessment-transitions",
    ),
    path(
        "v1/assessments/<object_id:pk>/bias-results/",
        views.BiasResultsView.as_view(),
        name="api-assessment-bias-results",
    ),
    path(
        "v1/assessments/<object_id:pk>/bias-justifications/",
        views.BiasJustificationsView.as_view(),
        name="api-assessment-bias-justifications",
    ),
    path(
        "v1/assessments/<object_id:pk>/bias-mitigations/",
        views.BiasMitigationsView.as_view(),
        name="api-assessment-bias-mitigations",
    ),
    path("v1/assessments/<object_id:pk>/bias-flags/", views.BiasFlagsView.as_view(), name="api-assessment-bias-flags"),
    path(
        "v1/assessments/<object_id:pk>/coverage/",
        views_coverage.CoverageView.as_view(),
        name="api-assessment-coverage",
    ),
    path(
        "v1/assessments/<object_id:pk>/comments/",
        views.QuestionCommentsView.as_view(),
        name="api-assessment-comments",
    ),
    path(
        "v1/assessments/<object_id:pk>/conditions/",
        conditions.ConditionsView.as_view(),
        name="api-assessment-conditions",
    ),
    path(
        "v1/assessments/<object_id:pk>/conditions/<object_id:cid>/met/",
        conditions.ConditionMetView.as_view(),
        name="api-condition-met",
    ),
    path(
        "v1/assessments/<object_id:pk>/conditions/<object_id:cid>/confirm/",
        conditions.ConditionConfirmView.as_view(),
        name="api-condition-confirm",
    ),
    path(
        "v1/assessments/<object_id:pk>/conditions/<object_id:cid>/reopen/",
        conditions.ConditionReopenView.as_view(),
        name="api-condition-reopen",
    ),
    # Dossiers (reports/): the assessment's dossier PDF and the verify endpoint.
    path("v1/", include("reports.api_urls")),
    path("schema/", SchemaView.as_view(), name="api-schema"),
    # Swagger UI with its start-up script served as a file (the "split" view) and no inline style, so the
    # page runs under the site's CSP; its stylesheet draws icons from data: URLs, which only this page allows.
    path(
        "docs/",
        csp_update({"img-src": ["data:"]})(
            SpectacularSwaggerSplitView.as_view(url_name="api-schema", template_name="api/swagger_ui.html")
        ),
        name="api-docs",
    ),
    # Last: any other address under /api/ answers a JSON 404, not Django's HTML page.
    re_path(r"^", api_not_found),
]
