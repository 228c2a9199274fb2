import pytest
from axes.models import AccessAttempt
from rest_framework.test import APIClient

from accounts.models import ApiToken
from accounts.models_tokens import key_digest
from tests.factories import PASSWORD, UserFactory

URL = "/api/v1/auth/token/"


def ask(client, username="alice", password=PASSWORD, **extra):
    return client.post(URL, {"username": username, "password": password}, format="json", **extra)


def test_a_user_exchanges_username_and_password_for_a_token(people):
    response = ask(APIClient())

    assert response.status_code == 200
    body = response.json()
    token = ApiToken.objects.get(user=people.alice)
    assert token.digest == key_digest(body["token"])  # only the key's digest is stored
    assert body["id"] == token.pk
    assert set(body) == {"token", "id", "name", "created", "last_used", "expires"}


def test_the_token_authenticates_api_requests(people):
    token = ask(APIClient()).json()["token"]
    client = APIClient()

    response = client.get("/api/v1/assessments/", HTTP_AUTHORIZATION=f"Token {token}")

    assert response.status_code == 200


def test_asking_again_makes_another_token_and_both_work(people):
    first, second = ask(APIClient()).json()["token"], ask(APIClient()).json()["token"]

    assert first != second
    for key in (first, second):
        assert APIClient().get("/api/v1/assessments/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 200


def test_a_wrong_token_is_401(people):
    response = APIClient().get("/api/v1/assessments/", HTTP_AUTHORIZATION="Token not-a-real-token")

    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid token."}


@pytest.mark.parametrize("username, password", [("alice", "wrong"), ("nobody-here", PASSWORD), ("ALICE ", PASSWORD)])
def test_bad_credentials_are_a_json_400(people, username, password):
    response = ask(APIClient(), username, password)

    assert response.status_code == 400
    assert response.json() == {"detail": "Unable to sign in with that username and password."}
    assert not ApiToken.objects.exists()


def test_an_inactive_user_gets_no_token(people):
    people.alice.is_active = False
    people.alice.save()

    response = ask(APIClient())

    assert response.status_code == 400
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize(
    "body, field",
    [({"username": "alice"}, "password"), ({"password": PASSWORD}, "username"), ({"user": "alice"}, "user")],
)
def test_missing_fields_are_400_field_errors(people, body, field):
    response = APIClient().post(URL, body, format="json")

    assert response.status_code == 400
    assert field in response.json()


def test_form_posts_are_refused_as_unsupported(people):
    response = APIClient().post(URL, {"username": "alice", "password": PASSWORD})

    assert response.status_code == 415


def test_a_session_cookie_does_not_need_csrf_for_the_token_endpoint(people):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(people.alice)

    assert ask(client).status_code == 200


def test_repeated_failures_lock_the_account_even_for_the_right_password(people):
    client = APIClient()
    for _ in range(4):
        assert ask(client, password="guess").status_code == 400
    assert ask(client, password="guess").status_code == 429  # the fifth failure locks

    response = ask(client)

    assert response.status_code == 429
    assert response.json()["detail"].endswith("it is locked for 60 minutes.")
    assert response["Retry-After"] == "3600"
    assert AccessAttempt.objects.filter(username="alice").exists()
    assert not ApiToken.objects.exists()


def test_a_lockout_is_per_account(people):
    UserFactory(username="zed")
    client = APIClient()
    for _ in range(5):
        ask(client, password="guess")

    assert ask(client, username="zed").status_code == 200


def test_token_requests_are_throttled_per_address(people):
    client = APIClient()
    for _ in range(10):
        assert ask(client).status_code == 200

    response = ask(client)

    assert response.status_code == 429
    assert response.json()["detail"].startswith("Request was throttled.")
    assert int(response["Retry-After"]) > 0
    assert ask(client, REMOTE_ADDR="10.9.8.7").status_code == 200


def test_a_forged_forwarded_for_header_does_not_escape_the_throttle(people):
    client = APIClient()
    for number in range(10):
        ask(client, HTTP_X_FORWARDED_FOR=f"192.0.2.{number}")

    assert ask(client, HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 429


def test_get_is_not_allowed(people):
    response = APIClient().get(URL)

    assert response.status_code == 405
    assert response.json() == {"detail": 'Method "GET" not allowed.'}
