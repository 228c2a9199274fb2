"""The API's own addresses under /api/: its OpenAPI schema, its docs, and a JSON 404 for anything else.

Included by config/urls.py after every app's /api/v1/ routes, since the catch-all answers whatever is left.
"""

from csp.decorators import csp_update
from django.urls import path, re_path
from drf_spectacular.views import SpectacularSwaggerSplitView

from .exceptions import api_not_found
from .schema_view import SchemaView

urlpatterns = [
    path("schema/", SchemaView.as_view(), name="api-schema"),
    # Swagger UI with its start-up script served as a file (the "split" view) and no inline style, so the
    # page runs under the site's CSP; its stylesheet draws icons from data: URLs, which only this page allows.
    path(
        "docs/",
        csp_update({"img-src": ["data:"]})(
            SpectacularSwaggerSplitView.as_view(url_name="api-schema", template_name="api/swagger_ui.html")
        ),
        name="api-docs",
    ),
    # Last: any other address under /api/ answers a JSON 404, not Django's HTML page.
    re_path(r"^", api_not_found),
]
