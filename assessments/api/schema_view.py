"""The OpenAPI schema view: its first build serialised, so concurrent first requests all get the schema."""

import threading

from drf_spectacular.views import SpectacularAPIView


class SchemaView(SpectacularAPIView):
    """``GET /api/schema/``: drf-spectacular's view, with the first build under a lock.

    drf-spectacular imports its extensions' target classes lazily while it builds a
    schema, and that loading is not thread-safe: threads building the first schema of a
    fresh process at once crashed (``AttributeError: 'NoneType' object has no attribute
    'startswith'`` in ``plumbing._load_class``). Once one build has finished everything is
    loaded, so later builds run unlocked; a first build that fails leaves the next
    request to build under the lock again.
    """

    _first_build = threading.Lock()
    _built = threading.Event()

    def _get_schema_response(self, request):
        if self._built.is_set():
            return super()._get_schema_response(request)
        with self._first_build:
            response = super()._get_schema_response(request)
            self._built.set()
        return response
