"""An outbox email as it is sent: plain text and HTML, with a link to each assessment."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from .kinds import tidy
from .models import Notification, OutboxEmail


def absolute(path):
    return f"{settings.SITE_URL}{path}"


def link_of(notification):
    if notification.assessment_id:
        return absolute(reverse("assessment_detail", args=[notification.assessment_id]))
    return absolute(reverse("inbox"))


def email_message(email):
    """The email to send for an outbox row: plain text and HTML, with a link to each assessment.

    A digest says which of its actions are done already, and how many notices need the reader now: the
    inbox's "needs you" and its badge, counted as they are at sending."""
    recipient = email.recipient
    items = [
        {
            "subject": n.subject,
            "body": n.body,
            "link": link_of(n),
            "created_at": n.created_at,
            "done": n.resolved_at if n.category == Notification.Category.ACTION else None,
        }
        for n in email.notifications.order_by("created_at", "pk")
    ]
    context = {
        "recipient": recipient,
        "items": items,
        "digest_of": email.digest_of,
        "inbox_url": absolute(reverse("inbox")),
        "preferences_url": absolute(reverse("notice_preferences")),
    }
    if email.kind == OutboxEmail.Kind.DIGEST:
        context["needing"] = Notification.objects.filter(recipient=recipient).needing_action().count()
        subject = f"Your Responsible AI notices: {len(items)} since the last digest"
        template = "committee/email/digest"
    else:
        if not items:
            raise ValueError("This outbox email has no notice to send.")
        subject = items[0]["subject"]
        template = "committee/email/notice"
    message = EmailMultiAlternatives(
        subject=subject,
        body=tidy(render_to_string(f"{template}.txt", context)),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient.email],
        # Names the outbox row, so a receiving system (or a test) can tell each email apart.
        headers={"X-Outbox-Key": email.key},
    )
    message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    return message
