"""Public routes of reports/, outside /reports/: the transparency register (DESIGN section 8), verifying a dossier."""

from django.urls import path

from . import register_views, views

urlpatterns = [
    path("register/", register_views.register_page, name="register"),
    path("register.json", register_views.register_json, name="register_json"),
    path("register.csv", register_views.register_csv, name="register_csv"),
    path("register/atrs.json", register_views.register_atrs, name="register_atrs"),
    path(
        "register/algoritmeregister.json", register_views.register_algoritmeregister, name="register_algoritmeregister"
    ),
    # Anyone (a regulator, an external auditor) checks a dossier here, without an account.
    path("verify/", views.verify, name="verify"),
]
