from django.contrib.auth import views as auth_views
from django.urls import include, path

from .views import MaxAgeAuthorizationView

urlpatterns = [
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    # Before django-oauth-toolkit's own: its authorization endpoint, honouring max_age.
    path("o/authorize/", MaxAgeAuthorizationView.as_view(), name="authorize"),
    path("o/", include("oauth2_provider.urls", namespace="oauth2_provider")),
]
