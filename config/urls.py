from django.contrib import admin
from django.urls import include, path

from accounts import login
from assessments.forms import LoginForm

urlpatterns = [
    # The admin logs in through the same form, with the same limits.
    path("admin/login/", login.LoginView.as_view(authentication_form=LoginForm), name="admin_login"),
    path("admin/", admin.site.urls),
    path("accounts/login/", login.LoginView.as_view(authentication_form=LoginForm), name="login"),
    path("accounts/logout/", login.LogoutView.as_view(), name="logout"),
    path("", include("accounts.urls")),
    path("api/v1/auth/", include("accounts.api_urls")),
    # committee/'s API routes come first: assessments.api.urls ends with the API's catch-all 404.
    path("api/v1/", include("committee.api_urls")),
    path("api/", include("assessments.api.urls")),
    path("committee/", include("committee.urls")),
    path("reports/", include("reports.urls")),
    path("", include("reports.public_urls")),
    path("", include("assessments.urls")),
]
