"""Committee pages: a reviewer's queue and everyone's in-app inbox."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from assessments.selectors import review_queue_for
from assessments.views import PAGE_SIZE, for_listing, problem

from . import roles
from .deadlines import StageClock
from .models import Notification


@login_required
def queue(request):
    """Assessments waiting at the reviewer's domains' stages, oldest first, with their deadlines."""
    user = request.user
    domains = roles.user_domains(user)
    if not domains:
        return problem(
            request,
            403,
            "No review queue",
            "Only Legal, Security, Clinical, Product and Data/AI reviewers have a review queue.",
            back=reverse("home"),
        )
    now = timezone.now()
    page = Paginator(for_listing(review_queue_for(user)), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [{"assessment": a, "clock": StageClock(a, now)} for a in page.object_list]
    context = {"page": page, "rows": rows, "domains": [roles.DOMAIN_LABELS[d] for d in domains]}
    return render(request, "committee/queue.html", context)


@login_required
def inbox(request):
    user = request.user
    notifications = Notification.objects.filter(recipient=user).select_related("assessment__feature")
    show = request.GET.get("show", "all")
    if show == "unread":
        notifications = notifications.unread()
    elif show != "all":
        return problem(request, 400, "Unknown view", "Show either all notifications or unread ones only.")
    page = Paginator(notifications, PAGE_SIZE).get_page(request.GET.get("page"))
    unread = Notification.objects.filter(recipient=user).unread().count()
    return render(request, "committee/inbox.html", {"page": page, "show": show, "unread": unread})


def _back_to_inbox(request):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("inbox")


@login_required
@require_POST
def notification_read(request, pk):
    # Another user's notification is not found, rather than refused, so its existence is not revealed.
    notification = get_object_or_404(Notification, pk=pk, recipient=request.user)
    Notification.objects.filter(pk=notification.pk).mark_read()
    return _back_to_inbox(request)


@login_required
@require_POST
def notifications_read_all(request):
    count = Notification.objects.filter(recipient=request.user).mark_read()
    messages.success(request, f"Marked {count} notification{'s' if count != 1 else ''} as read.")
    return _back_to_inbox(request)
