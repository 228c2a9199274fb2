"""The in-app inbox: a user's own notifications, marked read one by one or all at once."""

from django.urls import reverse

from committee.models import Notification

from ..workflow import create_draft

INBOX = reverse("inbox")


def notify(user, subject, assessment=None, body=""):
    """A free-text notice (the kind that rows from before structured notices keep)."""
    return Notification.objects.create(
        recipient=user,
        assessment=assessment,
        kind="message",
        key=f"message:{user.pk}:{subject}",
        context={"subject": subject, "body": body},
    )


def test_it_lists_the_users_own_notifications_newest_first(people, login):
    assessment = create_draft(people, name="Intake summary")
    notify(people.alice, "Older", body="First line.\n\nSecond paragraph.")
    notify(people.alice, "Newer", assessment=assessment)
    notify(people.ben, "Ben's own")
    response = login(people.alice).get(INBOX)
    page = response.content.decode()
    assert [n.subject for n in response.context["page"].object_list] == ["Newer", "Older"]
    assert "Ben&#x27;s own" not in page
    assert "Intake summary" in page and "Second paragraph." in page
    assert "2 unread" in page


def test_the_header_counts_open_action_notices_only(people, login):
    notify(people.alice, "Hello")  # information: no badge
    assert '<span class="count">' not in login(people.alice).get(reverse("home")).content.decode()
    Notification.objects.filter(recipient=people.alice).update(category="action")
    page = login(people.alice).get(reverse("home")).content.decode()
    assert '<span class="count">1<span class="visually-hidden"> needing you</span></span>' in page


def test_marking_one_read(people, login):
    note = notify(people.alice, "Reminder")
    client = login(people.alice)
    response = client.post(reverse("notification_read", args=[note.pk]), {"next": INBOX + "?show=unread"})
    note.refresh_from_db()
    assert response.status_code == 302 and response["Location"] == INBOX + "?show=unread"
    assert note.is_read
    assert list(client.get(INBOX, {"show": "unread"}).context["page"].object_list) == []


def test_another_users_notification_cannot_be_marked(people, login):
    note = notify(people.ben, "Ben's")
    assert login(people.alice).post(reverse("notification_read", args=[note.pk])).status_code == 404
    note.refresh_from_db()
    assert not note.is_read


def test_marking_all_read_touches_only_ones_own(people, login):
    notify(people.alice, "One")
    notify(people.alice, "Two")
    bens = notify(people.ben, "Ben's")
    response = login(people.alice).post(reverse("notifications_read_all"))
    assert response.status_code == 302
    assert not Notification.objects.filter(recipient=people.alice, read_at__isnull=True).exists()
    bens.refresh_from_db()
    assert not bens.is_read


def test_an_empty_inbox_says_what_will_appear(people, login):
    assert "No notifications yet." in login(people.alice).get(INBOX).content.decode()


def test_redirects_stay_on_this_site(people, login):
    note = notify(people.alice, "Reminder")
    response = login(people.alice).post(reverse("notification_read", args=[note.pk]), {"next": "https://evil.test/"})
    assert response["Location"] == INBOX


def test_an_unknown_view_is_a_400(people, login):
    assert login(people.alice).get(INBOX, {"show": "everything"}).status_code == 400
