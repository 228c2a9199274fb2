"""Logging in and out, and the lockout after repeated failures (django-axes)."""

import pytest
from django.urls import reverse

from ..factories import PASSWORD

LOGIN = reverse("login")


@pytest.fixture
def lockout_page(settings):
    # The setting the project adds for this page (see the report): AXES_LOCKOUT_TEMPLATE.
    settings.AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"


def test_the_login_page_has_labelled_fields(client, db):
    page = client.get(LOGIN).content.decode()
    assert '<label for="id_username">Username</label>' in page
    assert '<label for="id_password">Password</label>' in page
    assert 'autocomplete="current-password"' in page


def test_logging_in_through_the_form_lands_on_home(client, people):
    response = client.post(LOGIN, {"username": "alice", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/").status_code == 200


def test_a_wrong_password_says_so_without_saying_which_part_was_wrong(client, people):
    response = client.post(LOGIN, {"username": "alice", "password": "nope"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Please enter a correct username and password" in page
    assert 'value="alice"' in page


def test_empty_fields_are_reported_next_to_them(client, db):
    response = client.post(LOGIN, {"username": "", "password": ""})
    page = response.content.decode()
    assert 'id="username-error"' in page and 'id="password-error"' in page
    assert "This field is required." in page


def test_five_failures_lock_the_account_with_a_clear_page(client, people, lockout_page):
    for _ in range(5):
        client.post(LOGIN, {"username": "alice", "password": "wrong"})
    response = client.post(LOGIN, {"username": "alice", "password": PASSWORD})
    page = response.content.decode()
    assert response.status_code == 429
    assert "Too many failed log-ins" in page
    assert "<strong>alice</strong>" in page
    assert client.get("/").status_code == 302  # still not logged in


def test_logging_out_needs_a_post(client, people):
    client.post(LOGIN, {"username": "alice", "password": PASSWORD})
    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get("/").status_code == 302


@pytest.mark.parametrize(
    "url",
    [
        reverse("home"),
        reverse("assessment_list"),
        reverse("assessment_new"),
        reverse("assessment_detail", args=[1]),
        reverse("assessment_edit", args=[1]),
        reverse("queue"),
        reverse("inbox"),
        reverse("audit_trail"),
    ],
)
def test_every_page_needs_a_login(client, db, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)
