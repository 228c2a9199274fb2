"""What every page group shares: the page that says what went wrong, the list page size, the listing columns, and
how a page that takes an upload refuses it before reading its body."""

from functools import wraps

from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt, csrf_protect

PAGE_SIZE = 25


# Lists show a few columns; the answers and the score breakdown stay in the database.
LISTING_DEFERRED = ("answers", "risk_score", "content_hash")


def for_listing(queryset):
    return queryset.defer(*LISTING_DEFERRED)


def problem(request, status, title, message, reasons=(), back=None):
    """A page that says what went wrong and what to do, with a 4xx status."""
    context = {"title": title, "message": message, "reasons": list(reasons), "back": back}
    return render(request, "problem.html", context, status=status)


# What a multipart body may hold beside its file (the form's other fields, the part headers).
UPLOAD_OVERHEAD = 64 * 1024


def announces_more_than(request, limit):
    """True when the request's Content-Length says its body is over ``limit`` bytes of file and the overhead."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    return length > limit + UPLOAD_OVERHEAD


def refused_before_the_body(refusal):
    """A view that takes an upload, with ``refusal(request, *args, **kwargs)`` first: what needs no body (who may,
    the state, the size the request announces) is answered before a byte of it is read (a page, or None to go on).

    Django's CSRF check reads the body (its token is a form field), so the middleware's is skipped for this view
    and the same check runs here, after the refusal and before the view.
    """

    def decorate(view):
        protected = csrf_protect(view)

        @csrf_exempt
        @wraps(view)
        def guarded(request, *args, **kwargs):
            refused = refusal(request, *args, **kwargs)
            return refused if refused is not None else protected(request, *args, **kwargs)

        return guarded

    return decorate
