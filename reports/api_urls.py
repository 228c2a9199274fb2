"""reports/ endpoints of API v1, included by config/urls.py under /api/v1/ (before the API's catch-all)."""

from django.urls import path

from assessments.api.converters import ObjectIdConverter  # noqa: F401  (registers the "object_id" converter)

from . import api

urlpatterns = [
    path("assessments/<object_id:pk>/dossier.pdf", api.DossierView.as_view(), name="api-assessment-dossier"),
    path("dossiers/verify/", api.DossierVerifyView.as_view(), name="api-dossier-verify"),
    path("register/", api.RegisterView.as_view(), name="api-register"),
]
