"""Every API error as JSON with a human-readable ``detail`` (DESIGN section 9).

Domain errors from the services map to HTTP here, once: InputError 400 with
field errors beside ``detail`` (AlreadyExists 409, the same body), NotPermitted
403, TransitionConflict 409 with ``reasons``. DRF's own errors are reshaped the same way, so a client parses
one format whatever went wrong.
"""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponsePermanentRedirect, JsonResponse
from django.urls import Resolver404, resolve
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from assessments.errors import AlreadyExists, InputError, NotPermitted, TransitionConflict

from .parsers import PayloadTooLarge

INVALID_INPUT = "The request is not valid; see the fields named in this response."
INVALID_ANSWERS = "Some answers are not valid."


def api_exception_handler(exc, context):
    if isinstance(exc, RequestDataTooBig):
        # Django refuses to read a body over DATA_UPLOAD_MAX_MEMORY_SIZE; say so in JSON.
        exc = PayloadTooLarge(f"The request body is over {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes.")
    if isinstance(exc, InputError):
        set_rollback()
        errors = _flatten(exc.errors)
        code = status.HTTP_409_CONFLICT if isinstance(exc, AlreadyExists) else status.HTTP_400_BAD_REQUEST
        return Response({"detail": _summary(errors, exc.message), **errors}, status=code)
    if isinstance(exc, NotPermitted):
        set_rollback()
        return Response({"detail": exc.message}, status=status.HTTP_403_FORBIDDEN)
    if isinstance(exc, TransitionConflict):
        set_rollback()
        reasons = [reason.as_dict() for reason in exc.reasons]
        return Response({"detail": exc.message, "reasons": reasons}, status=status.HTTP_409_CONFLICT)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # a bug: let Django report it as the 500 it is
    if isinstance(exc, exceptions.ValidationError):
        data = response.data if isinstance(response.data, dict) else {"non_field_errors": response.data}
        errors = _flatten(_number_list_items(data))
        general = errors.pop("non_field_errors", None)
        fallback = INVALID_ANSWERS if set(errors) == {"answers"} else INVALID_INPUT
        response.data = {"detail": general if isinstance(general, str) else _summary(errors, fallback), **errors}
    elif not isinstance(response.data, dict) or "detail" not in response.data:
        response.data = {"detail": str(exc)}
    return response


def _number_list_items(errors):
    """Errors of items of a list of objects (DRF keys them by index) as ``field[n]`` keys, counting from 1.

    The services name items the same way (``rows[2]``, ``conditions[1]``), so a client reads one format.
    """
    numbered = {}
    for field, problems in errors.items():
        if isinstance(problems, dict) and set(problems) == {"non_field_errors"}:  # about a list or object itself
            numbered[field] = _message(problems["non_field_errors"])
        elif isinstance(problems, dict) and any(isinstance(key, int) for key in problems):
            for key, item in problems.items():
                if isinstance(key, int) and not isinstance(item, dict):  # about the item itself (null, not an object)
                    numbered[f"{field}[{key + 1}]"] = _message(item)
                elif isinstance(key, int):
                    numbered[f"{field}[{key + 1}]"] = " ".join(
                        _message(messages) if name == "non_field_errors" else f"{name}: {_message(messages)}"
                        for name, messages in item.items()
                    )
                else:  # about the list itself
                    numbered[field] = _message(item)
        else:
            numbered[field] = problems
    return numbered


def _flatten(errors):
    """Field errors as ``{field: message}``; nested structures (list items, answers) stay nested."""
    if isinstance(errors, dict):
        return {str(key): _message(value) for key, value in errors.items()}
    return {"non_field_errors": _message(errors)}


def _message(value):
    if isinstance(value, dict):
        return {str(key): _message(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        if all(isinstance(item, str) for item in value):
            return " ".join(str(item) for item in value)
        return {str(index): _message(item) for index, item in enumerate(value) if item}
    return str(value)


def _summary(errors, fallback):
    """The one message when there is exactly one plain one, else the general message."""
    if len(errors) == 1:
        only = next(iter(errors.values()))
        if isinstance(only, str):
            return only
    return fallback


@csrf_exempt  # it changes nothing; without this a stray POST would get Django's HTML CSRF page
def api_not_found(request, *args, **kwargs):
    """JSON 404 for any address under /api/ that no endpoint answers (ids that are not ids included)."""
    path = request.path_info
    if not path.endswith("/"):
        try:
            match = resolve(path + "/")
        except Resolver404:
            match = None
        if match is not None and match.func is not api_not_found:
            if request.method in ("GET", "HEAD"):
                return HttpResponsePermanentRedirect(request.get_full_path(force_append_slash=True))
            return JsonResponse(
                {"detail": f"Not found. API addresses end with a slash: {path}/"}, status=status.HTTP_404_NOT_FOUND
            )
    return JsonResponse({"detail": "Not found."}, status=status.HTTP_404_NOT_FOUND)
