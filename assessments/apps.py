from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "assessments"
    verbose_name = "AI impact assessments"

    def ready(self):
        from . import checks  # noqa: F401
