from django.apps import AppConfig


class CommitteeConfig(AppConfig):
    name = "committee"
    verbose_name = "Responsible AI Committee"

    def ready(self):
        # Notices answer the core's transition signal inside its transaction.
        from . import receivers  # noqa: F401
