"""API tokens that end: named, expiring, several per user, listed and revoked by their owner, a second factor."""

import time
from datetime import timedelta

import pytest
import time_machine
from axes.models import AccessAttempt
from django.utils import timezone
from rest_framework.test import APIClient

from accounts import tokens
from accounts.models import ApiToken, SecurityEvent

from ..factories import PASSWORD
from .helpers import code_for, enrol

pytestmark = pytest.mark.django_db
TOKEN = "/api/v1/auth/token/"
TOKENS = "/api/v1/auth/tokens/"


def issue(username="alice", **extra):
    return APIClient().post(TOKEN, {"username": username, "password": PASSWORD, **extra}, format="json")


def as_key(key):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_a_token_has_a_name_a_creation_time_and_an_expiry_api_token_ttl_away(people, settings):
    settings.API_TOKEN_TTL = 3600
    before = timezone.now()

    body = issue(name="CI pipeline").json()

    token = ApiToken.objects.get(pk=body["id"])
    assert body["name"] == token.name == "CI pipeline"
    assert before + timedelta(seconds=3600) <= token.expires_at <= timezone.now() + timedelta(seconds=3600)
    assert body["last_used"] is None
    event = SecurityEvent.objects.get(kind="token_created")
    assert event.user == people.alice and event.details["token"] == token.pk


def test_a_token_without_a_name_is_named_by_its_date(people):
    body = issue().json()

    assert body["name"].startswith(f"API token {timezone.now():%Y-%m-%d}")


def test_the_default_lifetime_is_thirty_days(people):
    body = issue().json()

    token = ApiToken.objects.get(pk=body["id"])
    assert token.expires_at - token.created_at == timedelta(days=30)


def test_an_expired_token_is_a_401_at_the_exact_second(people, settings):
    settings.API_TOKEN_TTL = 60
    with time_machine.travel(time.time(), tick=False) as traveller:
        key = issue().json()["token"]
        traveller.shift(59)
        assert as_key(key).get(TOKENS).status_code == 200
        traveller.shift(1)

        response = as_key(key).get(TOKENS)

    assert response.status_code == 401
    assert response.json() == {"detail": "This token has expired; ask for a new one."}


def test_the_list_shows_the_callers_live_tokens_and_never_a_key(people):
    first = issue(name="one").json()
    second = issue(name="two").json()
    issue("ben")
    revoked = issue(name="gone").json()
    as_key(first["token"]).delete(f"{TOKENS}{revoked['id']}/")

    response = as_key(first["token"]).get(TOKENS)

    assert response.status_code == 200
    listed = response.json()
    assert [t["id"] for t in listed] == [second["id"], first["id"]]
    assert set(listed[0]) == {"id", "name", "created", "last_used", "expires"}
    assert first["token"] not in response.content.decode()


def test_the_list_costs_the_same_for_two_tokens_or_twenty(people, django_assert_num_queries):
    key = tokens.token_create(user=people.alice).key
    client = as_key(key)
    client.get(TOKENS)  # last use written: not counted below
    for _ in range(1):
        tokens.token_create(user=people.alice)
    with django_assert_num_queries(2):  # the token with its user, the list
        assert len(client.get(TOKENS).json()) == 2
    for _ in range(18):
        tokens.token_create(user=people.alice)
    with django_assert_num_queries(2):
        assert len(client.get(TOKENS).json()) == 20


def test_last_use_is_written_at_most_once_a_minute(people):
    with time_machine.travel(time.time(), tick=False) as traveller:
        issued = tokens.token_create(user=people.alice)
        client = as_key(issued.key)
        client.get(TOKENS)
        first = ApiToken.objects.get(pk=issued.token.pk).last_used_at
        assert first is not None
        traveller.shift(59)
        client.get(TOKENS)
        assert ApiToken.objects.get(pk=issued.token.pk).last_used_at == first
        traveller.shift(1)
        client.get(TOKENS)
        assert ApiToken.objects.get(pk=issued.token.pk).last_used_at == first + timedelta(seconds=60)


def test_the_owner_revokes_a_token_and_it_stops_working(people):
    keep = issue().json()
    drop = issue().json()

    response = as_key(keep["token"]).delete(f"{TOKENS}{drop['id']}/")

    assert response.status_code == 204
    assert as_key(drop["token"]).get(TOKENS).status_code == 401
    assert as_key(drop["token"]).get(TOKENS).json() == {"detail": "This token was revoked; ask for a new one."}
    assert as_key(keep["token"]).get(TOKENS).status_code == 200
    event = SecurityEvent.objects.get(kind="token_revoked")
    assert event.user == people.alice and event.details == {"tokens": [drop["id"]], "reason": "owner"}


def test_a_token_may_revoke_itself(people):
    body = issue().json()

    assert as_key(body["token"]).delete(f"{TOKENS}{body['id']}/").status_code == 204
    assert as_key(body["token"]).get(TOKENS).status_code == 401


def test_another_users_token_is_a_404_and_stays(people):
    mine = issue().json()
    bens = issue("ben").json()

    response = as_key(mine["token"]).delete(f"{TOKENS}{bens['id']}/")

    assert response.status_code == 404
    assert as_key(bens["token"]).get(TOKENS).status_code == 200


@pytest.mark.parametrize("tail", ["0/", "999999/", "9007199254740992/", "99999999999999999999/", "abc/", "-1/"])
def test_ids_that_name_no_token_of_yours_are_a_json_404(people, tail):
    key = issue().json()["token"]

    response = as_key(key).delete(f"{TOKENS}{tail}")

    assert response.status_code == 404
    assert "detail" in response.json()


def test_revoking_twice_is_a_404(people):
    body = issue().json()
    other = issue().json()
    as_key(other["token"]).delete(f"{TOKENS}{body['id']}/")

    assert as_key(other["token"]).delete(f"{TOKENS}{body['id']}/").status_code == 404


def test_without_credentials_the_list_is_a_401(people):
    assert APIClient().get(TOKENS).status_code == 401
    assert APIClient().delete(f"{TOKENS}1/").status_code == 401


def test_a_query_parameter_is_refused_by_name(people):
    key = issue().json()["token"]

    response = as_key(key).get(f"{TOKENS}?page=2")

    assert response.status_code == 400
    assert "page" in response.json()


def test_a_session_lists_tokens_too(people):
    issue()
    client = APIClient()
    client.force_login(people.alice)

    assert len(client.get(TOKENS).json()) == 1


def test_an_inactive_users_token_is_refused(people):
    key = issue().json()["token"]
    ApiToken.objects.update(revoked_at=None)  # even were it not revoked by the deactivation
    type(people.alice).objects.filter(pk=people.alice.pk).update(is_active=False)

    assert as_key(key).get(TOKENS).status_code == 401


def test_a_user_with_a_second_factor_must_send_its_code(people):
    device, codes = enrol(people.alice)

    missing = issue()
    assert missing.status_code == 400
    assert missing.json()["code"] == "otp_required"

    wrong = issue(otp="123456" if code_for(device, 1) != "123456" else "654321")
    assert wrong.status_code == 403
    assert wrong.json()["code"] == "otp_invalid"
    assert SecurityEvent.objects.filter(kind="mfa_failed", user=people.alice).exists()

    with time_machine.travel(time.time() + 5):  # past django-otp's back-off after a wrong code
        right = issue(otp=code_for(device, 1))
    assert right.status_code == 200
    assert issue(otp=codes[0]).status_code == 200  # a recovery code, once
    assert ApiToken.objects.count() == 2


def test_wrong_codes_count_towards_the_lockout(people):
    device, _ = enrol(people.alice)
    wrong = "123456" if code_for(device, 1) != "123456" else "654321"
    for _ in range(5):
        assert issue(otp=wrong).status_code == 403
    assert AccessAttempt.objects.get(username="alice").failures_since_start == 5

    with time_machine.travel(time.time() + 60):
        response = issue(otp=code_for(device, 1))

    assert response.status_code == 429
    assert not ApiToken.objects.exists()


def test_a_user_at_the_limit_of_live_tokens_is_refused_a_new_one(people, monkeypatch):
    monkeypatch.setattr(tokens, "MAX_LIVE_TOKENS", 2)
    issue()
    issue()

    response = issue()

    assert response.status_code == 409
    assert [reason["code"] for reason in response.json()["reasons"]] == ["token_limit"]
    assert ApiToken.objects.count() == 2


def test_an_administrator_sees_tokens_without_keys_and_revokes_them(people, client):
    issued = tokens.token_create(user=people.alice, name="laptop")
    client.force_login(people.admin)

    page = client.get("/admin/accounts/apitoken/")
    assert page.status_code == 200 and "laptop" in page.content.decode()
    assert issued.key not in page.content.decode() and issued.token.digest not in page.content.decode()
    client.post("/admin/accounts/apitoken/", {"action": "revoke", "_selected_action": [issued.token.pk]}, follow=True)

    assert as_key(issued.key).get(TOKENS).status_code == 401
    assert ApiToken.objects.get(pk=issued.token.pk).revoked_because == "administrator"
    assert SecurityEvent.objects.get(kind="token_revoked").details["reason"] == "administrator"
