from django.apps import AppConfig


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"
    verbose_name = "Accounts and identity"

    def ready(self):
        from . import checks, idle  # noqa: F401  (idle: the login starts the idle clock)
        from .security_receivers import connect

        connect()
