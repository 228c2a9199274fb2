"""Routes under /api/v1/auth/ for one's own tokens (the token request itself is served by the core's API)."""

from django.urls import path, re_path

from . import api

urlpatterns = [
    path("tokens/", api.TokenListView.as_view(), name="api-token-list"),
    # Digits only, at most 16 (2**53 fits): any other id matches no route, and no number overflows the column.
    re_path(r"^tokens/(?P<pk>[0-9]{1,16})/$", api.TokenDetailView.as_view(), name="api-token-detail"),
]
