"""The public register in the browser (``/register/``) and as JSON (``/register.json``): no login, cached.

Both read ``register.register_snapshot()``; the API's ``GET /api/v1/register/``
(reports/api.py) reads it too. Responses carry an ETag and Last-Modified and ask
browsers to revalidate (``Cache-Control: no-cache``), so a change shows at once
and an unchanged register costs a 304.
"""

from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.cache import get_conditional_response, quote_etag
from django.utils.http import http_date
from django.views.decorators.http import require_safe

from . import register, register_formats


def conditional(request, snapshot, response, *, kind):
    """``response`` with the snapshot's validators, or a 304 when the client's copy is current."""
    etag = quote_etag(f"{kind}-{snapshot['etag']}")
    last_modified = int(snapshot["last_modified"].timestamp())
    response["ETag"] = etag
    response["Last-Modified"] = http_date(last_modified)
    response["Cache-Control"] = "no-cache"
    return get_conditional_response(request, etag=etag, last_modified=last_modified, response=response)


def query_refusal(request):
    """The register takes no query parameters: a 400 naming them (as the API does), or None."""
    if not request.GET:
        return None
    names = sorted(request.GET)[:20]
    errors = {name[:100]: "This address takes no query parameters." for name in names}
    return JsonResponse({"detail": "This address takes no query parameters.", **errors}, status=400)


@require_safe
def register_page(request):
    """Every live AI feature, in plain language, for anyone."""
    # Query parameters (a campaign tag, a cache-buster) change nothing here; the page ignores them.
    snapshot = register.register_snapshot()
    response = render(request, "reports/register.html", {"register": snapshot["data"]})
    return conditional(request, snapshot, response, kind="html")


@require_safe
def register_json(request):
    """The same register as JSON: the body of ``GET /api/v1/register/``."""
    refusal = query_refusal(request)
    if refusal is not None:
        return refusal
    snapshot = register.register_snapshot()
    return conditional(request, snapshot, JsonResponse(snapshot["data"]), kind="json")


def _export(request, build, *, kind, content_type=None):
    refusal = query_refusal(request)
    if refusal is not None:
        return refusal
    snapshot = register.register_snapshot()
    body = build(snapshot["exports"])
    if content_type is None:
        response = JsonResponse(body, json_dumps_params={"ensure_ascii": False})
    else:
        response = HttpResponse(body, content_type=content_type)
        response["Content-Disposition"] = 'attachment; filename="ai-register.csv"'
    return conditional(request, snapshot, response, kind=kind)


@require_safe
def register_atrs(request):
    """The register as UK ATRS v4 records, one per feature with published register text."""
    return _export(request, register_formats.atrs_document, kind="atrs")


@require_safe
def register_algoritmeregister(request):
    """The register as Dutch Algoritmeregister (publication standard 1.0) records."""
    return _export(request, register_formats.algoritmeregister_document, kind="nl")


@require_safe
def register_csv(request):
    """The register as CSV, one row per feature with published register text."""
    return _export(request, register_formats.register_csv, kind="csv", content_type="text/csv; charset=utf-8")
