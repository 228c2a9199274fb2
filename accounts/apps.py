from django.apps import AppConfig


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"
    verbose_name = "Accounts and identity"

    def ready(self):
        from . import reauth  # noqa: F401  (connects the log-in receiver: a log-in counts as a re-authentication)
