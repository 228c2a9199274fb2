"""Routes under /reports/: the auditor's workspace, dossier downloads, the verify page, committee analytics."""

from django.urls import path, re_path

from . import register_review_views, views

# An id: digits that fit a database key; anything longer matches no route (404).
ID = r"(?P<pk>[0-9]{1,18})"

urlpatterns = [
    path("", views.workspace, name="reports_workspace"),
    path("assessments.csv", views.assessments_csv, name="reports_assessments_csv"),
    path("audit-package.zip", views.audit_package, name="reports_audit_package"),
    re_path(rf"^assessments/{ID}/$", views.assessment_record, name="reports_assessment"),
    re_path(rf"^assessments/{ID}/dossier\.pdf$", views.dossier_pdf, name="dossier_pdf"),
    re_path(rf"^assessments/{ID}/bias\.csv$", views.bias_csv, name="reports_bias_csv"),
    path("downloads/", views.downloads, name="reports_downloads"),
    path("verify/", views.verify, name="reports_verify"),
    path("analytics/", views.analytics, name="reports_analytics"),
    path("analytics.csv", views.analytics_csv, name="reports_analytics_csv"),
    path("register/", register_review_views.register_texts, name="register_texts"),
    re_path(rf"^register/{ID}/$", register_review_views.register_text, name="register_text"),
]
