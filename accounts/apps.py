from django.apps import AppConfig


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"
    verbose_name = "Accounts and identity"

    def ready(self):
        from . import token_revocation  # noqa: F401  connects the receivers that revoke API tokens
