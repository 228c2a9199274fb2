from django.templatetags.static import static
from django.urls import path
from django.views.generic import RedirectView

from .views import bias, conditions, detail, form, lists

urlpatterns = [
    # Browsers ask for /favicon.ico whatever the page says; point them at the real icon.
    path(
        "favicon.ico",
        RedirectView.as_view(url=static("favicon.svg"), permanent=True, http_method_names=["get", "head"]),
    ),
    path("assessments/", lists.assessment_list, name="assessment_list"),
    path("assessments/new/", form.assessment_new, name="assessment_new"),
    path("assessments/preview/", form.assessment_preview, name="assessment_preview_new"),
    path("assessments/<int:pk>/", detail.assessment_detail, name="assessment_detail"),
    path("assessments/<int:pk>/edit/", form.assessment_edit, name="assessment_edit"),
    path("assessments/<int:pk>/preview/", form.assessment_preview, name="assessment_preview"),
    path("assessments/<int:pk>/transitions/<slug:name>/", detail.assessment_transition, name="assessment_transition"),
    path("assessments/bias-template.csv", bias.bias_template, name="bias_template"),
    path("assessments/<int:pk>/bias/upload/", bias.bias_upload_preview, name="bias_upload"),
    path("assessments/<int:pk>/bias/upload/confirm/", bias.bias_upload_confirm, name="bias_upload_confirm"),
    path("assessments/<int:pk>/bias/upload/cancel/", bias.bias_upload_cancel, name="bias_upload_cancel"),
    path("assessments/<int:pk>/bias/rows/", bias.bias_row_add, name="bias_row_add"),
    path("assessments/<int:pk>/bias/justifications/", bias.bias_justification_add, name="bias_justification_add"),
    path("assessments/<int:pk>/bias/mitigations/", bias.bias_mitigation_add, name="bias_mitigation_add"),
    path("assessments/<int:pk>/comments/", detail.question_comment_create, name="question_comment_create"),
    path("conditions/<int:pk>/met/", conditions.condition_met, name="condition_met"),
    path("conditions/<int:pk>/confirm/", conditions.condition_confirm, name="condition_confirm"),
    path("conditions/<int:pk>/reopen/", conditions.condition_reopen, name="condition_reopen"),
    path("conditions/<int:pk>/drop/", conditions.condition_drop, name="condition_drop"),
    path("conditions/<int:pk>/edit/", conditions.condition_edit, name="condition_edit"),
    path(
        "conditions/<int:pk>/evidence/<str:sha256>/",
        conditions.condition_evidence_file,
        name="condition_evidence_file",
    ),
    path("audit/", lists.audit_trail, name="audit_trail"),
]
