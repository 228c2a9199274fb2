from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "assessments"
    verbose_name = "AI impact assessments"

    def ready(self):
        from django.db.models.signals import post_migrate

        from . import checks  # noqa: F401
        from .selectors import forget_view_permission

        # Migrate and flush (tests) recreate permissions, possibly with new ids.
        post_migrate.connect(forget_view_permission, dispatch_uid="assessments.forget_view_permission")
