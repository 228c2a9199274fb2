from django.apps import AppConfig


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"
    verbose_name = "Accounts and identity"

    def ready(self):
        from . import checks, token_revocation  # noqa: F401  registers the check, connects the token receivers
