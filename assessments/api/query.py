"""One rule for query parameters across the API: an endpoint names the ones it reads; any other is a 400 naming it.

A misspelt filter (``?stat=draft``) that was silently ignored would return the
whole list and look like an answer; refusing it by name, as the register always
did, tells the client what it got wrong. ``format`` is not special: the API
speaks JSON only (and the dossier PDF only), so ``?format=`` is unknown too.
"""

from rest_framework.exceptions import ValidationError

NO_PARAMETERS = "This endpoint takes no query parameters."
MAX_NAMED = 20  # a request with more unknown parameters is told about the first 20


def unknown_parameter_errors(query_params, known):
    """``{name: message}`` for each parameter of ``query_params`` not in ``known`` (sorted, at most MAX_NAMED)."""
    unknown = sorted(name for name in query_params if name not in known)[:MAX_NAMED]
    if not known:
        return {name[:100]: NO_PARAMETERS for name in unknown}
    message = "Unknown query parameter; this endpoint takes " + ", ".join(sorted(known)) + "."
    return {name[:100]: message for name in unknown}


def refuse_unknown_query_parameters(request, known=()):
    """Raise a 400 naming every query parameter of ``request`` that is not in ``known``."""
    errors = unknown_parameter_errors(request.query_params, frozenset(known))
    if errors:
        raise ValidationError(errors)
