import re

import yaml
from django.contrib.staticfiles import finders
from rest_framework.test import APIClient

from .contract import CONTRACT_FIELDS

PATHS = {
    "/api/v1/auth/token/": {"post"},
    "/api/v1/auth/tokens/": {"get"},
    "/api/v1/auth/tokens/{id}/": {"delete"},
    "/api/v1/questionnaire/": {"get"},
    "/api/v1/assessments/": {"get", "post"},
    "/api/v1/assessments/{id}/": {"get", "patch"},
    "/api/v1/assessments/{id}/transitions/": {"get", "post"},
    "/api/v1/assessments/{id}/bias-results/": {"get", "post"},
    "/api/v1/assessments/{id}/bias-justifications/": {"get", "post"},
    "/api/v1/assessments/{id}/bias-mitigations/": {"get", "post"},
    "/api/v1/assessments/{id}/bias-flags/": {"get"},
    "/api/v1/assessments/{id}/coverage/": {"get"},
    "/api/v1/assessments/{id}/comments/": {"get", "post"},
    "/api/v1/assessments/{id}/conditions/": {"get"},
    "/api/v1/assessments/{id}/conditions/{cid}/met/": {"post"},
    "/api/v1/assessments/{id}/conditions/{cid}/confirm/": {"post"},
    "/api/v1/assessments/{id}/conditions/{cid}/reopen/": {"post"},
    "/api/v1/assessments/{id}/conditions/{cid}/drop/": {"post"},
    "/api/v1/assessments/{id}/conditions/{cid}/edit/": {"post"},
    "/api/v1/assessments/{id}/conditions/{cid}/evidence/{sha256}/": {"get"},
    "/api/v1/notices/": {"get"},
    "/api/v1/notices/{id}/read/": {"post"},
    "/api/v1/assessments/{id}/dossier.pdf": {"get"},
    "/api/v1/dossiers/verify/": {"post"},
    "/api/v1/register/": {"get"},
}
# Readable without credentials: no 401 to document.
PUBLIC_PATHS = {"/api/v1/auth/token/", "/api/v1/register/", "/api/v1/dossiers/verify/"}


def load_schema():
    response = APIClient().get("/api/schema/")
    assert response.status_code == 200
    return yaml.safe_load(response.content)


def test_the_schema_documents_every_endpoint_of_the_contract(db):
    schema = load_schema()

    assert schema["openapi"].startswith("3.")
    assert {path: set(ops) for path, ops in schema["paths"].items()} == PATHS


def test_every_operation_documents_its_errors(db):
    schema = load_schema()

    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            codes = set(operation["responses"])
            assert "429" in codes, (method, path)
            if path not in PUBLIC_PATHS:
                assert "401" in codes, (method, path)
            if "{id}" in path:
                assert "404" in codes, (method, path)
            if method in ("post", "patch"):
                assert {"400", "415"} <= codes, (method, path)
    transition = schema["paths"]["/api/v1/assessments/{id}/transitions/"]["post"]["responses"]
    assert {"400", "403", "404", "409"} <= set(transition)
    assert transition["409"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Conflict"}


def test_the_assessment_schema_has_the_contract_fields(db):
    assessment = load_schema()["components"]["schemas"]["Assessment"]

    assert set(assessment["required"]) >= CONTRACT_FIELDS


def test_the_docs_page_loads_swagger_ui_from_the_projects_static_files(db):
    response = APIClient().get("/api/docs/")

    assert response.status_code == 200
    html = response.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in assets
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui.css" in assets
    # Its start-up script is served by the page itself (no inline script under the CSP); the rest are static files.
    assert "/api/docs/?script=" in assets
    static_assets = [asset for asset in assets if asset != "/api/docs/?script="]
    assert all(asset.startswith("/static/") for asset in static_assets), assets
    assert "cdn" not in html.lower()
    assert "<script>" not in html and "<style" not in html
    for asset in static_assets:
        assert finders.find(asset.removeprefix("/static/")), asset
    script = APIClient().get("/api/docs/?script=")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert '"/api/schema/"' in script.content.decode()
