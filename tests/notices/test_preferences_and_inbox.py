"""Each person's email preference, and the inbox that shows notices as they happen."""

import pytest
from django.urls import reverse

from assessments.models import State
from committee.models import NoticePreference, Notification

from ..workflow import act, advance, create_draft

pytestmark = pytest.mark.django_db
URL = reverse("notice_preferences")


def test_immediate_is_the_default_and_the_digest_can_be_chosen(people, login):
    client = login(people.alice)
    response = client.get(URL)
    assert response.context["form"]["email"].value() == "immediate"
    assert "An email for each notice, as it happens" in response.content.decode()
    response = client.post(URL, {"email": "daily_digest"})
    assert response.status_code == 302
    assert NoticePreference.objects.get(user=people.alice).email == "daily_digest"
    assert "You get one daily digest email." in client.get(reverse("inbox")).content.decode()
    client.post(URL, {"email": "immediate"})
    assert NoticePreference.objects.get(user=people.alice).email == "immediate"


@pytest.mark.parametrize("value", ["", "weekly", "immediate\x00", "x" * 5000])
def test_a_bad_choice_is_a_400_and_changes_nothing(people, login, value):
    response = login(people.alice).post(URL, {"email": value})
    assert response.status_code == 400
    assert not NoticePreference.objects.filter(user=people.alice).exists()


def test_the_page_needs_a_login(client):
    assert client.get(URL).status_code == 302


def test_the_inbox_shows_each_notice_with_a_link_and_the_unread_count(people, login):
    assessment = act(people, advance(people, create_draft(people, name="Intake"), State.LEGAL_REVIEW), "reject")
    client = login(people.alice)
    page = client.get(reverse("inbox")).content.decode()
    assert "Rejected: Intake v1" in page and reverse("assessment_detail", args=[assessment.pk]) in page
    assert "Please explain the escalation path." in page
    assert "1 unread." in page
    client.post(reverse("notifications_read_all"))
    assert not Notification.objects.filter(recipient=people.alice, read_at__isnull=True).exists()
    assert "Nothing unread." in client.get(reverse("inbox")).content.decode()


def test_the_badge_counts_what_needs_you_not_what_is_unread(people, login):
    # A rejection is information: no badge. A change request is the team's to answer: a badge until resubmitted.
    act(people, advance(people, create_draft(people, name="Rejected one"), State.LEGAL_REVIEW), "reject")
    asked = advance(people, create_draft(people, name="Intake"), State.CHANGES_REQUESTED)
    client = login(people.alice)
    badge = '<span class="count">1<span class="visually-hidden"> needing you</span></span>'
    assert badge in client.get(reverse("home")).content.decode()
    client.post(reverse("notifications_read_all"))
    assert badge in client.get(reverse("home")).content.decode()  # reading is not doing
    act(people, asked, "resubmit", comment="Explained the escalation path.")
    assert '<span class="count">' not in client.get(reverse("home")).content.decode()
