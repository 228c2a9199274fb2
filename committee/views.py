"""Committee pages: a reviewer's queue, everyone's inbox and email preference, the chair's reminder."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from assessments.deadlines import StageClock
from assessments.errors import InputError, NotPermitted, TransitionConflict
from assessments.paging import CappedPaginator
from assessments.selectors import assessment_visible_to, queue_domains, review_queue_for
from assessments.views.common import PAGE_SIZE, for_listing, problem
from assessments.views.home import queue_labels, queue_rows

from . import services
from .forms import PreferenceForm
from .lifecycle import REVIEW_KINDS
from .models import NoticePreference, Notification


@require_safe
@login_required
def queue(request):
    """Assessments waiting at the stages of the reviewer's domains (and of those delegated to them, each row saying
    so), oldest first, with their deadlines."""
    user = request.user
    now = timezone.now()
    own, acting = queue_domains(user, now)
    if not own and not acting:
        return problem(
            request,
            403,
            "No review queue",
            "Only Legal, Security, Clinical, Product and Data/AI reviewers have a review queue.",
            back=reverse("home"),
        )
    queue = for_listing(review_queue_for(user, now))
    paginator = CappedPaginator(queue, PAGE_SIZE, settings.QUEUE_COUNT_CAP, ordered=True)
    page = paginator.get_page(request.GET.get("page"))
    rows = queue_rows(page.object_list, acting, now)
    context = {"page": page, "rows": rows, "domains": queue_labels(own, acting)}
    return render(request, "committee/queue.html", context)


NEEDS_YOU_LIMIT = 100  # open action notices listed at the top of the inbox; the badge counts them all


@require_safe
@login_required
def inbox(request):
    """What needs the person first (open action notices, oldest first), then the information, newest first."""
    user = request.user
    mine = Notification.objects.filter(recipient=user).select_related("assessment__feature")
    show = request.GET.get("show", "all")
    information = mine.for_information()
    if show == "unread":
        information = information.unread()
    elif show != "all":
        return problem(request, 400, "Unknown view", "Show either all notifications or unread ones only.")
    now = timezone.now()
    needs_you = [
        # A review's deadline beside it; a condition's notice names a domain (its stage) but has no stage clock.
        {"notice": n, "clock": StageClock(n.assessment, now) if n.kind in REVIEW_KINDS and n.assessment else None}
        for n in mine.needing_action().order_by("created_at", "pk")[:NEEDS_YOU_LIMIT]
    ]
    page = Paginator(information, PAGE_SIZE).get_page(request.GET.get("page"))
    counts = Notification.objects.filter(recipient=user).aggregate(
        needing=Count("pk", filter=Q(category=Notification.Category.ACTION, resolved_at__isnull=True)),
        unread=Count("pk", filter=Q(read_at__isnull=True)),
    )
    preference = NoticePreference.objects.filter(user=user).values_list("email", flat=True).first()
    context = {
        "page": page,
        "show": show,
        "needs_you": needs_you,
        "needing": counts["needing"],
        "unread": counts["unread"],
        "digest": preference == NoticePreference.Email.DAILY_DIGEST,
    }
    return render(request, "committee/inbox.html", context)


def _back_to_inbox(request):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("inbox")


@require_POST
@login_required
def notification_read(request, pk):
    # Another user's notification is not found, rather than refused, so its existence is not revealed.
    notification = get_object_or_404(Notification, pk=pk, recipient=request.user)
    Notification.objects.filter(pk=notification.pk).mark_read()
    return _back_to_inbox(request)


@require_POST
@login_required
def notifications_read_all(request):
    count = Notification.objects.filter(recipient=request.user).mark_read()
    messages.success(request, f"Marked {count} notification{'s' if count != 1 else ''} as read.")
    return _back_to_inbox(request)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def notice_preferences(request):
    """Immediate emails or one daily digest; inbox entries are immediate either way."""
    user = request.user
    current = NoticePreference.objects.filter(user=user).values_list("email", flat=True).first()
    form = PreferenceForm(request.POST or None, initial={"email": current or NoticePreference.Email.IMMEDIATE})
    if request.method == "POST" and form.is_valid():
        services.preference_set(user=user, email=form.cleaned_data["email"])
        messages.success(request, "Saved: " + NoticePreference.Email(form.cleaned_data["email"]).label.lower() + ".")
        return redirect("notice_preferences")
    context = {"form": form, "digest_hour": settings.DIGEST_HOUR}
    return render(request, "committee/preferences.html", context, status=400 if form.is_bound else 200)


@require_POST
@login_required
def stage_nudge(request, pk):
    """The chair's "Send a reminder now" on an overdue stage."""
    assessment = assessment_visible_to(request.user, pk)
    back = reverse("assessment_detail", args=[assessment.pk])
    try:
        sent = services.stage_nudge(assessment=assessment, by=request.user)
    except NotPermitted as error:
        return problem(request, 403, "Not permitted", error.message, back=back)
    except (TransitionConflict, InputError) as error:
        # A second click (or one after the stage moved on) is not a dead end: back to the page, saying why.
        messages.warning(request, f"No reminder sent. {error.message}")
        return redirect(back)
    count = len(sent)
    messages.success(
        request, f"Reminder sent to {count} reviewer{'s' if count != 1 else ''}; it is in the audit trail."
    )
    return redirect(back)
