"""Public routes of reports/, outside /reports/: the transparency register (DESIGN section 8), verifying a dossier."""

from django.urls import path

from . import register_views, views

urlpatterns = [
    path("register/", register_views.register_page, name="register"),
    path("register.json", register_views.register_json, name="register_json"),
    # Anyone (a regulator, an external auditor) checks a dossier here, without an account.
    path("verify/", views.verify, name="verify"),
]
