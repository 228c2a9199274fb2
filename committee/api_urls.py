"""committee/ endpoints of API v1, included by config/urls.py under /api/v1/ (before the API's catch-all)."""

from django.urls import path

from assessments.api.converters import ObjectIdConverter  # noqa: F401  (registers the "object_id" converter)

from . import api

urlpatterns = [
    path("notices/", api.NoticesView.as_view(), name="api-notices"),
    path("notices/<object_id:pk>/read/", api.NoticeReadView.as_view(), name="api-notice-read"),
]
