from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Reports and audit"

    def ready(self):
        from assessments.signals import assessment_transitioned

        from . import checks  # noqa: F401 - registers the signing configuration check
        from .receivers import on_assessment_transitioned

        assessment_transitioned.connect(on_assessment_transitioned, dispatch_uid="reports.dossier_on_approval")
