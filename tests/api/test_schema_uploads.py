"""Every file a request uploads is ``format: binary`` in the OpenAPI schema, so that generated clients and
fuzzers send a file, not a URL string (which the server answers with "Choose a CSV file to upload")."""

import importlib
import pkgutil

from rest_framework import serializers

import assessments.api.serializers

from .test_schema_and_docs import load_schema

PACKAGE = "assessments.api.serializers"
# Modules whose serializers shape the API's requests and responses: every module of the serializers package, the
# token's (kept with its view) and reports/'.
SERIALIZER_MODULES = [
    *(module.name for module in pkgutil.iter_modules(assessments.api.serializers.__path__, PACKAGE + ".")),
    "assessments.api.views.auth",
    "assessments.api.conditions",
    "reports.api",
]


def resolve(schema, node):
    while isinstance(node, dict) and "$ref" in node:
        name = node["$ref"].removeprefix("#/components/schemas/")
        node = schema["components"]["schemas"][name]
    return node


def walk(schema, node, seen=None):
    """Every schema object reachable from ``node``, through references, properties, items and alternatives."""
    seen = set() if seen is None else seen
    if isinstance(node, dict):
        if "$ref" in node:
            if node["$ref"] in seen:
                return
            seen.add(node["$ref"])
            yield from walk(schema, resolve(schema, node), seen)
            return
        yield node
        for value in node.values():
            yield from walk(schema, value, seen)
    elif isinstance(node, list):
        for value in node:
            yield from walk(schema, value, seen)


def request_bodies(schema):
    """(operation, media type, body schema) for every request body of every operation."""
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for media_type, content in operation.get("requestBody", {}).get("content", {}).items():
                yield f"{method.upper()} {path}", media_type, content["schema"]


def file_fields():
    """(serializer class, field name) of every file field the API's serializers declare."""
    found = []
    for module_name in SERIALIZER_MODULES:
        module = importlib.import_module(module_name)
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, serializers.Serializer)
                and value.__module__ == module_name
            ):
                for name, field in value().fields.items():
                    if isinstance(field, serializers.FileField):
                        found.append((value, name))
    return found


def test_every_multipart_upload_is_a_binary_file(db):
    schema = load_schema()
    uploads = []

    for operation, media_type, body in request_bodies(schema):
        if media_type != "multipart/form-data":
            continue
        properties = resolve(schema, body)["properties"]
        files = {name: prop for name, prop in properties.items() if name == "file" or "format" in prop}
        assert files, f"{operation}: a multipart body without a file"
        for name, prop in files.items():
            assert prop.get("type") == "string" and prop.get("format") == "binary", (operation, name, prop)
            uploads.append(operation)

    assert set(uploads) == {
        "POST /api/v1/assessments/{id}/bias-results/",
        "POST /api/v1/dossiers/verify/",
        "POST /api/v1/assessments/{id}/conditions/{cid}/met/",
    }


def test_no_request_asks_for_a_url_or_encoded_bytes(db):
    schema = load_schema()

    for operation, media_type, body in request_bodies(schema):
        formats = {node.get("format") for node in walk(schema, body)}
        assert not formats & {"uri", "byte"}, (operation, media_type, formats)


def test_every_file_field_of_a_serializer_is_binary_in_its_component(db):
    schema = load_schema()
    fields = file_fields()

    assert fields, "no file field found: the walk over the serializers is broken"
    for serializer, name in fields:
        component = schema["components"]["schemas"][serializer.__name__.removesuffix("Serializer")]
        assert component["properties"][name]["format"] == "binary", (serializer, name)
