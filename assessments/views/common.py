"""What every page group shares: the page that says what went wrong, the list page size, the listing columns."""

from django.shortcuts import render

PAGE_SIZE = 25


# Lists show a few columns; the answers and the score breakdown stay in the database.
LISTING_DEFERRED = ("answers", "risk_score", "content_hash")


def for_listing(queryset):
    return queryset.defer(*LISTING_DEFERRED)


def problem(request, status, title, message, reasons=(), back=None):
    """A page that says what went wrong and what to do, with a 4xx status."""
    context = {"title": title, "message": message, "reasons": list(reasons), "back": back}
    return render(request, "problem.html", context, status=status)
