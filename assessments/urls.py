from django.templatetags.static import static
from django.urls import path
from django.views.generic import RedirectView

from . import views, views_bias, views_conditions

urlpatterns = [
    # Browsers ask for /favicon.ico whatever the page says; point them at the real icon.
    path(
        "favicon.ico",
        RedirectView.as_view(url=static("favicon.svg"), permanent=True, http_method_names=["get", "head"]),
    ),
    path("", views.home, name="home"),
    path("assessments/", views.assessment_list, name="assessment_list"),
    path("assessments/new/", views.assessment_new, name="assessment_new"),
    path("assessments/preview/", views.assessment_preview, name="assessment_preview_new"),
    path("assessments/<int:pk>/", views.assessment_detail, name="assessment_detail"),
    path("assessments/<int:pk>/edit/", views.assessment_edit, name="assessment_edit"),
    path("assessments/<int:pk>/preview/", views.assessment_preview, name="assessment_preview"),
    path("assessments/<int:pk>/transitions/<slug:name>/", views.assessment_transition, name="assessment_transition"),
    path("assessments/bias-template.csv", views_bias.bias_template, name="bias_template"),
    path("assessments/<int:pk>/bias/upload/", views_bias.bias_upload_preview, name="bias_upload"),
    path("assessments/<int:pk>/bias/upload/confirm/", views_bias.bias_upload_confirm, name="bias_upload_confirm"),
    path("assessments/<int:pk>/bias/upload/cancel/", views_bias.bias_upload_cancel, name="bias_upload_cancel"),
    path("assessments/<int:pk>/bias/rows/", views_bias.bias_row_add, name="bias_row_add"),
    path("assessments/<int:pk>/bias/justifications/", views_bias.bias_justification_add, name="bias_justification_add"),
    path("assessments/<int:pk>/bias/mitigations/", views_bias.bias_mitigation_add, name="bias_mitigation_add"),
    path("assessments/<int:pk>/comments/", views.question_comment_create, name="question_comment_create"),
    path("conditions/<int:pk>/met/", views_conditions.condition_met, name="condition_met"),
    path("conditions/<int:pk>/confirm/", views_conditions.condition_confirm, name="condition_confirm"),
    path("conditions/<int:pk>/reopen/", views_conditions.condition_reopen, name="condition_reopen"),
    path("audit/", views.audit_trail, name="audit_trail"),
]
