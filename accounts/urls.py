from django.urls import path

from . import security_log, sso_views

urlpatterns = [
    path("security/events/", security_log.security_events, name="security_events"),
    # The names mozilla-django-oidc reverses for its redirect URI.
    path("accounts/oidc/authenticate/", sso_views.SingleSignOnStart.as_view(), name="oidc_authentication_init"),
    path("accounts/oidc/callback/", sso_views.SingleSignOnCallback.as_view(), name="oidc_authentication_callback"),
]
