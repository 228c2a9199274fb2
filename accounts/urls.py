"""The account's own pages: single sign-on's two ends, the security events page, the account's security settings
(second factor: authenticator app, passkeys, recovery codes), and the code step of signing in."""

from django.urls import path, re_path

from . import mfa_views, passkey_views, security_log, sso_views

urlpatterns = [
    path("security/events/", security_log.security_events, name="security_events"),
    # The names mozilla-django-oidc reverses for its redirect URI.
    path("accounts/oidc/authenticate/", sso_views.SingleSignOnStart.as_view(), name="oidc_authentication_init"),
    path("accounts/oidc/callback/", sso_views.SingleSignOnCallback.as_view(), name="oidc_authentication_callback"),
    path("accounts/login/verify/", mfa_views.SecondFactorLoginView.as_view(), name="login_second_factor"),
    path(
        "accounts/login/verify/passkey-options/",
        passkey_views.LoginAssertionOptionsView.as_view(),
        name="login_passkey_options",
    ),
    path("account/security/", mfa_views.SecurityView.as_view(), name="account_security"),
    path(
        "account/security/passkeys/options/",
        passkey_views.RegistrationOptionsView.as_view(),
        name="account_security_passkey_options",
    ),
    path("account/security/passkeys/", passkey_views.PasskeyAddView.as_view(), name="account_security_passkey_add"),
    re_path(
        r"^account/security/passkeys/(?P<pk>[0-9]{1,9})/remove/$",
        passkey_views.PasskeyRemoveView.as_view(),
        name="account_security_passkey_remove",
    ),
    path(
        "account/security/passkeys/sign-options/",
        passkey_views.SignAssertionOptionsView.as_view(),
        name="account_security_passkey_sign_options",
    ),
    path("account/security/totp/start/", mfa_views.TotpStartView.as_view(), name="account_security_totp_start"),
    path("account/security/totp/", mfa_views.TotpConfirmView.as_view(), name="account_security_totp"),
    # At most nine digits: every id that fits the column, and no number too large for the database to compare.
    re_path(
        r"^account/security/totp/(?P<pk>[0-9]{1,9})/remove/$",
        mfa_views.TotpRemoveView.as_view(),
        name="account_security_totp_remove",
    ),
    path(
        "account/security/recovery-codes/",
        mfa_views.RecoveryCodesView.as_view(),
        name="account_security_recovery_codes",
    ),
]
