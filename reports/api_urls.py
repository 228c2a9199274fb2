"""reports/ endpoints of API v1, included by assessments/api/urls.py under /api/v1/.

``object_id`` is the API's id converter, registered by assessments/api/urls.py.
"""

from django.urls import path

from . import api

urlpatterns = [
    path("assessments/<object_id:pk>/dossier.pdf", api.DossierView.as_view(), name="api-assessment-dossier"),
    path("dossiers/verify/", api.DossierVerifyView.as_view(), name="api-dossier-verify"),
    path("register/", api.RegisterView.as_view(), name="api-register"),
]
