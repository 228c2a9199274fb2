from django.apps import AppConfig


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"
    verbose_name = "Accounts and identity"

    def ready(self):
        # checks: registers the start-up checks; idle: the login starts the idle clock; token_revocation: connects
        # the receivers that revoke a user's tokens; reauth: a log-in counts as a re-authentication for signing.
        from . import checks, idle, reauth, token_revocation  # noqa: F401
        from .security_receivers import connect

        connect()
