from django.contrib import admin
from django.urls import include, path

from accounts import login
from assessments.forms import LoginForm
from committee.home import home

urlpatterns = [
    # The admin logs in through the same form, with the same limits.
    path("admin/login/", login.LoginView.as_view(authentication_form=LoginForm), name="admin_login"),
    path("admin/", admin.site.urls),
    path("accounts/login/", login.LoginView.as_view(authentication_form=LoginForm), name="login"),
    path("accounts/logout/", login.LogoutView.as_view(), name="logout"),
    # Single sign-on's two ends, the security events page, the account's second factor.
    path("", include("accounts.urls")),
    # API v1: each app's own routes (the caller's tokens are accounts'); then the API's schema, docs and
    # catch-all 404, which must come last.
    path("api/v1/auth/", include("accounts.api_urls")),
    path("api/v1/", include("assessments.api.urls")),
    path("api/v1/", include("committee.api_urls")),
    path("api/v1/", include("reports.api_urls")),
    path("api/", include("assessments.api.root_urls")),
    path("committee/", include("committee.urls")),
    path("reports/", include("reports.urls")),
    path("", include("reports.public_urls")),
    # The home page composes each role's part: the core's (the team, the queue, the audit) and the chair's pipeline.
    path("", home, name="home"),
    path("", include("assessments.urls")),
]
